import StructuredReport

/// Decodes DICOM text bytes for the character sets DoseAudit decodes itself
/// (default repertoire, ISO_IR 100 Latin-1, ISO_IR 192 UTF-8); DCMTK has
/// already converted any other declared set to UTF-8.
///
/// Real scanners write UTF-8 bytes under a Latin-1 (or absent) declaration;
/// valid multi-byte UTF-8 under such a declaration is read as UTF-8 and
/// reported, since Latin-1 would turn "Müller" into "MÃ¼ller".
struct TextDecoder {
    private enum Mode { case utf8, latin1OrDefault }
    private let mode: Mode
    private(set) var report = CharacterSetDecoding()

    init(declaredCharacterSet: String, convertedByDCMTK: Bool) {
        let first = declaredCharacterSet.split(separator: "\\", omittingEmptySubsequences: false).first ?? ""
        mode = convertedByDCMTK || first.trimmingSpaces == "ISO_IR 192" ? .utf8 : .latin1OrDefault
    }

    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Almost every value in a dose report is ASCII.
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        let validUTF8 = String(validating: bytes, as: UTF8.self)
        switch mode {
        case .utf8:
            if let validUTF8 { return validUTF8 }
            report.invalidUTF8 = true
            return String(decoding: bytes, as: UTF8.self)
        case .latin1OrDefault:
            if let validUTF8 {
                report.utf8DeclaredAsOther = true
                return validUTF8
            }
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
    }
}
