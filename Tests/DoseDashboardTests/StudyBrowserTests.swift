import DICOMEncoding
import DoseConfiguration
import DoseDashboard
import DoseEvaluation
import DoseIngest
import DoseStore
import DoseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The study browser against a fixed store: the committed pediatric samples
/// and 48 synthetic studies over 3 scanners, 4 protocols, 2 regions, ages
/// 0.5 to 17 and 12 study dates. Each filter is checked against an oracle
/// written here from the stored studies, not from the store's own query.
@Suite("study browser, in process")
struct StudyBrowserTests {
    static let scanners = ["Acme", "Borealis", "Cygnus"]
    static let protocols: [(name: String, region: (code: String, meaning: String), head: Bool)] = [
        ("Ped Head", ("69536005", "Head"), true), ("Ped Chest", ("816094009", "Chest"), false),
        ("Ped Chest Lowdose", ("816094009", "Chest"), false), ("Brain Trauma", ("69536005", "Head"), true),
    ]

    static func synthetic() -> [[UInt8]] {
        (0..<48).map { index in
            let p = protocols[index % protocols.count]
            let root = "2.25.4242.\(index)"
            let ctdivol = p.head ? 20 + Double(index % 7) * 6 : 2 + Double(index % 5) * 2.5
            let age = [0.5, 3, 7, 12, 17][index % 5]
            let ageText = age < 1 ? "006M" : String(format: "%03dY", Int(age))
            return SyntheticReports.report(
                events: [SyntheticReports.event(1, ctdivol: String(ctdivol), dlp: String(ctdivol * 12), root: root, protocolName: p.name, region: p.region, headPhantom: p.head)],
                root: root, patientAge: ageText, studyDate: String(format: "202610%02d", 1 + index % 12),
                accessionNumber: index % 2 == 0 ? "acc-\(index)" : "ACC-\(index)", manufacturer: scanners[index % scanners.count],
                patientID: "P\(index % 20)", issuerOfPatientID: "HOSP"
            )
        }
    }

    static let site: DashboardRoutesTests.Site = { try! DashboardRoutesTests.Site(extra: synthetic()) }()

    /// Every study as the oracle sees it.
    static func all() throws -> [StudyListRow] {
        try site.store.studyList(StudyFilter(), pageSize: 1000).rows
    }

    static func oracle(_ rows: [StudyListRow], _ f: StudyFilter) throws -> Set<String> {
        Set(try rows.filter { s in
            if let from = f.from, (s.studyDate ?? "") < from || s.studyDate == nil { return false }
            if let to = f.to, (s.studyDate ?? "99999999") > to { return false }
            if let scanner = f.scanner, s.scanner != scanner { return false }
            if let name = f.protocolName, !s.protocols.contains(name) { return false }
            if let region = f.region, !s.regions.contains(region) { return false }
            if let low = f.ageFrom, (s.ageYears ?? -1) < low { return false }
            if let high = f.ageBelow, s.ageYears == nil || s.ageYears! >= high { return false }
            if let source = f.sizeSource, (s.sizeSource ?? "none") != source { return false }
            if let worst = f.worstLevel, s.worstLevel != worst { return false }
            if f.aboveDRL {
                let findings = try #require(try site.store.studyDetail(s.studyKey)).findings
                if !findings.contains(where: { $0.level == "aboveDRL" || $0.level == "aboveAlert" }) { return false }
            }
            if f.doseCheckOverride {
                let findings = try #require(try site.store.studyDetail(s.studyKey)).findings
                if !findings.contains(where: { $0.level == "doseCheckOverride" }) { return false }
            }
            if let q = f.search?.lowercased(), !(s.accessionNumber?.lowercased().hasPrefix(q) ?? false) && !(s.patientPseudonym?.lowercased().hasPrefix(q) ?? false) {
                return false
            }
            return true
        }.map(\.studyKey))
    }

    @Test func theFixedStoreHoldsWhatWasSent() throws {
        let rows = try Self.all()
        #expect(rows.count == 59)
        #expect(Set(rows.map(\.scanner)).isSuperset(of: Self.scanners))
        #expect(rows.filter { $0.scanner == "Acme" }.count == 16)
        #expect(rows.filter { $0.protocols == ["Ped Head"] }.count == 12)
    }

    /// Single filters and every pair of them: the store's page holds exactly the oracle's studies.
    @Test func everyFilterAndEveryPairReturnsExactlyTheStudiesThatMatch() throws {
        let rows = try Self.all()
        let single: [(String, StudyFilter)] = [
            ("from", StudyFilter(from: "20261005")), ("to", StudyFilter(to: "20261003")), ("scanner", StudyFilter(scanner: "Borealis")),
            ("protocol", StudyFilter(protocolName: "Ped Chest")), ("region", StudyFilter(region: "head")),
            ("age", StudyFilter(ageFrom: 1, ageBelow: 5)), ("size source", StudyFilter(sizeSource: "age")), ("no size", StudyFilter(sizeSource: "none")),
            ("worst", StudyFilter(worstLevel: "aboveDRL")), ("above", StudyFilter(aboveDRL: true)), ("override", StudyFilter(doseCheckOverride: true)),
            ("search upper", StudyFilter(search: "ACC-1")), ("search lower", StudyFilter(search: "acc-2")),
        ]
        var nonEmptyPairs = 0
        for (name, filter) in single {
            let expected = try Self.oracle(rows, filter)
            let page = try Self.site.store.studyList(filter, pageSize: 1000)
            #expect(Set(page.rows.map(\.studyKey)) == expected, "\(name)")
            #expect(page.total == expected.count, "\(name)")
            #expect(!expected.isEmpty, "\(name) matches something in the fixed store")
        }
        for (i, a) in single.enumerated() {
            for b in single[(i + 1)...] {
                let combined = Self.merge(a.1, b.1)
                let expected = try Self.oracle(rows, combined)
                let page = try Self.site.store.studyList(combined, pageSize: 1000)
                #expect(Set(page.rows.map(\.studyKey)) == expected, "\(a.0) + \(b.0)")
                #expect(page.total == expected.count, "\(a.0) + \(b.0)")
                if !expected.isEmpty { nonEmptyPairs += 1 }
            }
        }
        #expect(nonEmptyPairs > 40)
        // The search is case-insensitive both ways: ACC-1 finds acc-10 and ACC-11.
        let search = try Self.site.store.studyList(StudyFilter(search: "ACC-1"), pageSize: 1000).rows.compactMap(\.accessionNumber)
        #expect(search.contains("acc-10") && search.contains("ACC-11"))
    }

    static func merge(_ a: StudyFilter, _ b: StudyFilter) -> StudyFilter {
        var m = a
        m.from = m.from ?? b.from
        m.to = m.to ?? b.to
        m.scanner = m.scanner ?? b.scanner
        m.protocolName = m.protocolName ?? b.protocolName
        m.region = m.region ?? b.region
        m.ageFrom = m.ageFrom ?? b.ageFrom
        m.ageBelow = m.ageBelow ?? b.ageBelow
        m.sizeSource = m.sizeSource ?? b.sizeSource
        m.worstLevel = m.worstLevel ?? b.worstLevel
        m.aboveDRL = m.aboveDRL || b.aboveDRL
        m.doseCheckOverride = m.doseCheckOverride || b.doseCheckOverride
        m.search = m.search ?? b.search
        return m
    }

    @Test func sortingOrdersByTheColumnAndPagesJoinUpWithoutGapsOrRepeats() throws {
        let rows = try Self.all()
        let newest = rows.compactMap(\.studyDate)
        #expect(newest == newest.sorted(by: >), "newest first by default")
        let byDLP = try Self.site.store.studyList(StudyFilter(), sort: StudySort(column: .totalDLP, descending: false), pageSize: 1000).rows.map(\.totalDLP)
        #expect(byDLP == byDLP.sorted())
        let byAge = try Self.site.store.studyList(StudyFilter(), sort: StudySort(column: .age, descending: true), pageSize: 1000).rows
        let ages = byAge.compactMap(\.ageYears)
        #expect(ages == ages.sorted(by: >))
        #expect(byAge.suffix(byAge.count - ages.count).allSatisfy { $0.ageYears == nil }, "no age sorts last")
        // Pages of 25: 25, 25, 9, then an empty page past the end with the same total.
        var joined: [String] = []
        for number in 1...4 {
            let page = try Self.site.store.studyList(StudyFilter(), sort: StudySort(column: .ratio), page: number, pageSize: 25)
            #expect(page.total == 59)
            #expect(page.pageCount == 3)
            #expect(page.rows.count == [25, 25, 9, 0][number - 1])
            joined += page.rows.map(\.studyKey)
        }
        let whole = try Self.site.store.studyList(StudyFilter(), sort: StudySort(column: .ratio), pageSize: 1000).rows.map(\.studyKey)
        #expect(joined == whole)
        #expect(Set(joined).count == 59)
    }

    @Test func theURLHoldsTheFilterAndTheCSVHasTheViewsRows() async throws {
        try await Self.site.application().test(.router) { client in
            let uri = "/studies?scanner=Acme&region=head&sort=dlp&dir=asc&n=25"
            var keys: [String] = []
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                let expected = try Self.site.store.studyList(StudyFilter(scanner: "Acme", region: "head"), sort: StudySort(column: .totalDLP, descending: false), pageSize: 25)
                #expect(page.contains("Studies 1–\(expected.total) of <strong>\(expected.total)</strong>, by total DLP, lowest first."))
                #expect(page.contains("<option value=\"Acme\" selected=\"selected\">Acme</option>"))
                #expect(page.contains("<option value=\"head\" selected=\"selected\">head</option>"))
                #expect(page.contains("href=\"/studies.csv?scanner=Acme&amp;region=head&amp;sort=dlp&amp;dir=asc\""))
                keys = expected.rows.map(\.studyKey)
                // Rows link to their studies in the same order.
                let linked = page.components(separatedBy: "<a href=\"/studies/").dropFirst().map { String($0.prefix { $0 != "\"" }) }
                var seen: [String] = []
                for key in linked where seen.last != key { seen.append(key) }
                #expect(seen == keys)
                #expect(!page.contains("<script"))
            }
            #expect(keys.count == 8)
            try await client.execute(uri: "/studies.csv?scanner=Acme&region=head&sort=dlp&dir=asc", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = String(buffer: response.body).components(separatedBy: "\r\n").filter { !$0.isEmpty }
                #expect(lines.first?.hasPrefix("study_date,study_time,received,accession_number") == true)
                #expect(lines.dropFirst().map { String($0.split(separator: ",").last ?? "") } == keys)
                let dlp = lines.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[15]) ?? -1 }
                #expect(dlp == dlp.sorted())
            }
            try await client.execute(uri: "/studies?q=NO-SUCH-ACCESSION", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("No study matches these filters."))
                #expect(!page.contains("<table id=\"studies\""))
            }
            try await client.execute(uri: "/studies?q=acc-3", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(">ACC-3<") && page.contains(">ACC-31<") && page.contains(">acc-30<"))
            }
            for bad in ["/studies?from=2026-13-01", "/studies?age=baby", "/studies?page=0", "/studies?colour=red", "/studies.csv?worst=terrible"] {
                try await client.execute(uri: bad, method: .get) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
            try await client.execute(uri: "/studies?from=2026-13-01", method: .get) { response in
                #expect(String(buffer: response.body).contains("from: \\\"2026-13-01\\\" is not a date (YYYY-MM-DD)") || String(buffer: response.body).contains("from: \"2026-13-01\" is not a date"))
            }
            // Pagination links keep the filter.
            try await client.execute(uri: "/studies?region=chest&n=25", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("href=\"/studies?region=chest&amp;page=2&amp;n=25\" rel=\"next\""))
            }
        }
    }

    @Test func aScannerPageComparesTheMedianWithTheDRLPerPhantom() async throws {
        try await Self.site.application().test(.router) { client in
            try await client.execute(uri: "/scanner?scanner=Acme", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("<table id=\"bands\""))
                #expect(page.contains("CTDIvol by band, 16 cm phantom") && page.contains("CTDIvol by band, 32 cm phantom"))
                #expect(page.contains("16 studies"))
                #expect(page.contains("href=\"/studies?scanner=Acme&amp;from=2026-"), "a link into the study browser")
                #expect(page.contains("<ol class=\"references\""))
                #expect(response.body.readableBytes < 300_000)
            }
            try await client.execute(uri: "/scanners", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<a href=\"/scanner?scanner=Borealis\">Borealis</a>"))
            }
            try await client.execute(uri: "/scanner?scanner=Acme&protocol=Ped%20Head", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Acme: Ped Head"))
            }
            try await client.execute(uri: "/scanner?scanner=Nobody", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
