import CTDoseReport
import DICOMEncoding
import Glibc

// make-pediatric-samples [OUTPUT_DIR]
// Writes the pediatric sample reports, the not-dose samples and
// expected.json (the values each case was built with) into OUTPUT_DIR
// (default: sample-dicom). Deterministic: the same bytes on every run.
//
// make-pediatric-samples --sized-study DIR [SLICES [UID-ROOT]]
// Writes a 5-year-old's abdomen dose report with no patient size and the
// axial series of a 16 cm water phantom in its Frame of Reference (default
// 40 slices, 5 mm apart): the study `doseaudit check --images` and `size`
// are shown on. Images are 512 x 512, so they are made, not committed.
// Another UID root (default 2.25.6160) makes another study.
//
// make-pediatric-samples --stress DIR
// Writes the stress inputs the benchmark times (10,000 events; content
// nested 1,000 deep); they are too large to commit.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--stress", arguments.count == 2 {
    let directory = arguments[1]
    mkdir(directory, 0o755)
    let events = (1...10_000).map { SyntheticReports.event($0, ctdivol: "1.5", dlp: "10.0") }
    write(SyntheticReports.report(events: events, totalDLP: "100000.0"), to: directory + "/stress-10000-events.dcm")
    write(SyntheticReports.report(events: [SyntheticReports.event(1)], nestingDepth: 1000, totalDLP: "100.0"),
          to: directory + "/stress-depth-1000.dcm")
    print("wrote stress-10000-events.dcm and stress-depth-1000.dcm to \(directory)")
    exit(0)
}
// make-pediatric-samples --history DIR
// Writes the synthetic patient histories (`SyntheticHistory`): a child with 7
// CT studies over 3 years, a child with one, a study without a Patient ID.
if arguments.first == "--history", arguments.count == 2 {
    let directory = arguments[1]
    mkdir(directory, 0o755)
    let reports = SyntheticHistory.childReports() + SyntheticHistory.otherReports()
    for report in reports { write(report.bytes, to: directory + "/" + report.name) }
    print("wrote \(reports.count) reports of 3 patients to \(directory)")
    exit(0)
}
if arguments.first == "--sized-study", (2 ... 4).contains(arguments.count) {
    let directory = arguments[1]
    let slices = arguments.count >= 3 ? Int(arguments[2]) ?? 40 : 40
    let root = arguments.count == 4 ? arguments[3] : "2.25.6160"
    mkdir(directory, 0o755)
    mkdir(directory + "/images", 0o755)
    let study = SyntheticSizedStudy(root: root, sliceCount: slices, phantom: SyntheticCT.waterCylinder(diameterCm: 16))
    write(study.report(), to: directory + "/report.dcm")
    for index in 0..<slices { write(study.slice(index), to: "\(directory)/images/slice-\(index + 1).dcm") }
    print("wrote report.dcm and \(slices) slices of a 16 cm water phantom to \(directory)")
    exit(0)
}
// make-pediatric-samples --many-patients N DIR
// N reports of N/5 children (five CT studies each, dated over five years),
// for the patient-history benchmark.
if arguments.first == "--many-patients", arguments.count == 3, let count = Int(arguments[1]) {
    let directory = arguments[2]
    mkdir(directory, 0o755)
    let patients = max(count / 5, 1)
    for n in 0..<count {
        let root = "2.25.5160\(n)"
        let visit = n / patients
        let date = "\(2021 + visit)0\(1 + n % 9)1\(n % 10)"
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "4.5", dlp: "120.0", root: root)], totalDLP: "120.0", root: root, patientAge: "00\(4 + visit)Y",
            studyDate: date, accessionNumber: "B-\(n)", patientID: "BENCH-\(n % patients)", issuerOfPatientID: "BENCH"
        )
        write(bytes, to: "\(directory)/report-\(n).dcm")
    }
    print("wrote \(count) reports of \(patients) patients to \(directory)")
    exit(0)
}
// make-pediatric-samples --clinic N DIR [EVENTS]
// N reports of a made-up pediatric clinic (SyntheticClinic: 4 scanners,
// 6 protocols, 2 years), EVENTS events each, for the dashboard's benchmark.
if arguments.first == "--clinic", (3...4).contains(arguments.count), let count = Int(arguments[1]) {
    let directory = arguments[2]
    let events = arguments.count == 4 ? Int(arguments[3]) ?? 4 : 4
    mkdir(directory, 0o755)
    for n in 0..<count {
        if n % 1000 == 0 { mkdir("\(directory)/\(n / 1000)", 0o755) }
        write(SyntheticClinic.report(n, events: events), to: "\(directory)/\(n / 1000)/report-\(n).dcm")
    }
    print("wrote \(count) clinic reports of \(events) events to \(directory)")
    exit(0)
}
if arguments.first == "--many", arguments.count == 3, let count = Int(arguments[1]) {
    // N distinct pediatric chest reports (each above the US DRL, so each alerts),
    // for ingest benchmarks and load tests.
    let directory = arguments[2]
    mkdir(directory, 0o755)
    for n in 0..<count {
        let root = "2.25.5150\(n)"
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "9.5", dlp: "250.0", root: root), SyntheticReports.event(2, ctdivol: "0.2", dlp: "5.0", root: root)],
            totalDLP: "255.0", root: root, patientAge: "006Y"
        )
        write(bytes, to: "\(directory)/report-\(n).dcm")
    }
    print("wrote \(count) reports to \(directory)")
    exit(0)
}
let output = arguments.first ?? "sample-dicom"
mkdir(output, 0o755)
mkdir(output + "/not-dose", 0o755)

func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else {
        print("make-pediatric-samples: cannot write \(path)")
        exit(1)
    }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

func number(_ text: String?) -> JSONValue {
    guard let text, let value = Double(text) else { return .null }
    return .number(value)
}

var cases: [JSONValue] = []
for sample in PediatricCases.all {
    let builder = RDSRBuilder(sample: sample)
    write(builder.file(), to: "\(output)/\(sample.fileName)")
    let p = sample.patient
    let age = sample.expectedAge ?? (p.age.map { ($0, "patientAge") } ?? ("", "none"))
    let events: [JSONValue] = sample.events.enumerated().map { index, event in
        let ssde = event.dose?.ssde
        let check: JSONValue = event.doseCheck.map { check in
            .object([
                ("ctdivolNotificationValue", number(check.ctdivolNotification)),
                ("ctdivolForwardEstimate", number(check.ctdivolForwardEstimate)),
                ("notificationExceeded", .bool(check.ctdivolForwardEstimate != nil)),
                ("reasonForProceeding", check.reason.map(JSONValue.string) ?? .null),
                ("authorizingPerson", check.authorizingPerson.map { name in
                    let parts = name.split(separator: "^")
                    return .string(parts.count > 1 ? "\(parts[1]) \(parts[0])" : name)
                } ?? .null),
            ])
        } ?? .null
        return .object([
            ("irradiationEventUID", .string(builder.eventUID(index))),
            ("protocol", .string(event.protocolName)),
            ("targetRegion", sample.quirks.contains(.emptyTargetRegion) ? .null : .string(event.region.rawValue)),
            ("acquisitionType", .string(event.type.rawValue)),
            ("ctdivol", number(event.dose?.ctdivol)),
            ("phantom", event.dose.map { .string($0.phantom.rawValue) } ?? .null),
            ("dlp", number(event.dose?.dlp)),
            ("reportedSSDE", number(ssde?.value)),
            ("reportedSSDEMethodCode", ssde.map { .string($0.method.value) } ?? .null),
            ("waterEquivalentDiameterMM", number(ssde?.waterEquivalentDiameterMM)),
            ("lateralDimensionMM", number(ssde?.lateralMM)),
            ("apDimensionMM", number(ssde?.apMM)),
            ("kvp", number(event.kvp)),
            ("doseCheck", check),
        ])
    }
    cases.append(.object([
        ("file", .string(sample.fileName)),
        ("summary", .string(sample.summary)),
        ("isCTDoseReport", .bool(true)),
        ("sopInstanceUID", .string(builder.sopInstanceUID)),
        ("studyInstanceUID", .string(builder.studyInstanceUID)),
        ("accessionNumber", .string(sample.accession)),
        ("transferSyntaxUID", .string(sample.implicitVR ? TransferSyntax.implicitVRLittleEndian.rawValue : TransferSyntax.explicitVRLittleEndian.rawValue)),
        ("manufacturer", .string(sample.device.manufacturer)),
        ("modelName", .string(sample.device.model)),
        ("institutionName", .string(sample.institution)),
        ("patient", .object([
            ("sex", .string(p.sex)),
            ("age", age.0.isEmpty ? .null : .string(age.0)),
            ("ageSource", .string(age.1)),
            ("sizeM", number(p.sizeMetres)),
            ("weightKg", number(p.weightKg)),
        ])),
        ("totalDLP", number(sample.totalDLPText)),
        ("events", .array(events)),
        ("noteKinds", .array(sample.expectedNotes.map(JSONValue.string))),
    ]))
}
for sample in NotDoseSamples.all {
    write(sample.bytes, to: "\(output)/\(sample.fileName)")
    cases.append(.object([
        ("file", .string(sample.fileName)),
        ("summary", .string(sample.summary)),
        ("isCTDoseReport", .bool(false)),
        ("rejection", .string(sample.rejection)),
    ]))
}
write(Array((JSONValue.array(cases).serialized() + "\n").utf8), to: "\(output)/expected.json")
print("wrote \(PediatricCases.all.count) pediatric reports, \(NotDoseSamples.all.count) not-dose objects and expected.json to \(output)")
