public import StructuredReport

/// The codes the CT dose templates (TID 10011–10015, 1002/1004, 1020) use,
/// with their PS3.16 (2026b) meanings. Matching is always by scheme and value
/// (`CodedConcept.matches`), so the meanings here are for display only.
public enum DCM {
    static func code(_ value: String, _ meaning: String) -> CodedConcept { CodedConcept(value, "DCM", meaning) }

    // TID 10011 CT Radiation Dose
    public static let xRayRadiationDoseReport = code("113701", "X-Ray Radiation Dose Report")
    public static let procedureReported = code("121058", "Procedure reported")
    public static let startOfXRayIrradiation = code("113809", "Start of X-Ray Irradiation")
    public static let endOfXRayIrradiation = code("113810", "End of X-Ray Irradiation")
    public static let scopeOfAccumulation = code("113705", "Scope of Accumulation")
    public static let sourceOfDoseInformation = code("113854", "Source of Dose Information")
    public static let comment = code("121106", "Comment")
    public static let projectionXRay = code("113704", "Projection X-Ray")
    // TID 1002 / 1004 observer context
    public static let deviceObserverUID = code("121012", "Device Observer UID")
    public static let deviceObserverName = code("121013", "Device Observer Name")
    public static let deviceObserverManufacturer = code("121014", "Device Observer Manufacturer")
    public static let deviceObserverModelName = code("121015", "Device Observer Model Name")
    public static let deviceObserverSerialNumber = code("121016", "Device Observer Serial Number")
    public static let deviceObserverPhysicalLocation = code("121017", "Device Observer Physical Location During Observation")
    // TID 1007 subject context (rare in CT RDSR, used as a fallback)
    public static let subjectSex = code("121032", "Subject Sex")
    public static let subjectAge = code("121033", "Subject Age")
    public static let subjectBirthDate = code("121031", "Subject Birth Date")
    // TID 10012 CT Accumulated Dose Data
    public static let ctAccumulatedDoseData = code("113811", "CT Accumulated Dose Data")
    public static let totalNumberOfIrradiationEvents = code("113812", "Total Number of Irradiation Events")
    public static let ctDoseLengthProductTotal = code("113813", "CT Dose Length Product Total")
    public static let ctDoseLengthProductSubTotal = code("130745", "CT Dose Length Product Sub-Total")
    public static let ctEffectiveDoseTotal = code("113814", "CT Effective Dose Total")
    // Projection X-ray template markers (TID 10001/10002/10003), for rejection
    public static let accumulatedXRayDoseData = code("113702", "Accumulated X-Ray Dose Data")
    public static let irradiationEventXRayData = code("113706", "Irradiation Event X-Ray Data")
    // TID 10013 CT Irradiation Event Data
    public static let ctAcquisition = code("113819", "CT Acquisition")
    public static let acquisitionProtocol = code("125203", "Acquisition Protocol")
    public static let targetRegion = code("123014", "Target Region")
    public static let ctAcquisitionType = code("113820", "CT Acquisition Type")
    public static let irradiationEventUID = code("113769", "Irradiation Event UID")
    /// Retired in favour of 113769; old reports still use it.
    public static let irradiationEventUIDRetired = code("113853", "Irradiation Event UID")
    public static let irradiationEventLabel = code("113605", "Irradiation Event Label")
    public static let dateTimeStarted = code("111526", "DateTime Started")
    public static let ctAcquisitionParameters = code("113822", "CT Acquisition Parameters")
    public static let exposureTime = code("113824", "Exposure Time")
    public static let nominalSingleCollimationWidth = code("113826", "Nominal Single Collimation Width")
    public static let nominalTotalCollimationWidth = code("113827", "Nominal Total Collimation Width")
    public static let pitchFactor = code("113828", "Pitch Factor")
    public static let numberOfXRaySources = code("113823", "Number of X-Ray Sources")
    public static let ctXRaySourceParameters = code("113831", "CT X-Ray Source Parameters")
    public static let identificationOfTheXRaySource = code("113832", "Identification of the X-Ray Source")
    public static let kvp = code("113733", "KVP")
    public static let maximumXRayTubeCurrent = code("113833", "Maximum X-Ray Tube Current")
    public static let xRayTubeCurrent = code("113734", "X-Ray Tube Current")
    public static let exposureTimePerRotation = code("113834", "Exposure Time per Rotation")
    public static let xRayModulationType = code("113842", "X-Ray Modulation Type")
    // TID 10014 Scanning Length
    public static let scanningLength = code("113825", "Scanning Length")
    public static let lengthOfReconstructableVolume = code("113893", "Length of Reconstructable Volume")
    public static let exposedRange = code("113899", "Exposed Range")
    public static let topZOfReconstructableVolume = code("113895", "Top Z Location of Reconstructable Volume")
    public static let bottomZOfReconstructableVolume = code("113896", "Bottom Z Location of Reconstructable Volume")
    public static let topZOfScanningLength = code("113897", "Top Z Location of Scanning Length")
    public static let bottomZOfScanningLength = code("113898", "Bottom Z Location of Scanning Length")
    public static let frameOfReferenceUID = code("112227", "Frame of Reference UID")
    // CT Dose container
    public static let ctDose = code("113829", "CT Dose")
    public static let meanCTDIvol = code("113830", "Mean CTDIvol")
    public static let ctdiwPhantomType = code("113835", "CTDIw Phantom Type")
    public static let dlp = code("113838", "DLP")
    public static let effectiveDose = code("113839", "Effective Dose")
    public static let sizeSpecificDoseEstimate = code("113930", "Size Specific Dose Estimate")
    public static let measuredLateralDimension = code("113931", "Measured Lateral Dimension")
    public static let measuredAPDimension = code("113932", "Measured AP Dimension")
    public static let derivedEffectiveDiameter = code("113933", "Derived Effective Diameter")
    public static let waterEquivalentDiameter = code("113980", "Water Equivalent Diameter")
    // Phantoms (CID 4052/4053); older reports use the meanings
    // "IEC Head/Body Dosimetry Phantom".
    public static let iec160mmHeadPhantom = code("113690", "IEC 160mm Head CT Dosimetry Phantom")
    public static let iec320mmBodyPhantom = code("113691", "IEC 320mm Body CT Dosimetry Phantom")
    public static let pediatricHead100mmPhantom = code("130541", "100 mm Pediatric Head CT Dosimetry Phantom")
    // CID 10013 CT Acquisition Type (Spiral is SCT, see SCT below)
    public static let sequencedAcquisition = code("113804", "Sequenced Acquisition")
    public static let constantAngleAcquisition = code("113805", "Constant Angle Acquisition")
    public static let stationaryAcquisition = code("113806", "Stationary Acquisition")
    public static let freeAcquisition = code("113807", "Free Acquisition")
    // CID 10023 SSDE methods
    public static let aapm204LateralDimension = code("113934", "AAPM 204 Lateral Dimension")
    public static let aapm204APDimension = code("113935", "AAPM 204 AP Dimension")
    public static let aapm204SumOfLateralAndAPDimension = code("113936", "AAPM 204 Sum of Lateral and AP Dimension")
    public static let aapm204EffectiveDiameterFromAge = code("113937", "AAPM 204 Effective Diameter Estimated From Patient Age")
    public static let estimatedFromWaterEquivalentDiameter = code("113988", "Estimated from Water Equivalent Diameter")
    public static let arithmeticAverageOfSSDEz = code("113989", "Arithmetic Average of SSDE(z)")
    // TID 10015 CT Dose Check Details
    public static let doseCheckAlertDetails = code("113900", "Dose Check Alert Details")
    public static let dlpAlertValueConfigured = code("113901", "DLP Alert Value Configured")
    public static let ctdivolAlertValueConfigured = code("113902", "CTDIvol Alert Value Configured")
    public static let dlpAlertValue = code("113903", "DLP Alert Value")
    public static let ctdivolAlertValue = code("113904", "CTDIvol Alert Value")
    public static let accumulatedDLPForwardEstimate = code("113905", "Accumulated DLP Forward Estimate")
    public static let accumulatedCTDIvolForwardEstimate = code("113906", "Accumulated CTDIvol Forward Estimate")
    public static let reasonForProceeding = code("113907", "Reason for Proceeding")
    public static let doseCheckNotificationDetails = code("113908", "Dose Check Notification Details")
    public static let dlpNotificationValueConfigured = code("113909", "DLP Notification Value Configured")
    public static let ctdivolNotificationValueConfigured = code("113910", "CTDIvol Notification Value Configured")
    public static let dlpNotificationValue = code("113911", "DLP Notification Value")
    public static let ctdivolNotificationValue = code("113912", "CTDIvol Notification Value")
    public static let dlpForwardEstimate = code("113913", "DLP Forward Estimate")
    public static let ctdivolForwardEstimate = code("113914", "CTDIvol Forward Estimate")
    // TID 1020 Person Participant
    public static let personName = code("113870", "Person Name")
    public static let personRoleInProcedure = code("113875", "Person Role in Procedure")
}

/// SNOMED CT codes the dose templates use.
public enum SCT {
    static func code(_ value: String, _ meaning: String) -> CodedConcept { CodedConcept(value, "SCT", meaning) }

    public static let computedTomographyXRay = code("77477000", "Computed Tomography X-Ray")
    public static let hasIntent = code("363703001", "Has Intent")
    public static let procedureContext = code("408730004", "Procedure Context")
    public static let measurementMethod = code("370129005", "Measurement Method")
    public static let spiralAcquisition = code("116152004", "Spiral Acquisition")
    public static let coneBeamAcquisition = code("702569007", "Cone Beam Acquisition")
    public static let yes = code("373066001", "Yes")
    public static let no = code("373067005", "No")
}

/// Well-known SOP Class UIDs (PS3.4 Annex B).
public enum SOPClass {
    public static let xRayRadiationDoseSR = "1.2.840.10008.5.1.4.1.1.88.67"
    public static let enhancedXRayRadiationDoseSR = "1.2.840.10008.5.1.4.1.1.88.76"
    public static let radiopharmaceuticalRadiationDoseSR = "1.2.840.10008.5.1.4.1.1.88.68"
    public static let enhancedSR = "1.2.840.10008.5.1.4.1.1.88.22"
    public static let comprehensiveSR = "1.2.840.10008.5.1.4.1.1.88.33"
    public static let comprehensive3DSR = "1.2.840.10008.5.1.4.1.1.88.34"
    public static let extensibleSR = "1.2.840.10008.5.1.4.1.1.88.35"
    public static let basicTextSR = "1.2.840.10008.5.1.4.1.1.88.11"
    public static let secondaryCaptureImage = "1.2.840.10008.5.1.4.1.1.7"
    public static let ctImage = "1.2.840.10008.5.1.4.1.1.2"
    public static let enhancedCTImage = "1.2.840.10008.5.1.4.1.1.2.1"

    /// Structured report storage classes that can carry TID 10011 content.
    public static let structuredReports: Set<String> = [
        xRayRadiationDoseSR, enhancedXRayRadiationDoseSR, enhancedSR, comprehensiveSR, comprehensive3DSR,
        extensibleSR, basicTextSR, radiopharmaceuticalRadiationDoseSR,
    ]
}
