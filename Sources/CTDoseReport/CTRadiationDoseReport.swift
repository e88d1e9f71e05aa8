public import StructuredReport

/// A CT Radiation Dose report (TID 10011) with the data of TID 10012–10015,
/// typed, unit-checked and normalised; see `CTRadiationDoseReport.init(decoding:)`.
public struct CTRadiationDoseReport: Sendable, Hashable, Codable {
    public var sopClassUID: String
    public var sopInstanceUID: String
    /// (0040,DB00) of the root, "10011" for a conforming report.
    public var templateIdentifier: String?
    public var transferSyntaxUID: String?
    public var study: StudyInfo
    public var device: DeviceInfo
    public var patient: PatientInfo
    /// 113809 / 113810, DICOM DT as written.
    public var irradiationStart: String?
    public var irradiationEnd: String?
    /// 113705 Scope of Accumulation and the UID it names.
    public var scope: AccumulationScope?
    /// TID 10012.
    public var accumulated: CTAccumulatedDose
    /// TID 10013, every CT Acquisition in document order.
    public var events: [CTIrradiationEvent]
    /// 113854, CID 10021.
    public var sourcesOfDoseInformation: [CodedConcept]
    /// 121106 at document level.
    public var comment: String?
    /// Every tolerated deviation, in the order found.
    public var notes: [ParseNote]

    /// Sum of the events' DLP (mGy·cm), localizers and monitoring runs included.
    public var eventDLPSum: Double { events.compactMap(\.dose?.dlp?.value).reduce(0, +) }
}

public struct StudyInfo: Sendable, Hashable, Codable {
    public var studyInstanceUID: String?
    public var accessionNumber: String?
    /// DICOM DA / TM as written.
    public var studyDate: String?
    public var studyTime: String?
    public var studyDescription: String?
    public var institutionName: String?
    public var stationName: String?
}

/// The irradiating device (TID 1004 Device Observer, falling back to the
/// General Equipment module). Manufacturer, model and serial are kept beside
/// the observer UID because the UID can change with a software upgrade.
public struct DeviceInfo: Sendable, Hashable, Codable {
    public var observerUID: String?
    public var observerName: String?
    public var manufacturer: String?
    public var modelName: String?
    public var serialNumber: String?
    public var physicalLocation: String?
    public var softwareVersions: String?
}

/// Patient attributes from the Patient and Patient Study modules. The patient
/// ID is carried for pseudonymisation only and is never printed by default.
public struct PatientInfo: Sendable, Hashable, Codable {
    public var patientID: String?
    /// (0010,0021), which with the ID names the patient (the same ID from two issuers is two patients).
    public var issuerOfPatientID: String? = nil
    /// (0010,0040): "M", "F", "O" or nil.
    public var sex: String?
    public var birthDate: String?
    public var age: PatientAge?
    /// (0010,1020) in metres.
    public var sizeMetres: Double?
    /// (0010,1030) in kilograms.
    public var weightKg: Double?
}

public struct AccumulationScope: Sendable, Hashable, Codable {
    public var scope: CodedConcept?
    public var uid: String?
}

/// TID 10012 CT Accumulated Dose Data.
public struct CTAccumulatedDose: Sendable, Hashable, Codable {
    /// 113812 as declared by the scanner (compare with `events.count`).
    public var declaredEventCount: Int?
    /// 113813, mGy·cm.
    public var dlpTotal: Quantity?
    /// 130745, one per phantom when events use different phantoms.
    public var dlpSubTotals: [DLPSubTotal]
    /// 113814, mSv.
    public var effectiveDoseTotal: Quantity?
}

public struct DLPSubTotal: Sendable, Hashable, Codable {
    public var dlp: Quantity
    public var phantom: CTDosimetryPhantom?
}

/// TID 10013 CT Irradiation Event Data: one CT Acquisition.
public struct CTIrradiationEvent: Sendable, Hashable, Codable {
    /// 113769; nil only when the scanner omitted it (a parse note says so).
    public var irradiationEventUID: String?
    public var acquisitionProtocol: String?
    /// 123014, nil when absent or empty.
    public var targetRegion: TargetRegion?
    public var targetRegionCode: CodedConcept?
    public var acquisitionType: CTAcquisitionType?
    public var acquisitionTypeCode: CodedConcept?
    /// (408730004, SCT) Procedure Context, e.g. with/without contrast.
    public var procedureContext: CodedConcept?
    public var label: String?
    public var startedAt: String?
    public var parameters: CTAcquisitionParameters
    /// 113829; absent for Constant Angle (localizer) acquisitions.
    public var dose: CTDose?
    /// TID 10015.
    public var doseCheck: CTDoseCheckDetails?
    /// 113842, or parsed from a Siemens comment "X-ray Modulation Type = ...".
    public var modulationType: String?
    public var comment: String?

    /// Bolus tracking / contrast monitoring: a stationary acquisition (the
    /// table does not move), kept in DLP totals, left out of DRL comparisons.
    public var isStationaryMonitoring: Bool { acquisitionType == .stationary }
}

/// TID 10013 CT Acquisition Parameters, with TID 10014 Scanning Length.
public struct CTAcquisitionParameters: Sendable, Hashable, Codable {
    public var exposureTime: Quantity?
    public var scanningLength: Quantity?
    public var lengthOfReconstructableVolume: Quantity?
    public var exposedRange: Quantity?
    public var nominalSingleCollimationWidth: Quantity?
    public var nominalTotalCollimationWidth: Quantity?
    public var pitchFactor: Quantity?
    public var numberOfXRaySources: Int?
    public var sources: [CTXRaySourceParameters]
    /// TID 10014's z range (113895–113898), in the Frame of Reference
    /// `frameOfReferenceUID` (112227): how image slices are linked to this event.
    public var topZOfReconstructableVolume: Quantity? = nil
    public var bottomZOfReconstructableVolume: Quantity? = nil
    public var topZOfScanningLength: Quantity? = nil
    public var bottomZOfScanningLength: Quantity? = nil
    public var frameOfReferenceUID: String? = nil

    /// The z range scanned (scanning length, else the reconstructable volume), mm.
    public var scannedZRange: ClosedRange<Double>? {
        for (top, bottom) in [(topZOfScanningLength, bottomZOfScanningLength), (topZOfReconstructableVolume, bottomZOfReconstructableVolume)] {
            if let a = top?.value, let b = bottom?.value, a.isFinite, b.isFinite { return min(a, b) ... max(a, b) }
        }
        return nil
    }
}

/// 113831 CT X-Ray Source Parameters (one per tube).
public struct CTXRaySourceParameters: Sendable, Hashable, Codable {
    public var identification: String?
    public var kvp: Quantity?
    public var maximumTubeCurrent: Quantity?
    public var tubeCurrent: Quantity?
    public var exposureTimePerRotation: Quantity?
}

/// 113829 CT Dose. CTDIvol and DLP are only meaningful with their phantom.
public struct CTDose: Sendable, Hashable, Codable {
    /// 113830, mGy.
    public var meanCTDIvol: Quantity?
    /// 113835; nil when the scanner left it out (a parse note says so).
    public var phantom: CTDosimetryPhantom?
    /// 113838, mGy·cm.
    public var dlp: Quantity?
    /// 113839, mSv.
    public var effectiveDose: Quantity?
    /// 113930 (1-n), as the scanner computed them.
    public var sizeSpecificDoseEstimates: [ReportedSSDE]
    /// The patient size the scanner measured for this event, wherever in
    /// the CT Dose container it was written.
    public var reportedSize: ReportedPatientSize?
}

/// 113930 Size Specific Dose Estimate as the scanner computed it.
public struct ReportedSSDE: Sendable, Hashable, Codable {
    /// mGy.
    public var value: Quantity
    public var method: SSDEMethod?
    public var methodCode: CodedConcept?
}

/// Patient dimensions a scanner reports with SSDE (TID 10013, 113930 ff.).
public struct ReportedPatientSize: Sendable, Hashable, Codable {
    /// 113931 / 113932 / 113933, mm.
    public var lateralDimension: Quantity?
    public var apDimension: Quantity?
    public var effectiveDiameter: Quantity?
    /// 113980, mm, with its CID 10024 method.
    public var waterEquivalentDiameter: Quantity?
    public var waterEquivalentDiameterMethod: CodedConcept?
}

/// TID 10015 CT Dose Check Details.
public struct CTDoseCheckDetails: Sendable, Hashable, Codable {
    public var alert: DoseCheckAlert?
    public var notification: DoseCheckNotification?
}

/// 113900 Dose Check Alert Details (IEC 60601-2-44 / NEMA XR 25 alert values).
public struct DoseCheckAlert: Sendable, Hashable, Codable {
    public var dlpAlertValueConfigured: Bool?
    public var ctdivolAlertValueConfigured: Bool?
    public var dlpAlertValue: Quantity?
    public var ctdivolAlertValue: Quantity?
    public var accumulatedDLPForwardEstimate: Quantity?
    public var accumulatedCTDIvolForwardEstimate: Quantity?
    public var reasonForProceeding: String?
    /// TID 1020 person who authorised proceeding (staff, not the patient).
    public var authorizingPerson: String?

    /// The forward estimate reached the configured alert value, so the
    /// operator had to confirm to proceed.
    public var wasExceeded: Bool {
        exceeded(accumulatedDLPForwardEstimate, dlpAlertValue) || exceeded(accumulatedCTDIvolForwardEstimate, ctdivolAlertValue)
    }
}

/// 113908 Dose Check Notification Details (NEMA XR 25 notification values).
public struct DoseCheckNotification: Sendable, Hashable, Codable {
    public var dlpNotificationValueConfigured: Bool?
    public var ctdivolNotificationValueConfigured: Bool?
    public var dlpNotificationValue: Quantity?
    public var ctdivolNotificationValue: Quantity?
    public var dlpForwardEstimate: Quantity?
    public var ctdivolForwardEstimate: Quantity?
    public var reasonForProceeding: String?
    public var authorizingPerson: String?

    public var wasExceeded: Bool {
        exceeded(dlpForwardEstimate, dlpNotificationValue) || exceeded(ctdivolForwardEstimate, ctdivolNotificationValue)
    }
}

private func exceeded(_ estimate: Quantity?, _ limit: Quantity?) -> Bool {
    guard let estimate, let limit else { return false }
    return estimate.value >= limit.value
}
