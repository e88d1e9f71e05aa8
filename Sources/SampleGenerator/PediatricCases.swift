import DICOMEncoding

/// The committed pediatric sample reports (sample-dicom/README.md describes
/// each). All patients, UIDs and doses are synthetic; doses are plausible for
/// the age and protocol but are not reference figures.
enum PediatricCases {
    static let c = RDSRBuilder.c

    static func localizer(_ name: String, _ region: Region, kvp: String = "80", length: String, dose: SampleDose? = nil) -> SampleEvent {
        SampleEvent(
            protocolName: name, region: region, type: .constantAngle, kvp: kvp, mA: "20", maxMA: "20",
            exposureTime: "1.5", scanningLength: length, dose: dose
        )
    }

    static let all: [SampleCase] = [
        SampleCase(
            number: 1, fileName: "01-neonate-chest.dcm",
            summary: "5-day-old neonate, chest spiral on the 32 cm phantom; localizer without a CT Dose container (GE style)",
            patient: SamplePatient(name: "Sample^Neonate", id: "MRN-7701", birthDate: "20261010", sex: "F", age: "005D", sizeMetres: "0.50", weightKg: "3.4"),
            studyDate: "20261015", studyTime: "091500", endTime: "091730", accession: "ACC-PED-0001",
            studyDescription: "CT Chest neonate",
            events: [
                localizer("Scout", .chest, length: "150"),
                SampleEvent(protocolName: "Neonate Chest", region: .chest, type: .spiral, kvp: "80", mA: "20", maxMA: "40",
                            rotationTime: "0.35", exposureTime: "1.8", pitch: "1.375", scanningLength: "120",
                            dose: SampleDose(ctdivol: "0.60", phantom: .body32, dlp: "7.20")),
            ]
        ),
        SampleCase(
            number: 2, fileName: "02-infant-head.dcm",
            summary: "8-month-old infant head, sequenced on the 16 cm phantom; topogram with its own small dose",
            patient: SamplePatient(name: "Sample^Infant", id: "MRN-7702", birthDate: "20260201", sex: "M", age: "008M", weightKg: "8.5"),
            studyDate: "20261016", studyTime: "101000", endTime: "101400", accession: "ACC-PED-0002",
            studyDescription: "CT Head infant",
            events: [
                localizer("Topogram", .head, length: "180", dose: SampleDose(ctdivol: "0.04", phantom: .head16, dlp: "0.72")),
                SampleEvent(protocolName: "Infant Head Seq", region: .head, type: .sequenced, kvp: "100", mA: "120", maxMA: "120",
                            rotationTime: "1.0", exposureTime: "12", scanningLength: "110",
                            dose: SampleDose(ctdivol: "18.50", phantom: .head16, dlp: "203.50")),
            ]
        ),
        SampleCase(
            number: 3, fileName: "03-child-5y-abdomen-32cm.dcm",
            summary: "5-year-old abdomen, spiral on the 32 cm phantom",
            patient: SamplePatient(name: "Sample^Five", id: "MRN-7703", birthDate: "20210601", sex: "F", age: "005Y", sizeMetres: "1.10", weightKg: "18.5"),
            studyDate: "20261019", studyTime: "140000", endTime: "140300", accession: "ACC-PED-0003",
            studyDescription: "CT Abdomen with contrast",
            events: [
                localizer("Scout", .abdomen, kvp: "100", length: "300", dose: SampleDose(ctdivol: "0.08", phantom: .body32, dlp: "2.40")),
                SampleEvent(protocolName: "Child Abdomen 15-25kg", region: .abdomen, type: .spiral, kvp: "100", mA: "110", maxMA: "200",
                            exposureTime: "4.1", pitch: "0.984", scanningLength: "250",
                            dose: SampleDose(ctdivol: "2.90", phantom: .body32, dlp: "72.50"), modulation: "XYZ_EC"),
            ]
        ),
        SampleCase(
            number: 4, fileName: "04-child-10y-chest-16cm.dcm",
            summary: "10-year-old chest reported against the 16 cm phantom (as some scanners do for small bodies)",
            patient: SamplePatient(name: "Sample^Ten", id: "MRN-7704", birthDate: "20160315", sex: "M", age: "010Y", sizeMetres: "1.40", weightKg: "32"),
            studyDate: "20261020", studyTime: "081500", endTime: "081800", accession: "ACC-PED-0004",
            studyDescription: "CT Chest", device: .secondScanner,
            events: [
                localizer("Scanogram", .chest, kvp: "120", length: "350", dose: SampleDose(ctdivol: "0.20", phantom: .head16, dlp: "7.00")),
                SampleEvent(protocolName: "Ped Chest 16cm", region: .chest, type: .spiral, kvp: "100", mA: "80", maxMA: "150",
                            rotationTime: "0.35", exposureTime: "3.0", pitch: "0.813", totalCollimation: "80", scanningLength: "260",
                            dose: SampleDose(ctdivol: "4.20", phantom: .head16, dlp: "109.20")),
            ]
        ),
        SampleCase(
            number: 5, fileName: "05-scanner-ssde-wed.dcm",
            summary: "7-year-old abdomen-pelvis; the scanner reports SSDE from a water-equivalent diameter (168 mm, from the localizer): 3.40 mGy × f32(16.8 cm) = 6.80 mGy (AAPM 220)",
            patient: SamplePatient(name: "Sample^Seven", id: "MRN-7705", birthDate: "20190720", sex: "F", age: "007Y", sizeMetres: "1.22", weightKg: "23"),
            studyDate: "20261021", studyTime: "110000", endTime: "110300", accession: "ACC-PED-0005",
            studyDescription: "CT Abdomen Pelvis",
            events: [
                localizer("Scout", .abdomenAndPelvis, kvp: "100", length: "360"),
                SampleEvent(protocolName: "Child AbdPelvis WED", region: .abdomenAndPelvis, type: .spiral, kvp: "100", mA: "120", maxMA: "220",
                            exposureTime: "5.2", pitch: "0.984", scanningLength: "320",
                            dose: SampleDose(ctdivol: "3.40", phantom: .body32, dlp: "108.80",
                                             ssde: SampleSSDE(value: "6.80", method: c("113988", "DCM", "Estimated from Water Equivalent Diameter"), waterEquivalentDiameterMM: "168"))),
            ]
        ),
        SampleCase(
            number: 6, fileName: "06-localizers-bolus-tracking.dcm",
            summary: "12-year-old chest-abdomen-pelvis: two localizers and a bolus-tracking (stationary) run that count in the DLP total but not in reference comparisons",
            patient: SamplePatient(name: "Sample^Twelve", id: "MRN-7706", birthDate: "20140402", sex: "M", age: "012Y", sizeMetres: "1.52", weightKg: "41"),
            studyDate: "20261022", studyTime: "151000", endTime: "151800", accession: "ACC-PED-0006",
            studyDescription: "CT Chest Abdomen Pelvis with contrast",
            events: [
                localizer("Scout AP", .chestAbdomenAndPelvis, kvp: "120", length: "600", dose: SampleDose(ctdivol: "0.11", phantom: .body32, dlp: "6.60")),
                localizer("Scout LAT", .chestAbdomenAndPelvis, kvp: "120", length: "600", dose: SampleDose(ctdivol: "0.11", phantom: .body32, dlp: "6.60")),
                SampleEvent(protocolName: "Bolus Tracking", region: .chest, type: .stationary, kvp: "100", mA: "40", maxMA: "40",
                            exposureTime: "5.0", singleCollimation: "5", totalCollimation: "5", scanningLength: "5",
                            dose: SampleDose(ctdivol: "9.80", phantom: .body32, dlp: "4.90")),
                SampleEvent(protocolName: "Child CAP Contrast", region: .chestAbdomenAndPelvis, type: .spiral, kvp: "100", mA: "140", maxMA: "250",
                            exposureTime: "7.4", pitch: "1.375", scanningLength: "520",
                            dose: SampleDose(ctdivol: "5.60", phantom: .body32, dlp: "291.20")),
            ]
        ),
        SampleCase(
            number: 7, fileName: "07-dose-check-override.dcm",
            summary: "3-year-old head: a repeat with an adult protocol exceeded the 30 mGy CTDIvol notification value (forward estimate 32 mGy); the operator proceeded with a reason",
            patient: SamplePatient(name: "Sample^Three", id: "MRN-7707", birthDate: "20230901", sex: "F", age: "003Y", weightKg: "14"),
            studyDate: "20261023", studyTime: "020500", endTime: "021500", accession: "ACC-PED-0007",
            studyDescription: "CT Head trauma",
            events: [
                localizer("Topogram", .head, length: "150", dose: SampleDose(ctdivol: "0.06", phantom: .head16, dlp: "0.90")),
                SampleEvent(protocolName: "Child Head 3y", region: .head, type: .spiral, kvp: "100", mA: "150", maxMA: "150",
                            exposureTime: "6.0", pitch: "0.531", scanningLength: "140",
                            dose: SampleDose(ctdivol: "17.25", phantom: .head16, dlp: "241.50"),
                            doseCheck: SampleDoseCheck(ctdivolNotification: "30")),
                SampleEvent(protocolName: "Adult Head REPEAT", region: .head, type: .spiral, kvp: "120", mA: "250", maxMA: "250",
                            exposureTime: "6.0", pitch: "0.531", scanningLength: "140",
                            dose: SampleDose(ctdivol: "32.00", phantom: .head16, dlp: "448.00"),
                            doseCheck: SampleDoseCheck(ctdivolNotification: "30", ctdivolForwardEstimate: "32.00",
                                                       reason: "Repeat for motion artefact; approved by radiologist",
                                                       authorizingPerson: "Okafor^Ada")),
            ]
        ),
        SampleCase(
            number: 8, fileName: "08-no-age-birth-date.dcm",
            summary: "Toddler with no Patient's Age: born 2025-09-10, scanned 2026-11-04, so 13 months from the birth date",
            patient: SamplePatient(name: "Sample^Toddler", id: "MRN-7708", birthDate: "20250910", sex: "M", age: nil, weightKg: "10.2"),
            studyDate: "20261104", studyTime: "093000", endTime: "093200", accession: "ACC-PED-0008",
            studyDescription: "CT Chest",
            events: [
                SampleEvent(protocolName: "Toddler Chest", region: .chest, type: .spiral, kvp: "80", mA: "35", maxMA: "60",
                            exposureTime: "2.0", pitch: "1.375", scanningLength: "160",
                            dose: SampleDose(ctdivol: "1.10", phantom: .body32, dlp: "17.60")),
            ],
            expectedAge: ("013M", "birthDate"),
            expectedNotes: ["patientAgeFromBirthDate"]
        ),
        SampleCase(
            number: 9, fileName: "09-implicit-vr-15y-chest.dcm",
            summary: "15-year-old chest, encoded in Implicit VR Little Endian",
            patient: SamplePatient(name: "Sample^Fifteen", id: "MRN-7709", birthDate: "20110512", sex: "F", age: "015Y", sizeMetres: "1.63", weightKg: "52"),
            studyDate: "20261105", studyTime: "160000", endTime: "160200", accession: "ACC-PED-0009",
            studyDescription: "CT Chest", implicitVR: true,
            events: [
                localizer("Scout", .chest, kvp: "120", length: "400"),
                SampleEvent(protocolName: "Teen Chest", region: .chest, type: .spiral, kvp: "120", mA: "90", maxMA: "300",
                            exposureTime: "3.5", pitch: "1.375", scanningLength: "350",
                            dose: SampleDose(ctdivol: "3.90", phantom: .body32, dlp: "136.50")),
            ]
        ),
        SampleCase(
            number: 10, fileName: "10-measured-dimensions-8y.dcm",
            summary: "8-year-old abdomen; the scanner reports lateral 236 mm and AP 170 mm and an SSDE by AAPM 204 (4.00 mGy × f32(√(23.6×17.0) = 20.0 cm) = 7.10 mGy)",
            patient: SamplePatient(name: "Sample^Eight", id: "MRN-7710", birthDate: "20180203", sex: "M", age: "008Y", sizeMetres: "1.28", weightKg: "26"),
            studyDate: "20261106", studyTime: "123000", endTime: "123300", accession: "ACC-PED-0010",
            studyDescription: "CT Abdomen",
            events: [
                SampleEvent(protocolName: "Child Abdomen 25-35kg", region: .abdomen, type: .spiral, kvp: "100", mA: "130", maxMA: "240",
                            exposureTime: "4.6", pitch: "0.984", scanningLength: "280",
                            dose: SampleDose(ctdivol: "4.00", phantom: .body32, dlp: "112.00",
                                             ssde: SampleSSDE(value: "7.10", method: c("113936", "DCM", "AAPM 204 Sum of Lateral and AP Dimension"),
                                                              lateralMM: "236", apMM: "170"))),
            ]
        ),
        SampleCase(
            number: 11, fileName: "11-vendor-quirks-6y.dcm",
            summary: "6-year-old chest written with deliberate vendor deviations: no template identifier, no Has Intent, DLP unit 'mGycm', empty target region code, legacy SRT codes, retired event UID code 113853, an illegal DS '10.50/ 15.00', UTF-8 text declared ISO_IR 100, age '6Y'",
            patient: SamplePatient(name: "Sample^Six", id: "MRN-7711", birthDate: "20200809", sex: "M", age: "6Y", sizeMetres: "1.15", weightKg: "20"),
            studyDate: "20261107", studyTime: "083000", endTime: "083400", accession: "ACC-PED-0011",
            studyDescription: "CT Thorax Kinder", institution: "Kinderspital Zürich",
            events: [
                SampleEvent(protocolName: "Thorax Kinder", region: .chest, type: .spiral, kvp: "100", mA: "60", maxMA: "120",
                            exposureTime: "10.50/ 15.00", pitch: "1.2", scanningLength: "230",
                            dose: SampleDose(ctdivol: "2.50", phantom: .body32, dlp: "57.50")),
            ],
            expectedAge: ("006Y", "patientAge"),
            quirks: [.noTemplateIdentifier, .noHasIntent, .nonStandardDLPUnit, .emptyTargetRegion, .legacyCodes, .retiredEventUIDCode],
            expectedNotes: [
                "missingTemplateIdentifier", "legacyCode", "missingHasIntent", "characterSetMismatch", "nonConformingPatientAge",
                "retiredIrradiationEventUIDCode", "emptyTargetRegion", "illegalDecimalString", "nonStandardUnit",
            ]
        ),
    ]
}
