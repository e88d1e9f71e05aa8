/// Synthetic CT dose reports built in memory for edge cases that no scanner
/// should produce (thousands of events, absurd nesting, illegal values).
/// Used by the malformed-input tests and the reader benchmark.
public enum SyntheticReports {
    static func c(_ v: String, _ s: String, _ m: String) -> Concept { Concept(v, s, m) }
    public static let root = "2.25.99887766554433221100998877665544"

    /// A minimal spiral CT Acquisition with CTDIvol, phantom and DLP.
    public static func event(
        _ index: Int, ctdivol: String = "5.0", dlp: String = "100.0", dlpUnit: String = "mGy.cm", root: String = root, protocolName: String? = nil,
        region: (code: String, meaning: String) = ("816094009", "Chest"), headPhantom: Bool = false,
        acquisitionType: (code: String, meaning: String) = ("116152004", "Spiral Acquisition")
    ) -> SRItem {
        .container("CONTAINS", c("113819", "DCM", "CT Acquisition"), (protocolName.map { [SRItem.text("CONTAINS", c("125203", "DCM", "Acquisition Protocol"), $0)] } ?? []) + [
            .code("CONTAINS", c("123014", "DCM", "Target Region"), c(region.code, "SCT", region.meaning)),
            .code("CONTAINS", c("113820", "DCM", "CT Acquisition Type"), c(acquisitionType.code, acquisitionType.code.hasPrefix("113") ? "DCM" : "SCT", acquisitionType.meaning)),
            .uidref("CONTAINS", c("113769", "DCM", "Irradiation Event UID"), "\(root).4.\(index)"),
            .container("CONTAINS", c("113829", "DCM", "CT Dose"), [
                .num("CONTAINS", c("113830", "DCM", "Mean CTDIvol"), ctdivol, UCUM.mGy),
                .code("CONTAINS", c("113835", "DCM", "CTDIw Phantom Type"),
                      headPhantom ? c("113690", "DCM", "IEC Head Dosimetry Phantom") : c("113691", "DCM", "IEC 320mm Body CT Dosimetry Phantom")),
                .num("CONTAINS", c("113838", "DCM", "DLP"), dlp, UCUM.unit(dlpUnit, dlpUnit)),
            ]),
        ])
    }

    /// A report with `events` acquisitions and, optionally, a chain of
    /// containers nested `nestingDepth` levels deep beside them.
    public static func report(
        events: [SRItem], nestingDepth: Int = 0, totalDLP: String? = nil, root: String = root, patientAge: String? = nil,
        studyDate: String? = nil, accessionNumber: String? = nil, manufacturer: String? = nil, patientID: String? = nil, issuerOfPatientID: String? = nil,
        instance: String? = nil, birthDate: String? = nil
    ) -> [UInt8] {
        let sopInstance = instance ?? "\(root).3"
        var content: [SRItem] = [
            .code("HAS CONCEPT MOD", c("121058", "DCM", "Procedure reported"), c("77477000", "SCT", "Computed Tomography X-Ray"), [
                .code("HAS CONCEPT MOD", c("363703001", "SCT", "Has Intent"), c("261004008", "SCT", "Diagnostic Intent")),
            ]),
            .uidref("HAS OBS CONTEXT", c("121012", "DCM", "Device Observer UID"), "\(root).9"),
            .datetime("HAS OBS CONTEXT", c("113809", "DCM", "Start of X-Ray Irradiation"), "20261127100000"),
            .datetime("HAS OBS CONTEXT", c("113810", "DCM", "End of X-Ray Irradiation"), "20261127100500"),
        ]
        if let totalDLP {
            content.append(.container("CONTAINS", c("113811", "DCM", "CT Accumulated Dose Data"), [
                .num("CONTAINS", c("113812", "DCM", "Total Number of Irradiation Events"), String(events.count), UCUM.events),
                .num("CONTAINS", c("113813", "DCM", "CT Dose Length Product Total"), totalDLP, UCUM.mGycm),
            ]))
        }
        content += events
        if nestingDepth > 0 {
            var chain = SRItem.text("CONTAINS", c("121106", "DCM", "Comment"), "bottom")
            for _ in 0..<nestingDepth {
                chain = .container("CONTAINS", c("111001", "DCM", "Algorithm Name"), [chain])
            }
            content.append(chain)
        }
        let sopClass = "1.2.840.10008.5.1.4.1.1.88.67"
        let dataset: [DataElement] = [
            DataElement(0x0008, 0x0016, "UI", sopClass),
            DataElement(0x0008, 0x0018, "UI", sopInstance),
            DataElement(0x0008, 0x0060, "CS", "SR"),
            DataElement(0x0020, 0x000D, "UI", "\(root).1"),
            DataElement(0x0040, 0xA040, "CS", "CONTAINER"),
            DataElement(0x0040, 0xA043, items: [c("113701", "DCM", "X-Ray Radiation Dose Report").item]),
            DataElement(0x0040, 0xA050, "CS", "SEPARATE"),
            DataElement(0x0040, 0xA504, items: [[DataElement(0x0008, 0x0105, "CS", "DCMR"), DataElement(0x0040, 0xDB00, "CS", "10011")]]),
            DataElement(0x0040, 0xA730, items: content.map(\.encoded)),
        ] + (patientAge.map { [DataElement(0x0010, 0x1010, "AS", $0)] } ?? [])
            + (studyDate.map { [DataElement(0x0008, 0x0020, "DA", $0)] } ?? [])
            + (accessionNumber.map { [DataElement(0x0008, 0x0050, "SH", $0)] } ?? [])
            + (manufacturer.map { [DataElement(0x0008, 0x0070, "LO", $0)] } ?? [])
            + (patientID.map { [DataElement(0x0010, 0x0020, "LO", $0)] } ?? [])
            + (issuerOfPatientID.map { [DataElement(0x0010, 0x0021, "LO", $0)] } ?? [])
            + (birthDate.map { [DataElement(0x0010, 0x0030, "DA", $0)] } ?? [])
        return DICOMEncoder.file(dataset: dataset, sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntax: .explicitVRLittleEndian)
    }
}

/// A small deterministic PRNG (SplitMix64) so "random" inputs are the same on every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
