import CTDoseReport
import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// The dashboard of `doseaudit serve`, loaded in a real headless Chromium,
/// its JSON API compared with the store, and /metrics parsed as Prometheus text.
@Suite("dashboard", .serialized)
struct DashboardTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func dom(_ url: String) throws -> String {
        let result = try ProcessRunner.run(try #require(chromium), ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url])
        return result.stdout
    }

    static func curl(_ arguments: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run("curl", ["-s"] + arguments)
    }

    /// Parses Prometheus text exposition strictly (every line a comment or a sample) and returns the samples.
    static func prometheus(_ text: String) throws -> [String: Double] {
        let parsed = try ProcessRunner.run("python3", ["-c", """
            import json, re, sys
            sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\\})? (-?[0-9.e+]+|\\+Inf|NaN)$')
            types, out = {}, {}
            for line in sys.stdin.read().splitlines():
                if line.startswith('# HELP '): continue
                if line.startswith('# TYPE '):
                    _, _, name, kind = line.split(' ', 3); assert kind in ('counter', 'gauge', 'histogram', 'summary', 'untyped'), line; types[name] = kind; continue
                m = sample.match(line); assert m, 'not Prometheus text: ' + line
                base = re.sub(r'_(bucket|sum|count)$', '', m.group(1))
                assert m.group(1) in types or base in types, 'sample without TYPE: ' + line
                out[m.group(1) + (m.group(2) or '')] = float(m.group(4))
            print(json.dumps(out))
            """], stdin: text)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        return try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Double] ?? [:]
    }

    @Test(.enabled(if: chromium != nil, "needs chromium (scripts/install-deps.sh)"))
    func pagesAPIAndMetricsAgainstTheStore() throws {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "strauss2017-chest-ssde"], serveExtra: """
              dashboard: { port: \(port), users_file: dashboard.users }
            """)
        // The users file as a site makes it: `doseaudit user add`, the password on standard input.
        let added = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "user", "add", "physicist", "--role", "admin", "--password-stdin", "--config", daemon.configPath,
        ], stdin: "s3cret-password\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("added physicist (admin)"))
        let file = try String(contentsOfFile: daemon.directory + "/dashboard.users", encoding: .utf8)
        #expect(file.contains("physicist:admin:$2b$12$") && !file.contains("s3cret-password"))
        let short = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "user", "add", "viewer", "--role", "viewer", "--password-stdin", "--config", daemon.configPath,
        ], stdin: "short\n")
        #expect(short.status == 2 && short.stderr.contains("a password needs at least 12 characters"))
        let listed = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["user", "list", "--config", daemon.configPath])
        #expect(listed.stdout == "physicist\tadmin\n")
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.log.contains("dashboard on http://127.0.0.1:\(port)"))
        let base = "http://127.0.0.1:\(port)"
        let user = ["-u", "physicist:s3cret-password"]
        func page(_ path: String) throws -> String { try Self.curl(user + [base + path]).stdout }

        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", base + "/"]).stdout == "303 \(base)/login?next=/", "a sign-in is required")
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "physicist:wrong", base + "/api/status"]).stdout == "401")
        let before = try Self.prometheus(try Self.curl(user + [base + "/metrics"]).stdout)

        let samples = SampleCase.doseReports.map { Fixtures.sampleFile($0.file) }
        for (index, file) in samples.enumerated() { try daemon.moveIn(Fixtures.bytes(file), as: "\(index).dcm") }
        #expect(daemon.wait { daemon.files(in: "processed").count == samples.count })

        // The home page and a search, as a browser renders them.
        let home = try page("/")
        #expect(home.contains("<h2>Recent alerts</h2>"))
        #expect(home.contains(">ACC-PED-0007</a>") && home.contains("ratio 1.33"), "\(home.prefix(2000))")
        #expect(!home.contains("MRN-") && !home.contains("Sample^"), "no patient identifiers")
        let search = try page("/studies?q=acc-ped-0007")
        let key = "2.25.221782963418504615112730937592146.7.1"
        #expect(search.contains("<table id=\"studies\"") && search.contains("href=\"/studies/\(key)\""))
        #expect(search.contains("Studies 1–1 of <strong>1</strong>"))

        // The study page: its events and findings with their explanations.
        let store = try SQLiteDoseStore(path: daemon.databasePath)
        let detail = try #require(try store.studyDetail(key))
        let studyPage = try page("/studies/\(key)")
        #expect(studyPage.contains("<h1>Study ACC-PED-0007</h1>"))
        let eventsTable = try #require(studyPage.components(separatedBy: "<table id=\"events\">").last?.components(separatedBy: "</table>").first)
        #expect(eventsTable.components(separatedBy: "<tr><td>").count - 1 == detail.events.count)
        #expect(detail.events.count == 3)
        #expect(studyPage.contains("no (localizer or bolus tracking: in the DLP total only)"))
        for finding in detail.findings where finding.level == "aboveDRL" {
            #expect(studyPage.contains(XMLText.escaped(finding.judgement)))
            // The citation once, in the page's reference list.
            let reference = XMLText.escaped(try #require(finding.reference))
            #expect(studyPage.components(separatedBy: reference).count - 1 == 1)
        }

        // The API returns the store's numbers.
        let api = try #require(try JSONSerialization.jsonObject(with: Data(Self.curl(user + [base + "/api/studies/\(key)"]).stdout.utf8)) as? [String: Any])
        let study = try #require(api["study"] as? [String: Any])
        #expect(study["totalDLP"] as? Double == detail.summary.totalDLP)
        #expect((api["events"] as? [[String: Any]])?.map { $0["irradiationEventUID"] as? String } == detail.events.map(\.irradiationEventUID))
        #expect((api["events"] as? [[String: Any]])?.map { $0["ctdivol"] as? Double } == detail.events.map(\.ctdivol))
        #expect((api["findings"] as? [[String: Any]])?.count == detail.findings.count)
        let alerts = try #require(try JSONSerialization.jsonObject(with: Data(Self.curl(user + [base + "/api/alerts?limit=500"]).stdout.utf8)) as? [[String: Any]])
        #expect(alerts.count == (try store.status(now: Date())).alerts)
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "physicist:s3cret-password", base + "/api/studies/no-such-study"]).stdout == "404")

        // /metrics is Prometheus text, and its counters moved with the reports.
        let after = try Self.prometheus(try Self.curl(user + [base + "/metrics"]).stdout)
        let stored = "doseaudit_reports_received_total{source=\"drop-folder\",outcome=\"stored\"}"
        #expect((before[stored] ?? 0) == 0 && after[stored] == Double(samples.count), "\(after)")
        #expect(after["doseaudit_ingest_duration_seconds_count"] == Double(samples.count))
        #expect(after["doseaudit_alerts_total{level=\"aboveDRL\"}"] == Double(alerts.filter { $0["level"] as? String == "aboveDRL" }.count))
        #expect(after["doseaudit_webhook_outbox"] == 0, "no webhook configured")
        try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile("not-dose/non-dose-comprehensive-sr.dcm")), as: "not-dose.dcm")
        #expect(daemon.wait { daemon.files(in: "rejected").contains("not-dose.dcm") })
        try daemon.moveIn(Fixtures.bytes(Fixtures.sampleFile("not-dose/ct-image.dcm")), as: "image.dcm")
        #expect(daemon.wait { daemon.files(in: "processed").contains("image.dcm") })
        let last = try Self.prometheus(try Self.curl(user + [base + "/metrics"]).stdout)
        #expect(last["doseaudit_rejected_total{reason=\"notADoseReport\"}"] == 1)
        #expect(last["doseaudit_reports_received_total{source=\"drop-folder\",outcome=\"image\"}"] == 1)

        // A weekly report written into the state folder is listed and served.
        let report = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "report", "--week", "2026-W43", "--database", daemon.databasePath, "--config", daemon.configPath, "--out", daemon.statePath + "/reports",
        ])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(try Self.curl(user + [base + "/api/reports"]).stdout.contains("\"period\":\"2026-W43\""))
        let served = try page("/reports/2026-W43/report.html")
        #expect(served.contains("DoseAudit weekly report 2026-W43"))
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "physicist:s3cret-password", base + "/reports/..%2F..%2Fetc/passwd"]).stdout == "404")
        // A new password takes effect in the running daemon; a removed user is signed out.
        let passwd = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "user", "passwd", "physicist", "--password-stdin", "--config", daemon.configPath,
        ], stdin: "an-even-longer-password\n")
        #expect(passwd.status == 0, "\(passwd.stderr)")
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "physicist:an-even-longer-password", base + "/api/status"]).stdout == "200")
        let removed = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["user", "remove", "physicist", "--config", daemon.configPath])
        #expect(removed.status == 0 && removed.stdout.contains("removed physicist"))
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "-u", "physicist:an-even-longer-password", base + "/api/status"]).stdout == "401")
        let missing = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["user", "remove", "nobody", "--config", daemon.configPath])
        #expect(missing.status == 2 && missing.stderr.contains("no user nobody"))
        #expect(daemon.stop() == 0)
    }

    /// A protocol name that is a script, in a stored report, is text on every
    /// page (it ran in the browser on / and on study pages), and the policy
    /// forbids any script anyway. Listening beyond loopback without a login
    /// is warned about at start.
    @Test(.enabled(if: chromium != nil, "needs chromium (scripts/install-deps.sh)"))
    func aScriptInAReportIsTextOnEveryPageAndNoScriptMayRun() throws {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["aapm-dose-check-2011", "eu-rp185"], serveExtra: """
              dashboard: { host: 0.0.0.0, port: \(port) }
            """)
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        #expect(daemon.log.contains("DASHBOARD WITHOUT SIGN-IN on 0.0.0.0:\(port)"))
        #expect(daemon.log.contains("DASHBOARD WITHOUT TLS on 0.0.0.0:\(port)"))
        let script = "<script>document.title='pwned'</script><a href=x>"
        let bytes = SyntheticReports.report(
            events: [SyntheticReports.event(1, ctdivol: "80.0", dlp: "4000.0", protocolName: script)], patientAge: "004Y", accessionNumber: "ACC-XSS"
        )
        try daemon.moveIn(bytes, as: "xss.dcm")
        #expect(daemon.wait { daemon.files(in: "processed") == ["xss.dcm"] })
        let base = "http://127.0.0.1:\(port)"
        let studyKey = try #require(try SQLiteDoseStore(path: daemon.databasePath).studies(accessionNumber: "ACC-XSS").first?.studyKey)
        for path in ["/", "/studies/\(studyKey)", "/studies?q=ACC-XSS", "/scanners"] {
            let dom = try Self.dom(base + path)
            #expect(!dom.contains("<script>"), "\(path): a script element was made")
            #expect(!dom.contains("pwned</title>"), "\(path): the script ran")
            #expect(path == "/scanners" || dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;a href=x&gt;"), "\(path): shown as text")
            let headers = try Self.curl(["-D", "-", "-o", "/dev/null", base + path]).stdout.lowercased()
            #expect(headers.contains("content-security-policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"), "\(headers)")
            #expect(headers.contains("x-frame-options: deny"))
            #expect(headers.contains("x-content-type-options: nosniff"))
        }
        #expect(daemon.stop() == 0)
    }
}
