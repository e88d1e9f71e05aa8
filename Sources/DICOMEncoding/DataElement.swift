/// A minimal DICOM encoder (PS3.5 little endian, explicit or implicit VR,
/// defined lengths) for DoseAudit's own test data: the pediatric sample
/// generator and synthetic malformed inputs. The product reads DICOM only
/// through DCMTK; this never parses anything.
public struct DataElement: Sendable {
    public var group: UInt16
    public var element: UInt16
    public var vr: String
    public var value: Value

    public enum Value: Sendable {
        case text(String)
        case bytes([UInt8])
        case items([[DataElement]])
    }

    public init(_ group: UInt16, _ element: UInt16, _ vr: String, _ text: String) {
        self.group = group
        self.element = element
        self.vr = vr
        self.value = .text(text)
    }

    public init(_ group: UInt16, _ element: UInt16, _ vr: String, bytes: [UInt8]) {
        self.group = group
        self.element = element
        self.vr = vr
        self.value = .bytes(bytes)
    }

    public init(_ group: UInt16, _ element: UInt16, items: [[DataElement]]) {
        self.group = group
        self.element = element
        self.vr = "SQ"
        self.value = .items(items)
    }

    var tagKey: UInt32 { UInt32(group) << 16 | UInt32(element) }
}

public enum TransferSyntax: String, Sendable {
    case explicitVRLittleEndian = "1.2.840.10008.1.2.1"
    case implicitVRLittleEndian = "1.2.840.10008.1.2"
}

public enum DICOMEncoder {
    /// Implementation Class UID for files DoseAudit's generator writes (a UUID-derived 2.25 UID).
    public static let implementationClassUID = "2.25.302526178421869233839536473858478521953"
    public static let implementationVersionName = "DOSEAUDIT_GEN1"

    /// A Part 10 file: preamble, "DICM", File Meta Information, dataset.
    public static func file(
        dataset: [DataElement],
        sopClassUID: String,
        sopInstanceUID: String,
        transferSyntax: TransferSyntax
    ) -> [UInt8] {
        var meta: [DataElement] = [
            DataElement(0x0002, 0x0001, "OB", bytes: [0x00, 0x01]),
            DataElement(0x0002, 0x0002, "UI", sopClassUID),
            DataElement(0x0002, 0x0003, "UI", sopInstanceUID),
            DataElement(0x0002, 0x0010, "UI", transferSyntax.rawValue),
            DataElement(0x0002, 0x0012, "UI", implementationClassUID),
            DataElement(0x0002, 0x0013, "SH", implementationVersionName),
        ]
        let metaBody = encode(meta, explicit: true)
        meta = [DataElement(0x0002, 0x0000, "UL", bytes: le32(UInt32(metaBody.count)))]
        var out = [UInt8](repeating: 0, count: 128)
        out += Array("DICM".utf8)
        out += encode(meta, explicit: true) + metaBody
        out += encode(dataset, explicit: transferSyntax == .explicitVRLittleEndian)
        return out
    }

    /// Encodes elements in ascending tag order.
    public static func encode(_ elements: [DataElement], explicit: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for element in elements.sorted(by: { $0.tagKey < $1.tagKey }) {
            out += encode(element, explicit: explicit)
        }
        return out
    }

    static func encode(_ element: DataElement, explicit: Bool) -> [UInt8] {
        let body: [UInt8]
        switch element.value {
        case .text(let text): body = padded(Array(text.utf8), vr: element.vr)
        case .bytes(let bytes): body = bytes.count % 2 == 0 ? bytes : bytes + [0]
        case .items(let items):
            var encoded: [UInt8] = []
            for item in items {
                let itemBody = encode(item, explicit: explicit)
                encoded += le16(0xFFFE) + le16(0xE000) + le32(UInt32(itemBody.count)) + itemBody
            }
            body = encoded
        }
        var out = le16(element.group) + le16(element.element)
        if explicit {
            out += Array(element.vr.utf8)
            if ["OB", "OW", "OF", "SQ", "UT", "UN", "UC", "UR", "OD", "OL", "OV"].contains(element.vr) {
                out += [0, 0] + le32(UInt32(body.count))
            } else {
                out += le16(UInt16(body.count))
            }
        } else {
            out += le32(UInt32(body.count))
        }
        return out + body
    }

    static func padded(_ bytes: [UInt8], vr: String) -> [UInt8] {
        guard bytes.count % 2 == 1 else { return bytes }
        return bytes + [vr == "UI" ? 0 : 0x20]
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}
