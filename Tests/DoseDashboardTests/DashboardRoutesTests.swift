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

/// The dashboard's routes, driven in process through Hummingbird's router
/// test client against a real SQLite store filled by the real ingest path.
@Suite("dashboard routes, in process")
struct DashboardRoutesTests {
    /// A store holding the committed pediatric samples, judged with the shipped configuration.
    struct Site {
        let store: SQLiteDoseStore
        let directory: String

        init(extra: [[UInt8]] = []) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("doseaudit-dashboard-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory + "/reports", withIntermediateDirectories: true)
            store = try SQLiteDoseStore(path: directory + "/store.sqlite")
            let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
            let judge = try Judge(
                configuration: configuration, sets: try ConfigurationLoader.referenceSets(configuration), alertLevel: .aboveDRL,
                keyPath: directory + "/pseudonym.key"
            )
            let pipeline = IngestPipeline(store: store, judge: judge)
            let samples = SampleCase.all.filter { !$0.file.hasPrefix("not-dose") }.map { Fixtures.bytes(Fixtures.sampleFile($0.file)) }
            for (index, bytes) in (samples + extra).enumerated() {
                _ = try pipeline.ingest(Arrival(source: "test", origin: "\(index).dcm", bytes: bytes, receivedAt: Date()))
            }
        }

        func application(usersFile: String? = nil, sources: [DashboardStatus.Source] = [], accessLog: String? = nil) throws -> some ApplicationProtocol {
            var settings = DashboardSettings()
            settings.usersFile = usersFile
            settings.timeZone = "Europe/Berlin"
            let status = DashboardStatus(metrics: { "# TYPE doseaudit_up gauge\ndoseaudit_up 1\n" }, sources: { sources })
            let configuration = try ConfigurationLoader.load(path: Fixtures.packageRoot + "/config/doseaudit.yaml")
            return try Dashboard.application(
                settings: settings, reportsDirectory: directory + "/reports", store: store, status: status,
                referenceSets: try ConfigurationLoader.referenceSets(configuration), accessLog: accessLog, logger: Logger(label: "test")
            )
        }
    }

    static func object(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any])
    }

    static let study7 = "2.25.221782963418504615112730937592146.7.1"

    @Test func theStudyAPIReturnsTheStoresNumbers() async throws {
        let site = try Site()
        let detail = try #require(try site.store.studyDetail(Self.study7))
        #expect(detail.summary.totalDLP == 690.4)
        #expect(detail.events.count == 3)
        try await site.application().test(.router) { client in
            try await client.execute(uri: "/api/studies/\(Self.study7)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = try Self.object(response.body)
                let study = try #require(body["study"] as? [String: Any])
                #expect(study["accessionNumber"] as? String == "ACC-PED-0007")
                #expect(study["totalDLP"] as? Double == 690.4)
                let events = try #require(body["events"] as? [[String: Any]])
                #expect(events.map { $0["ctdivol"] as? Double } == detail.events.map(\.ctdivol))
                #expect(events.map { $0["inReferenceComparison"] as? Bool } == detail.events.map(\.inComparison))
                #expect((body["findings"] as? [[String: Any]])?.count == detail.findings.count)
            }
            try await client.execute(uri: "/api/studies?accession=ACC-PED-0007", method: .get) { response in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [[String: Any]])
                #expect(rows.map { $0["studyKey"] as? String } == [Self.study7])
            }
            try await client.execute(uri: "/api/studies/no-such-study", method: .get) { response in
                #expect(response.status == .notFound)
            }
            // Without an accession number: the study browser's first page.
            try await client.execute(uri: "/api/studies", method: .get) { response in
                let body = try Self.object(response.body)
                #expect(body["total"] as? Double == 11)
                #expect((body["studies"] as? [[String: Any]])?.count == 11)
            }
            try await client.execute(uri: "/api/studies?sort=sideways", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("is not one of date, received, scanner, age, size, dlp, worst, ratio"))
            }
        }
    }

    @Test func aStudySizedFromItsImagesShowsTheSourceAndDwAlongZ() async throws {
        let study = SyntheticSizedStudy.childChest(root: "2.25.7201", slices: 12, diameterCm: 24)
        let site = try Site(extra: (0 ..< study.sliceCount).map(study.slice) + [study.report()])
        try await site.application().test(.router) { client in
            try await client.execute(uri: "/studies/\(study.studyUID)", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(page.contains("<td>Dw from the CT images</td>"), "\(page)")
                #expect(page.contains("series 2 (2.25.7201.2), 12 slices used, centre slice; linked by Irradiation Event UID"))
                #expect(page.contains("12 slices: 12 used, 0 truncated (excluded), 0 not used"))
                #expect(page.components(separatedBy: "<circle cx=").count - 1 >= 12, "a point per slice")
                #expect(page.contains("slice position z, mm") && page.contains("Dw, cm"))
                #expect(!page.contains("<script"))
            }
            try await client.execute(uri: "/api/studies/\(study.studyUID)", method: .get) { response in
                let body = try Self.object(response.body)
                let events = try #require(body["events"] as? [[String: Any]])
                #expect(events.first?["ssdeSizeSource"] as? String == "waterEquivalentDiameterFromImages")
                let series = try #require((body["imageSeries"] as? [[String: Any]])?.first)
                #expect(series["used"] as? Double == 12)
                let profile = try #require(series["profile"] as? [[String: Any]])
                let positions: [Double?] = profile.map { $0["zMM"] as? Double }
                let expected: [Double?] = (0 ..< 12).map { index -> Double? in -20 + 5 * Double(index) }
                #expect(positions == expected)
                let diameters: [Double] = profile.map { $0["dwCm"] as? Double ?? 0 }
                #expect(diameters.allSatisfy { abs($0 - 24) < 0.24 }, "\(diameters)")
            }
            // A study without images says its size is an estimate.
            try await client.execute(uri: "/studies/\(Self.study7)", method: .get) { response in
                #expect(String(buffer: response.body).contains("No CT images of this study were received"))
            }
        }
    }

    @Test func statusCountsWhatTheStoreHoldsAndEachSource() async throws {
        let site = try Site()
        let stored = try site.store.status(now: Date())
        #expect(stored.studies == 11)
        let since = Date(timeIntervalSince1970: 1_800_000_000)
        let sources = [
            DashboardStatus.Source(name: "drop-folder /srv/drop", problem: nil, since: since, failures: 0),
            DashboardStatus.Source(name: "dicomweb pacs", problem: "401 Unauthorized: check the credentials", since: since, failures: 4),
        ]
        try await site.application(sources: sources).test(.router) { client in
            try await client.execute(uri: "/api/status", method: .get) { response in
                let body = try Self.object(response.body)
                #expect(body["studies"] as? Double == 11)
                #expect(body["events"] as? Double == Double(stored.events))
                #expect(body["events"] as? Double == 22)
                #expect(body["alerts"] as? Double == Double(stored.alerts))
                let reported = try #require(body["sources"] as? [[String: Any]])
                #expect(reported.map { $0["up"] as? Bool } == [true, false])
                #expect(reported.last?["failures"] as? Double == 4)
                #expect(reported.last?["problem"] as? String == "401 Unauthorized: check the credentials")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body) == "# TYPE doseaudit_up gauge\ndoseaudit_up 1\n")
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            }
        }
    }

    @Test func everyResponseCarriesThePolicyEvenAnError() async throws {
        let site = try Site()
        try await site.application().test(.router) { client in
            for uri in ["/", "/studies/\(Self.study7)", "/studies/missing", "/api/status", "/reports", "/dashboard.css"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true, "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("script-src") == false, "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                }
            }
            try await client.execute(uri: "/dashboard.css", method: .get) { response in
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(response.body.readableBytes > 100)
            }
            try await client.execute(uri: "/studies/missing", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func aReportFileIsServedAndNothingOutsideTheReportsFolder() async throws {
        let site = try Site()
        try FileManager.default.createDirectory(atPath: site.directory + "/reports/2026-W43", withIntermediateDirectories: true)
        try "<html>week 43</html>".write(toFile: site.directory + "/reports/2026-W43/report.html", atomically: true, encoding: .utf8)
        try "secret".write(toFile: site.directory + "/outside.html", atomically: true, encoding: .utf8)
        try await site.application().test(.router) { client in
            try await client.execute(uri: "/reports/2026-W43/report.html", method: .get) { response in
                #expect(String(buffer: response.body) == "<html>week 43</html>")
                #expect(response.headers[.contentSecurityPolicy]?.contains("style-src 'unsafe-inline'") == true)
            }
            try await client.execute(uri: "/api/reports", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"period\":\"2026-W43\""))
            }
            for uri in ["/reports/..%2F/outside.html", "/reports/../outside.html", "/reports/2026-W43/.hidden", "/reports/2026-W43/missing.html"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(!String(buffer: response.body).contains("secret"), "\(uri)")
                }
            }
        }
    }

    /// A protocol name that is markup comes out as text on the home page and the study page.
    @Test func markupInAReportIsTextOnThePages() async throws {
        let script = "<script>alert(1)</script><a href=x>"
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "80.0", dlp: "4000.0", protocolName: script)], patientAge: "004Y", accessionNumber: "ACC-<b>XSS</b>"
        )
        let site = try Site(extra: [bytes])
        try await site.application().test(.router) { client in
            for uri in ["/", "/?accession=ACC-%3Cb%3EXSS%3C/b%3E", "/studies/\(SyntheticReports.root).1"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let page = String(buffer: response.body)
                    #expect(response.status == .ok, "\(uri)")
                    #expect(!page.contains("<script") && !page.contains("<b>XSS"), "\(uri): \(page.prefix(400))")
                    #expect(page.contains("ACC-&lt;b&gt;XSS&lt;/b&gt;"), "\(uri)")
                }
            }
            try await client.execute(uri: "/studies/\(SyntheticReports.root).1", method: .get) { response in
                #expect(String(buffer: response.body).contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=x&gt;"))
            }
        }
    }

    @Test func aLoginIsAskedForAndOnlyTheRightOneIsAccepted() async throws {
        let site = try Site()
        let file = site.directory + "/users"
        var users = DashboardUsers()
        try users.add("physicist", role: .admin, password: "s3cret-password", cost: 4)
        try users.write(path: file)
        let right = "Basic " + Data("physicist:s3cret-password".utf8).base64EncodedString()
        let wrong = "Basic " + Data("physicist:s3cret".utf8).base64EncodedString()
        try await site.application(usersFile: file).test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: wrong], [.authorization: "Bearer x"]] {
                try await client.execute(uri: "/api/status", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=\"DoseAudit\"") == true)
                    #expect(response.body.readableBytes == 0 || !String(buffer: response.body).contains("studies"))
                }
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.authorization: right]) { response in
                #expect(response.status == .ok)
                let body = try Self.object(response.body)
                #expect(body["studies"] as? Double == 11)
            }
        }
    }

    @Test func aUsersFileThatDoesNotParseIsRefusedAtStart() throws {
        let site = try Site()
        let file = site.directory + "/users"
        try "physicist:s3cret-pw\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            _ = try site.application(usersFile: file)
        } throws: { error in
            "\(error)" == "\(file):1: expected name:role:bcrypt-hash (make lines with `doseaudit user add`)"
        }
    }
}
