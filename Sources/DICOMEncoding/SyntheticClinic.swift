/// A pediatric CT clinic's dose reports, made up but shaped like one: four
/// scanners (one reports body CTDIvol on the 16 cm phantom for small
/// children, as some vendors do), head, chest and abdomen protocols,
/// children of every age, a localizer before each scan, doses spread around
/// typical values with a tail above the DRLs, and study dates over the two
/// years to November 2026. Deterministic: report `n` is always the same.
/// For the dashboard's browser tests and its benchmark.
public enum SyntheticClinic {
    public static let scanners = ["Acme Pedi64", "Borealis CT 128", "Cygnus Revolution", "Delta Aurora"]
    static let protocols: [(name: String, code: String, meaning: String, head: Bool, ctdivol: Double)] = [
        ("Ped Head Routine", "69536005", "Head", true, 19), ("Ped Head Trauma", "69536005", "Head", true, 23),
        ("Ped Chest", "816094009", "Chest", false, 1.9), ("Ped Chest HRCT", "816094009", "Chest", false, 2.6),
        ("Ped Abdomen Pelvis", "818982008", "Abdomen and Pelvis", false, 4.0), ("Ped Abdomen", "818981001", "Abdomen", false, 3.6),
    ]

    public static func report(_ n: Int, events: Int = 4) -> [UInt8] {
        var random = SeededRandom(seed: UInt64(n) &* 2_654_435_761 &+ 17)
        let scanner = scanners[Int(random.next() % UInt64(scanners.count))]
        let p = protocols[Int(random.next() % UInt64(protocols.count))]
        let ageMonths = Int(random.next() % 216)
        let age = Double(ageMonths) / 12
        // Dose grows with size (age); a tenth of exams run hot.
        let spread = 0.75 + Double(random.next() % 500) / 1000
        let hot = random.next() % 10 == 0 ? 1.9 : 1
        let value = p.ctdivol * (0.55 + age / 18 * 0.9) * spread * hot
        // One of the 24 months to November 2026, days 1–27 (every month has them).
        let month = 2026 * 12 + 10 - Int(random.next() % 24)
        let studyDate = String(month / 12) + String(month % 12 + 101).suffix(2) + String(Int(random.next() % 27) + 101).suffix(2)
        let root = "2.25.7070\(n)"
        let smallOnSixteen = !p.head && scanner == "Cygnus Revolution" && age < 6
        var items = [SyntheticReports.event(0, ctdivol: "0.12", dlp: "3.1", root: root, protocolName: "Topogram", region: (p.code, p.meaning), headPhantom: p.head || smallOnSixteen,
                                            acquisitionType: ("113805", "Constant Angle Acquisition"))]
        for index in 1..<max(events, 2) {
            let v = value * (index == 1 ? 1 : 0.9)
            // The scan range split over the acquisitions: the exam's DLP is about one range's.
            let length = (p.head ? 15.0 : 14 + age * 0.8) / Double(max(events, 2) - 1)
            items.append(SyntheticReports.event(index, ctdivol: fixed(smallOnSixteen ? v * 2 : v), dlp: fixed(v * length * (smallOnSixteen ? 2 : 1)), root: root,
                                                protocolName: p.name, region: (p.code, p.meaning), headPhantom: p.head || smallOnSixteen))
        }
        let ageText = ageMonths < 24 ? String(ageMonths + 1000).suffix(3) + "M" : String(ageMonths / 12 + 1000).suffix(3) + "Y"
        return SyntheticReports.report(
            events: items, root: root, patientAge: String(ageText), studyDate: studyDate, accessionNumber: "CL\(n + 100000)", manufacturer: scanner,
            patientID: "CLINIC-\(n / 3)", issuerOfPatientID: "CLINIC", instance: "\(root).3"
        )
    }

    static func fixed(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100 + 100).suffix(2))"
    }
}
