/// Children's CT histories for the patient-history tests and the README:
/// `child` has 7 CT studies over 3 years (head, chest, abdomen, on both
/// phantoms; the sixth sent as a Siemens-style cumulative pair), `onlyOnce`
/// one CT, and `noID` a study without a Patient ID (linked to nothing).
public enum SyntheticHistory {
    public struct Exam: Sendable {
        public var root: String
        public var date: String
        public var age: String
        public var accession: String
        public var region: (code: String, meaning: String)
        public var headPhantom: Bool
        /// DLP per event, mGy·cm.
        public var dlp: [Double]
    }

    static let head = (code: "69536005", meaning: "Head")
    static let chest = (code: "816094009", meaning: "Chest")
    static let abdomen = (code: "818981001", meaning: "Abdomen")

    public static let childID = "HIST-CHILD-1"
    public static let issuer = "DOSEAUDIT-HOSPITAL"

    /// The child's exams, in date order.
    public static let child: [Exam] = [
        Exam(root: "2.25.9101", date: "20240110", age: "004Y", accession: "H-1", region: head, headPhantom: true, dlp: [300]),
        Exam(root: "2.25.9102", date: "20240302", age: "004Y", accession: "H-2", region: chest, headPhantom: false, dlp: [100]),
        Exam(root: "2.25.9103", date: "20240620", age: "004Y", accession: "H-3", region: abdomen, headPhantom: false, dlp: [200]),
        Exam(root: "2.25.9104", date: "20250214", age: "005Y", accession: "H-4", region: head, headPhantom: true, dlp: [350]),
        // A body DLP on the 16 cm phantom: left out of the effective dose.
        Exam(root: "2.25.9105", date: "20250901", age: "005Y", accession: "H-5", region: chest, headPhantom: true, dlp: [150]),
        Exam(root: "2.25.9106", date: "20260405", age: "006Y", accession: "H-6", region: abdomen, headPhantom: false, dlp: [250, 50]),
        Exam(root: "2.25.9107", date: "20261120", age: "006Y", accession: "H-7", region: head, headPhantom: true, dlp: [400]),
    ]

    static func report(_ exam: Exam, events: Int, patientID: String?, issuer: String?, instance: String? = nil) -> [UInt8] {
        let items = exam.dlp.prefix(events).enumerated().map { index, dlp in
            SyntheticReports.event(index + 1, ctdivol: "5.0", dlp: String(dlp), root: exam.root, region: exam.region, headPhantom: exam.headPhantom)
        }
        return SyntheticReports.report(
            events: items, totalDLP: String(exam.dlp.prefix(events).reduce(0, +)), root: exam.root, patientAge: exam.age, studyDate: exam.date,
            accessionNumber: exam.accession, manufacturer: "DoseAudit History", patientID: patientID, issuerOfPatientID: issuer, instance: instance
        )
    }

    /// Every report of the child in date order: the sixth study as two
    /// cumulative reports (its first event, then both).
    public static func childReports() -> [(name: String, bytes: [UInt8])] {
        child.flatMap { exam -> [(name: String, bytes: [UInt8])] in
            if exam.dlp.count > 1 {
                return [
                    ("\(exam.accession)-a.dcm", report(exam, events: 1, patientID: childID, issuer: issuer, instance: "\(exam.root).3.1")),
                    ("\(exam.accession)-b.dcm", report(exam, events: exam.dlp.count, patientID: childID, issuer: issuer, instance: "\(exam.root).3.2")),
                ]
            }
            return [("\(exam.accession).dcm", report(exam, events: 1, patientID: childID, issuer: issuer))]
        }
    }

    /// A child with one CT.
    public static let onlyOnce = Exam(root: "2.25.9201", date: "20260301", age: "008Y", accession: "H-ONCE", region: chest, headPhantom: false, dlp: [120])
    /// A study without a Patient ID.
    public static let noID = Exam(root: "2.25.9301", date: "20260302", age: "003Y", accession: "H-NOID", region: head, headPhantom: true, dlp: [280])

    public static func otherReports() -> [(name: String, bytes: [UInt8])] {
        [("H-ONCE.dcm", report(onlyOnce, events: 1, patientID: "HIST-CHILD-2", issuer: issuer)),
         ("H-NOID.dcm", report(noID, events: 1, patientID: nil, issuer: nil))]
    }
}
