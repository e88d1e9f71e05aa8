/// A child's CT study for the image-size tests: a dose report with no size
/// (as every real vendor report we hold) and the axial series of a phantom
/// in the same Frame of Reference, so the size can only come from the images.
public struct SyntheticSizedStudy: Sendable {
    public var root: String
    /// Slices from `firstZ` in steps of `stepMM`.
    public var sliceCount: Int
    public var firstZ: Double = -100
    public var stepMM: Double = 5
    public var phantom: CTPhantom
    /// Put the event's Irradiation Event UID on the slices.
    public var slicesCarryEventUID: Bool = true
    public var ctdivol = "6.0"
    public var dlp = "120.0"
    public var accessionNumber = "ACC-SIZE-1"
    /// The event's Target Region (SNOMED CT) and its protocol name.
    public var region = Region.abdomen

    public struct Region: Sendable {
        public var code: String
        public var meaning: String
        public var protocolName: String

        public static let abdomen = Region(code: "818981001", meaning: "Abdomen", protocolName: "Ped Abdomen")
        public static let chest = Region(code: "816094009", meaning: "Chest", protocolName: "Ped Chest")
    }

    public init(root: String, sliceCount: Int, phantom: CTPhantom) {
        self.root = root
        self.sliceCount = sliceCount
        self.phantom = phantom
    }

    /// The tests' case: a 5-year-old's chest at CTDIvol 2.5 mGy (32 cm)
    /// over a water cylinder of `diameterCm`, slices 5 mm apart from z = −20.
    /// Sized from age (18.5 cm, estimate) its SSDE is above Strauss 2017's
    /// 15–19 cm range; sized from 24 cm images it is within the 20–24 cm range.
    public static func childChest(root: String, slices: Int, diameterCm: Double) -> SyntheticSizedStudy {
        var study = SyntheticSizedStudy(root: root, sliceCount: slices, phantom: SyntheticCT.waterCylinder(diameterCm: diameterCm))
        study.region = .chest
        study.ctdivol = "2.5"
        study.dlp = "50.0"
        study.firstZ = -20
        return study
    }

    /// `SyntheticReports.report` writes `root.1` as the Study Instance UID.
    public var studyUID: String { "\(root).1" }
    public var seriesUID: String { "\(root).2" }
    public var frameOfReferenceUID: String { "\(root).5" }
    public var eventUID: String { "\(root).4.1" }
    public var lastZ: Double { firstZ + Double(sliceCount - 1) * stepMM }

    static func c(_ v: String, _ s: String, _ m: String) -> Concept { Concept(v, s, m) }

    /// The dose report: a 5-year-old's spiral (abdomen unless `region` says otherwise) on the 32 cm phantom, with
    /// TID 10014's scan range and Frame of Reference, and no patient size.
    public func report() -> [UInt8] {
        let c = Self.c
        let event = SRItem.container("CONTAINS", c("113819", "DCM", "CT Acquisition"), [
            .text("CONTAINS", c("125203", "DCM", "Acquisition Protocol"), region.protocolName),
            .code("CONTAINS", c("123014", "DCM", "Target Region"), c(region.code, "SCT", region.meaning)),
            .code("CONTAINS", c("113820", "DCM", "CT Acquisition Type"), c("116152004", "SCT", "Spiral Acquisition")),
            .uidref("CONTAINS", c("113769", "DCM", "Irradiation Event UID"), eventUID),
            .container("CONTAINS", c("113822", "DCM", "CT Acquisition Parameters"), [
                .num("CONTAINS", c("113824", "DCM", "Exposure Time"), "4", UCUM.unit("s", "s")),
                .num("CONTAINS", c("113825", "DCM", "Scanning Length"), String(lastZ - firstZ), UCUM.unit("mm", "mm")),
                .num("CONTAINS", c("113897", "DCM", "Top Z Location of Scanning Length"), String(lastZ), UCUM.unit("mm", "mm")),
                .num("CONTAINS", c("113898", "DCM", "Bottom Z Location of Scanning Length"), String(firstZ), UCUM.unit("mm", "mm")),
                .uidref("CONTAINS", c("112227", "DCM", "Frame of Reference UID"), frameOfReferenceUID),
            ]),
            .container("CONTAINS", c("113829", "DCM", "CT Dose"), [
                .num("CONTAINS", c("113830", "DCM", "Mean CTDIvol"), ctdivol, UCUM.mGy),
                .code("CONTAINS", c("113835", "DCM", "CTDIw Phantom Type"), c("113691", "DCM", "IEC 320mm Body CT Dosimetry Phantom")),
                .num("CONTAINS", c("113838", "DCM", "DLP"), dlp, UCUM.mGycm),
            ]),
        ])
        return SyntheticReports.report(events: [event], totalDLP: dlp, root: root, patientAge: "005Y",
                                       studyDate: "20261201", accessionNumber: accessionNumber, manufacturer: "DoseAudit")
    }

    /// Slice `index` of the axial series.
    public func slice(_ index: Int) -> [UInt8] {
        phantom.file(studyUID: studyUID, seriesUID: seriesUID, instanceUID: "\(root).6.\(index + 1)",
                     frameOfReferenceUID: frameOfReferenceUID, zMM: firstZ + Double(index) * stepMM,
                     instanceNumber: index + 1, accessionNumber: accessionNumber,
                     irradiationEventUID: slicesCarryEventUID ? eventUID : nil)
    }
}
