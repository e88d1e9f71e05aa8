import DICOMEncoding

/// Objects that are not CT dose reports, for the rejection tests: each must
/// be refused with the named reason.
enum NotDoseSamples {
    static let c = RDSRBuilder.c
    static let root = RDSRBuilder.uidRoot

    struct Sample {
        var fileName: String
        var summary: String
        var rejection: String
        var bytes: [UInt8]
    }

    static var all: [Sample] {
        [
            Sample(fileName: "not-dose/projection-xray-dose-report.dcm",
                   summary: "An X-Ray Radiation Dose SR for fluoroscopy (TID 10001), not CT",
                   rejection: "projectionXRayDoseReport", bytes: projectionDoseReport()),
            Sample(fileName: "not-dose/non-dose-comprehensive-sr.dcm",
                   summary: "A Comprehensive SR radiology report (document title 18748-4), not a dose report",
                   rejection: "notADoseReport", bytes: nonDoseSR()),
            Sample(fileName: "not-dose/ct-image.dcm",
                   summary: "An 8×8 CT image", rejection: "image", bytes: ctImage()),
        ]
    }

    static func common(_ number: Int, sopClass: String, modality: String) -> [DataElement] {
        [
            DataElement(0x0008, 0x0016, "UI", sopClass),
            DataElement(0x0008, 0x0018, "UI", "\(root).\(number).3"),
            DataElement(0x0008, 0x0020, "DA", "20261110"),
            DataElement(0x0008, 0x0030, "TM", "100000"),
            DataElement(0x0008, 0x0050, "SH", "ACC-ND-\(number)"),
            DataElement(0x0008, 0x0060, "CS", modality),
            DataElement(0x0008, 0x0070, "LO", "DoseAudit Sample"),
            DataElement(0x0008, 0x0090, "PN", ""),
            DataElement(0x0010, 0x0010, "PN", "Sample^NotDose"),
            DataElement(0x0010, 0x0020, "LO", "MRN-ND-\(number)"),
            DataElement(0x0010, 0x0030, "DA", "20200101"),
            DataElement(0x0010, 0x0040, "CS", "O"),
            DataElement(0x0020, 0x000D, "UI", "\(root).\(number).1"),
            DataElement(0x0020, 0x000E, "UI", "\(root).\(number).2"),
            DataElement(0x0020, 0x0010, "SH", "ND\(number)"),
            DataElement(0x0020, 0x0011, "IS", "1"),
            DataElement(0x0020, 0x0013, "IS", "1"),
        ]
    }

    static func srDocument(_ title: Concept, template: String?, content: [SRItem]) -> [DataElement] {
        var elements: [DataElement] = [
            DataElement(0x0008, 0x0023, "DA", "20261110"),
            DataElement(0x0008, 0x0033, "TM", "100500"),
            DataElement(0x0008, 0x1111, items: []),
            DataElement(0x0040, 0xA040, "CS", "CONTAINER"),
            DataElement(0x0040, 0xA043, items: [title.item]),
            DataElement(0x0040, 0xA050, "CS", "SEPARATE"),
            DataElement(0x0040, 0xA372, items: []),
            DataElement(0x0040, 0xA491, "CS", "COMPLETE"),
            DataElement(0x0040, 0xA493, "CS", "UNVERIFIED"),
            DataElement(0x0040, 0xA730, items: content.map(\.encoded)),
        ]
        if let template {
            elements.append(DataElement(0x0040, 0xA504, items: [[
                DataElement(0x0008, 0x0105, "CS", "DCMR"), DataElement(0x0040, 0xDB00, "CS", template),
            ]]))
        }
        return elements
    }

    static func projectionDoseReport() -> [UInt8] {
        let sopClass = "1.2.840.10008.5.1.4.1.1.88.67"
        let content: [SRItem] = [
            .code("HAS CONCEPT MOD", c("121058", "DCM", "Procedure reported"), c("113704", "DCM", "Projection X-Ray")),
            .code("HAS OBS CONTEXT", c("121005", "DCM", "Observer Type"), c("121007", "DCM", "Device")),
            .uidref("HAS OBS CONTEXT", c("121012", "DCM", "Device Observer UID"), "\(root).900.3"),
            .container("CONTAINS", c("113702", "DCM", "Accumulated X-Ray Dose Data"), [
                .num("CONTAINS", c("113722", "DCM", "Dose Area Product Total"), "0.00012", UCUM.unit("Gy.m2", "Gy.m2")),
            ]),
        ]
        let dataset = common(51, sopClass: sopClass, modality: "SR")
            + srDocument(c("113701", "DCM", "X-Ray Radiation Dose Report"), template: "10001", content: content)
        return DICOMEncoder.file(dataset: dataset, sopClassUID: sopClass, sopInstanceUID: "\(root).51.3", transferSyntax: .explicitVRLittleEndian)
    }

    static func nonDoseSR() -> [UInt8] {
        let sopClass = "1.2.840.10008.5.1.4.1.1.88.33"
        let content: [SRItem] = [
            .text("CONTAINS", c("121071", "DCM", "Finding"), "No acute intracranial abnormality."),
        ]
        let dataset = common(52, sopClass: sopClass, modality: "SR")
            + srDocument(c("18748-4", "LN", "Diagnostic Imaging Report"), template: nil, content: content)
        return DICOMEncoder.file(dataset: dataset, sopClassUID: sopClass, sopInstanceUID: "\(root).52.3", transferSyntax: .explicitVRLittleEndian)
    }

    static func ctImage() -> [UInt8] {
        let sopClass = "1.2.840.10008.5.1.4.1.1.2"
        var pixels: [UInt8] = []
        for i in 0..<64 { pixels += [UInt8(i * 4), 0] }
        let dataset = common(53, sopClass: sopClass, modality: "CT") + [
            DataElement(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY\\AXIAL"),
            DataElement(0x0028, 0x0002, "US", bytes: [1, 0]),
            DataElement(0x0028, 0x0004, "CS", "MONOCHROME2"),
            DataElement(0x0028, 0x0010, "US", bytes: [8, 0]),
            DataElement(0x0028, 0x0011, "US", bytes: [8, 0]),
            DataElement(0x0028, 0x0100, "US", bytes: [16, 0]),
            DataElement(0x0028, 0x0101, "US", bytes: [12, 0]),
            DataElement(0x0028, 0x0102, "US", bytes: [11, 0]),
            DataElement(0x0028, 0x0103, "US", bytes: [0, 0]),
            DataElement(0x7FE0, 0x0010, "OW", bytes: pixels),
        ]
        return DICOMEncoder.file(dataset: dataset, sopClassUID: sopClass, sopInstanceUID: "\(root).53.3", transferSyntax: .explicitVRLittleEndian)
    }
}
