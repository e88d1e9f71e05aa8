import DICOMEncoding
import DoseConfiguration
import DoseEvaluation
import DoseIngest
@testable import DoseReports
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// A scanner page reads the exams the store keeps as each study is judged
/// (`study_exams`), not the events. Checked here against the events
/// themselves: the same exams, bands, medians, shares above a level and
/// protocol rows as grouping the period's events the weekly report's way,
/// on 300 synthetic clinic studies, the committed samples and one study
/// whose second report adds a region at a dose above its DRL.
@Suite("scanner pages from stored exams")
struct ScannerSummaryTests {
    struct Site {
        let store: SQLiteDoseStore
        let set: ReferenceSet

        init() throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-scanner-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
            let sets = try ConfigurationLoader.referenceSets(configuration)
            set = sets[0]
            store = try SQLiteDoseStore(path: directory + "/store.sqlite")
            let pipeline = IngestPipeline(
                store: store, judge: try Judge(configuration: configuration, sets: sets, alertLevel: .aboveDRL, keyPath: directory + "/pseudonym.key")
            )
            var reports = (0..<300).map { SyntheticClinic.report($0) } + SampleCase.doseReports.map { Fixtures.bytes(Fixtures.sampleFile($0.file)) }
            // One study, two reports: a chest scan, then the same chest
            // scan and a head scan far above any head DRL.
            let root = "2.25.5151"
            let chest = SyntheticReports.event(1, ctdivol: "2.0", dlp: "40", root: root, protocolName: "Ped Chest", region: ("816094009", "Chest"))
            let head = SyntheticReports.event(2, ctdivol: "95", dlp: "1500", root: root, protocolName: "Ped Head Routine", region: ("69536005", "Head"), headPhantom: true)
            for (events, instance) in [([chest], "\(root).3"), ([chest, head], "\(root).4")] {
                reports.append(SyntheticReports.report(
                    events: events, root: root, patientAge: "006Y", studyDate: "20261110", accessionNumber: "ACC-MERGED", manufacturer: "Acme Pedi64",
                    patientID: "MERGED", issuerOfPatientID: "HOSP", instance: instance
                ))
            }
            for (index, bytes) in reports.enumerated() {
                _ = try pipeline.ingest(Arrival(source: "test", origin: "\(index).dcm", bytes: bytes, receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index))))
            }
        }
    }

    static let site: Site = { try! Site() }()
    static let from = "20250101", to = "20261231"

    /// What a page shows, worked out from the period's events as the weekly report groups them.
    struct FromEvents {
        var studies: Int
        var comparedEvents: Int
        var bands: [WeeklyReport.BandRow]
        var above: [String: Int]
        var protocols: [String: (exams: Int, above: Int)]
    }

    static func fromEvents(scanner: String, protocolName: String?) throws -> FromEvents {
        let data = try site.store.reportData(from: from, to: to, receivedFrom: .distantPast, receivedTo: .distantFuture)
        let events = data.events.filter { $0.scanner == scanner && (protocolName == nil || $0.protocolName == protocolName) }
        let exams = WeeklyReport.exams(events, bandsOf: site.set)
        var regionOfEvent: [String: String] = [:]
        for e in events { regionOfEvent[e.studyKey + "|" + e.irradiationEventUID] = e.region }
        var aboveExams = Set<String>()
        for f in data.findings where f.level == "aboveDRL" || f.level == "aboveAlert" {
            let region = f.irradiationEventUID.flatMap { regionOfEvent[f.studyKey + "|" + $0] } ?? (f.scope.hasPrefix("exam ") ? String(f.scope.dropFirst(5)) : nil)
            if let region { aboveExams.insert(f.studyKey + "|" + region) }
        }
        var above: [String: Int] = [:]
        for exam in exams where aboveExams.contains(exam.studyKey + "|" + exam.region) { above["\(exam.region)|\(exam.band)|\(exam.phantom)", default: 0] += 1 }
        var protocols: [String: (exams: Int, above: Int)] = [:]
        for exam in exams {
            let names = Set(events.filter { $0.inComparison && $0.studyKey == exam.studyKey && $0.region == exam.region }.compactMap(\.protocolName))
            for name in names {
                protocols[name, default: (0, 0)].exams += 1
                if aboveExams.contains(exam.studyKey + "|" + exam.region) { protocols[name]?.above += 1 }
            }
        }
        return FromEvents(
            studies: Set(events.map(\.studyKey)).count, comparedEvents: events.filter(\.inComparison).count,
            bands: WeeklyReport.bandTable(exams, referenceSet: site.set, minimumExams: 10, allScanners: false), above: above, protocols: protocols
        )
    }

    static func summary(scanner: String, protocolName: String?) throws -> ScannerSummary {
        let weeks = [try #require(ReportPeriod.week("2026-W46"))]
        let data = try site.store.scannerExams(scanner: scanner, protocolName: protocolName, from: from, to: to)
        return ScannerSummary.build(scanner: scanner, protocolName: protocolName, weeks: weeks, data: data, referenceSet: site.set)
    }

    static func check(_ summary: ScannerSummary, against expected: FromEvents) {
        #expect(summary.events == expected.comparedEvents)
        #expect(summary.bands.count == expected.bands.count)
        for band in summary.bands {
            let row = expected.bands.first { $0.region == band.region && $0.band == band.band && $0.phantom == band.phantom }
            #expect(row == band.medians, "\(band.region) \(band.band) \(band.phantom)")
            #expect(band.examsAbove == expected.above["\(band.region)|\(band.band)|\(band.phantom)", default: 0], "\(band.region) \(band.band)")
        }
        #expect(summary.examCount == expected.bands.reduce(0) { $0 + $1.exams })
    }

    @Test func everyScannerPageEqualsItsEventsGroupedIntoExams() throws {
        let scanners = try Self.site.store.scannerStudyCounts().map(\.name)
        #expect(scanners.count >= 4)
        var checkedAbove = 0
        for scanner in scanners {
            let summary = try Self.summary(scanner: scanner, protocolName: nil)
            let expected = try Self.fromEvents(scanner: scanner, protocolName: nil)
            Self.check(summary, against: expected)
            // Every study of the scanner has an event: the page's count is the study list's.
            #expect(summary.studies == expected.studies, "\(scanner)")
            for row in summary.protocols where row.name != "(no protocol name)" {
                #expect(row.exams == expected.protocols[row.name]?.exams, "\(scanner) \(row.name)")
                #expect(row.examsAbove == expected.protocols[row.name]?.above, "\(scanner) \(row.name)")
            }
            checkedAbove += summary.bands.reduce(0) { $0 + $1.examsAbove }
        }
        #expect(checkedAbove > 10, "the synthetic clinic's hot tenth is above a level")
    }

    @Test func aProtocolPageHoldsThatProtocolsEventsOnly() throws {
        let summary = try Self.summary(scanner: "Acme Pedi64", protocolName: "Ped Head Routine")
        let expected = try Self.fromEvents(scanner: "Acme Pedi64", protocolName: "Ped Head Routine")
        Self.check(summary, against: expected)
        #expect(summary.examCount > 5)
        #expect(summary.bands.allSatisfy { $0.region == "head" })
    }

    @Test func aStudysLaterReportReplacesItsExams() throws {
        let key = try #require(try Self.site.store.studyList(StudyFilter(search: "ACC-MERGED")).rows.first).studyKey
        let exams = try Self.site.store.scannerExams(scanner: "Acme Pedi64", protocolName: nil, from: "20261110", to: "20261110").exams.filter { $0.studyKey == key }
        #expect(exams.map(\.region).sorted() == ["chest", "head"])
        let chest = try #require(exams.first { $0.region == "chest" }), head = try #require(exams.first { $0.region == "head" })
        #expect(chest.ctdivol == 2.0 && chest.dlp == 40 && chest.phantom == "32" && chest.eventCount == 1 && !chest.aboveDRL)
        #expect(head.ctdivol == 95 && head.dlp == 1500 && head.phantom == "16" && head.protocols == ["Ped Head Routine"] && head.aboveDRL)
        #expect(head.ageYears == 6)
        let byProtocol = try Self.site.store.scannerExams(scanner: "Acme Pedi64", protocolName: "Ped Chest", from: "20261110", to: "20261110").exams
        #expect(byProtocol.filter { $0.studyKey == key }.map(\.region) == ["chest"])
        // Its protocol rows of the list were replaced too: listed under both, once each.
        for name in ["Ped Chest", "Ped Head Routine"] {
            #expect(try Self.site.store.studyList(StudyFilter(protocolName: name, search: "ACC-MERGED")).rows.map(\.studyKey) == [key], "\(name)")
        }
    }
}
