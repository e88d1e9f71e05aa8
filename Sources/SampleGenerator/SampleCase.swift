import DICOMEncoding

/// One synthetic pediatric dose report: what the scanner did, written so the
/// numbers are self-consistent (DLP = CTDIvol × scanned length; a reported
/// SSDE = CTDIvol × the AAPM 204/220 factor for the size it reports).
struct SampleCase {
    var number: Int
    var fileName: String
    var summary: String
    var patient: SamplePatient
    var studyDate: String
    var studyTime: String
    var endTime: String
    var accession: String
    var studyDescription: String
    var institution = "DoseAudit Children's Hospital"
    var characterSet = "ISO_IR 100"
    var device: SampleDevice = .pediatricScanner
    var implicitVR = false
    var events: [SampleEvent]
    /// Expected age as the reader should report it, when it differs from the AS attribute.
    var expectedAge: (text: String, source: String)?
    var quirks: Set<Quirk> = []
    /// Parse notes the reader must attach (kinds), for the committed expectations.
    var expectedNotes: [String] = []

    /// The sum of event DLPs, as the scanner writes the total.
    var totalDLPText: String {
        let total = events.compactMap { $0.dose.flatMap { Double($0.dlp) } }.reduce(0, +)
        return decimal(total, 2)
    }

    /// DLP sub-totals, written when events used more than one phantom.
    var dlpSubTotals: [(Phantom, String)] {
        let phantoms = Array(Set(events.compactMap(\.dose?.phantom))).sorted { $0.rawValue < $1.rawValue }
        guard phantoms.count > 1 else { return [] }
        return phantoms.map { phantom in
            let sum = events.compactMap { $0.dose?.phantom == phantom ? Double($0.dose!.dlp) : nil }.reduce(0, +)
            return (phantom, decimal(sum, 2))
        }
    }
}

/// Deliberate vendor-like deviations (see sample-dicom/README.md).
enum Quirk: Hashable {
    case noTemplateIdentifier, noHasIntent, nonStandardDLPUnit, emptyTargetRegion, legacyCodes, retiredEventUIDCode
}

struct SamplePatient {
    var name: String
    var id: String
    var birthDate: String
    var sex: String
    var age: String?
    var sizeMetres: String?
    var weightKg: String?
}

struct SampleDevice {
    var manufacturer: String
    var model: String
    var serial: String
    var software: String
    var station: String
    var observerUID: String

    static let pediatricScanner = SampleDevice(
        manufacturer: "DoseAudit Sample", model: "Pediatric CT 64", serial: "PED64-0001", software: "VA10",
        station: "CT-PEDS-1", observerUID: "\(RDSRBuilder.uidRoot).900.1"
    )
    static let secondScanner = SampleDevice(
        manufacturer: "DoseAudit Sample", model: "Wide Detector CT 320", serial: "WD320-0042", software: "V10.2",
        station: "CT-ED-2", observerUID: "\(RDSRBuilder.uidRoot).900.2"
    )
}

enum Phantom: String, Hashable {
    case head16 = "16", body32 = "32"
    var concept: Concept {
        switch self {
        case .head16: Concept("113690", "DCM", "IEC 160mm Head CT Dosimetry Phantom")
        case .body32: Concept("113691", "DCM", "IEC 320mm Body CT Dosimetry Phantom")
        }
    }
}

enum AcquisitionType: String {
    case spiral, sequenced, constantAngle, stationary

    func concept(legacy: Bool) -> Concept {
        switch self {
        case .spiral: legacy ? Concept("P5-08001", "SRT", "Spiral Acquisition") : Concept("116152004", "SCT", "Spiral Acquisition")
        case .sequenced: Concept("113804", "DCM", "Sequenced Acquisition")
        case .constantAngle: Concept("113805", "DCM", "Constant Angle Acquisition")
        case .stationary: Concept("113806", "DCM", "Stationary Acquisition")
        }
    }

    var codeValue: String { concept(legacy: false).value }
}

enum Region: String {
    case head, chest, abdomen, abdomenAndPelvis, chestAbdomenAndPelvis

    func concept(legacy: Bool) -> Concept {
        switch self {
        case .head: legacy ? Concept("T-D1100", "SRT", "Head") : Concept("69536005", "SCT", "Head")
        case .chest: legacy ? Concept("T-D3000", "SRT", "Chest") : Concept("816094009", "SCT", "Chest")
        case .abdomen: legacy ? Concept("T-D4000", "SRT", "Abdomen") : Concept("818981001", "SCT", "Abdomen")
        case .abdomenAndPelvis: Concept("818982008", "SCT", "Abdomen and Pelvis")
        case .chestAbdomenAndPelvis: Concept("416775004", "SCT", "Chest, Abdomen and Pelvis")
        }
    }
}

struct SampleEvent {
    var protocolName: String
    var region: Region
    var type: AcquisitionType
    var kvp: String
    var mA: String
    var maxMA: String
    var rotationTime: String = "0.5"
    var exposureTime: String
    var pitch: String?
    var singleCollimation: String = "0.625"
    var totalCollimation: String = "40"
    var scanningLength: String
    var dose: SampleDose?
    var procedureContext: Concept?
    var doseCheck: SampleDoseCheck?
    var modulation: String?
}

struct SampleDose {
    var ctdivol: String
    var phantom: Phantom
    var dlp: String
    var ssde: SampleSSDE?
}

/// A scanner-reported SSDE with the size it used.
struct SampleSSDE {
    var value: String
    var method: Concept
    var waterEquivalentDiameterMM: String?
    var lateralMM: String?
    var apMM: String?

    var item: SRItem {
        let c = RDSRBuilder.c
        var children: [SRItem] = [.code("HAS CONCEPT MOD", c("370129005", "SCT", "Measurement Method"), method)]
        if let lateralMM {
            children.append(.num("INFERRED FROM", c("113931", "DCM", "Measured Lateral Dimension"), lateralMM, UCUM.mm))
        }
        if let apMM { children.append(.num("INFERRED FROM", c("113932", "DCM", "Measured AP Dimension"), apMM, UCUM.mm)) }
        if let waterEquivalentDiameterMM {
            children.append(.num("INFERRED FROM", c("113980", "DCM", "Water Equivalent Diameter"), waterEquivalentDiameterMM, UCUM.mm, [
                .code("HAS CONCEPT MOD", c("370129005", "SCT", "Measurement Method"), c("113984", "DCM", "Water Equivalent Diameter From Localizer")),
            ]))
        }
        return .num("CONTAINS", c("113930", "DCM", "Size Specific Dose Estimate"), value, UCUM.mGy, children)
    }
}

/// TID 10015: what was configured and, when exceeded, who proceeded and why.
struct SampleDoseCheck {
    var ctdivolAlert: String = "1000"
    var dlpAlert: String? = nil
    var ctdivolNotification: String?
    var dlpNotification: String?
    var ctdivolForwardEstimate: String?
    var reason: String?
    var authorizingPerson: String?

    func items() -> [SRItem] {
        let c = RDSRBuilder.c
        var alert: [SRItem] = [
            .code("CONTAINS", c("113901", "DCM", "DLP Alert Value Configured"), dlpAlert == nil ? RDSRBuilder.no : RDSRBuilder.yes),
            .code("CONTAINS", c("113902", "DCM", "CTDIvol Alert Value Configured"), RDSRBuilder.yes),
        ]
        if let dlpAlert { alert.append(.num("CONTAINS", c("113903", "DCM", "DLP Alert Value"), dlpAlert, UCUM.mGycm)) }
        alert.append(.num("CONTAINS", c("113904", "DCM", "CTDIvol Alert Value"), ctdivolAlert, UCUM.mGy))
        var notification: [SRItem] = [
            .code("CONTAINS", c("113909", "DCM", "DLP Notification Value Configured"), dlpNotification == nil ? RDSRBuilder.no : RDSRBuilder.yes),
            .code("CONTAINS", c("113910", "DCM", "CTDIvol Notification Value Configured"), ctdivolNotification == nil ? RDSRBuilder.no : RDSRBuilder.yes),
        ]
        if let dlpNotification { notification.append(.num("CONTAINS", c("113911", "DCM", "DLP Notification Value"), dlpNotification, UCUM.mGycm)) }
        if let ctdivolNotification { notification.append(.num("CONTAINS", c("113912", "DCM", "CTDIvol Notification Value"), ctdivolNotification, UCUM.mGy)) }
        if let ctdivolForwardEstimate {
            notification.append(.num("CONTAINS", c("113914", "DCM", "CTDIvol Forward Estimate"), ctdivolForwardEstimate, UCUM.mGy))
        }
        if let reason { notification.append(.text("CONTAINS", c("113907", "DCM", "Reason for Proceeding"), reason)) }
        if let authorizingPerson {
            notification.append(.pname("CONTAINS", c("113870", "DCM", "Person Name"), authorizingPerson, [
                .code("HAS PROPERTIES", c("113875", "DCM", "Person Role in Procedure"), c("113850", "DCM", "Irradiation Authorizing")),
            ]))
        }
        return [
            .container("CONTAINS", c("113900", "DCM", "Dose Check Alert Details"), alert),
            .container("CONTAINS", c("113908", "DCM", "Dose Check Notification Details"), notification),
        ]
    }
}

/// Fixed-point decimal text.
func decimal(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    let fraction = String(scaled % Int(scale))
    return digits == 0 ? String(whole) : "\(whole).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
}
