/// SNOMED-RT (`SRT`) codes that DICOM replaced with SNOMED CT (`SCT`)
/// equivalents in 2019–2020 (PS3.16 Annex O; PixelMed's srtsctmapping.xml).
/// Real scanners still send the old codes, and some send old SCT codes that
/// were later replaced again (Chest 51185008 → 816094009). Only codes that
/// the dose templates use are listed; an unknown legacy code is kept as is.
public enum LegacyCodes {
    /// Legacy → current, keyed by "scheme|value".
    static let replacements: [String: CodedConcept] = [
        // CID 10013 CT Acquisition Type
        "SRT|P5-08001": CodedConcept("116152004", "SCT", "Spiral Acquisition"),
        // CID 230 Yes/No
        "SRT|R-0038D": CodedConcept("373066001", "SCT", "Yes"),
        "SRT|R-00339": CodedConcept("373067005", "SCT", "No"),
        "SRT|R-41198": CodedConcept("373068000", "SCT", "Undetermined"),
        // Procedure reported / intent
        "SRT|P5-08000": CodedConcept("77477000", "SCT", "Computed Tomography X-Ray"),
        "SRT|G-C0E8": CodedConcept("363703001", "SCT", "Has Intent"),
        "SRT|R-408C3": CodedConcept("261004008", "SCT", "Diagnostic Intent"),
        "SRT|R-41531": CodedConcept("262033004", "SCT", "Therapeutic Intent"),
        "SRT|G-C32C": CodedConcept("408730004", "SCT", "Procedure Context"),
        "SRT|G-C036": CodedConcept("370129005", "SCT", "Measurement Method"),
        // CID 4030/4031 target regions (older SCT codes too)
        "SRT|T-D1100": CodedConcept("69536005", "SCT", "Head"),
        "SRT|T-D1000": CodedConcept("774007", "SCT", "Head and Neck"),
        "SRT|T-D1600": CodedConcept("45048000", "SCT", "Neck"),
        "SRT|T-D3000": CodedConcept("816094009", "SCT", "Chest"),
        "SCT|51185008": CodedConcept("816094009", "SCT", "Chest"),
        "SRT|T-D4000": CodedConcept("818981001", "SCT", "Abdomen"),
        "SCT|113345001": CodedConcept("818981001", "SCT", "Abdomen"),
        "SRT|T-D6000": CodedConcept("816092008", "SCT", "Pelvis"),
        "SCT|12921003": CodedConcept("816092008", "SCT", "Pelvis"),
        "SRT|R-FAB57": CodedConcept("818982008", "SCT", "Abdomen and Pelvis"),
        "SRT|R-FAB56": CodedConcept("416775004", "SCT", "Chest, Abdomen and Pelvis"),
        "SRT|T-D0010": CodedConcept("38266002", "SCT", "Entire body"),
    ]

    /// SCT values that were themselves replaced (older SNOMED CT codes).
    private static let replacedSCTValues: Set<String> = Set(
        replacements.keys.filter { $0.hasPrefix("SCT|") }.map { String($0.dropFirst(4)) }
    )

    /// A cheap pre-check: could this concept be a replaced code? Every SRT
    /// or SNM3 code could; an SCT code only if it is in the table.
    @inline(__always)
    public static func mayBeLegacy(_ concept: CodedConcept) -> Bool {
        switch concept.scheme {
        case "DCM", "UCUM", "LN": false
        case "SRT", "SNM3": true
        case "SCT": replacedSCTValues.contains(concept.value)
        default: false
        }
    }

    /// The current code for a concept, or the concept itself.
    public static func canonical(_ concept: CodedConcept) -> CodedConcept {
        guard mayBeLegacy(concept) else {
            var plain = concept
            plain.version = nil
            return plain
        }
        let key = concept.scheme == "SNM3" ? "SRT|\(concept.value)" : "\(concept.scheme)|\(concept.value)"
        if var current = replacements[key] {
            current.version = nil
            return current
        }
        var plain = concept
        plain.version = nil
        return plain
    }

    /// True if the concept was written with a code DICOM has since replaced.
    public static func isLegacy(_ concept: CodedConcept) -> Bool {
        guard mayBeLegacy(concept) else { return false }
        let key = concept.scheme == "SNM3" ? "SRT|\(concept.value)" : "\(concept.scheme)|\(concept.value)"
        return replacements[key] != nil
    }
}
