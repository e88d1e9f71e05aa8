import CTDoseReport
import DICOMEncoding
import DoseStore
import DoseTestSupport
import Foundation
import Testing

/// The physicist's workplace in a real headless Chromium against `doseaudit
/// serve`: the study browser with two filters, a scanner page, a study page
/// without patient identifiers, and the weekly report printed on A4 with no
/// element wider than the page. Every page's requests are read from the
/// browser's own network log: none leaves the dashboard. Screenshots are
/// kept in $DOSEAUDIT_ARTIFACTS (default .ci/artifacts/screenshots).
@Suite("the physicist's workplace in Chromium", .serialized)
struct WorkplaceBrowserTests {
    static var artifacts: String {
        let directory = ProcessInfo.processInfo.environment["DOSEAUDIT_ARTIFACTS"] ?? Fixtures.packageRoot + "/.ci/artifacts"
        let path = directory + "/screenshots"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Chromium with nothing of its own on the network: no updates, no sync, no field trials.
    static let quiet = [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-default-apps", "--no-first-run", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
        "--metrics-recording-only", "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
    ]

    /// The page's DOM after load, a screenshot of it, and every URL the browser asked for.
    static func visit(_ url: String, name: String, width: Int = 1300, height: Int = 1800) throws -> (dom: String, urls: [String]) {
        let chromium = try #require(DashboardTests.chromium)
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("netlog-\(UUID().uuidString).json").path
        let dom = try ProcessRunner.run(chromium, quiet + ["--log-net-log=\(log)", "--dump-dom", url])
        _ = try ProcessRunner.run(chromium, quiet + ["--window-size=\(width),\(height)", "--screenshot=\(artifacts)/\(name).png", url])
        // The page's own requests carry the traffic annotation of a
        // navigation (63171670) or of Blink's resource loader (101845102);
        // the browser's own services (updates, spelling, autofill) carry
        // theirs and are not the page's.
        let urls = try ProcessRunner.run("python3", ["-c", """
            import json, sys
            text = open(sys.argv[1], encoding='utf-8', errors='replace').read()
            try:
                log = json.loads(text)
            except ValueError:
                # A log cut short when the browser exited: close its event list.
                log = json.loads(text.rstrip().rstrip(',') + ']}')
            types = {v: k for k, v in log['constants']['logEventTypes'].items()}
            page = {63171670, 101845102}
            urls = set()
            for e in log['events']:
                p = e.get('params')
                if types.get(e['type']) == 'REQUEST_ALIVE' and isinstance(p, dict) and p.get('traffic_annotation') in page and isinstance(p.get('url'), str):
                    urls.add(p['url'])
            print('\\n'.join(sorted(urls)))
            """, log])
        #expect(urls.status == 0, "\(urls.stderr)")
        return (dom.stdout, urls.stdout.split(separator: "\n").map(String.init))
    }

    static func onlyLocal(_ urls: [String], base: String, page: String) {
        #expect(!urls.isEmpty, "\(page): the network log names the page itself")
        for url in urls {
            #expect(url.hasPrefix(base) || url.hasPrefix("data:") || url.hasPrefix("about:") || url.hasPrefix("chrome:"), "\(page) asked for \(url)")
        }
    }

    @Test(.enabled(if: DashboardTests.chromium != nil, "needs chromium (scripts/install-deps.sh)"))
    func studiesScannerStudyAndTheA4Report() throws {
        let daemon = try Daemon()
        let port = Network.freePort()
        try daemon.writeConfig(referenceSets: ["us-acr-kanal2022-age", "eu-rp185", "goske2013-abdomen-ssde", "strauss2017-chest-ssde"], serveExtra: """
              dashboard: { port: \(port), time_zone: Europe/Berlin }
            """)
        // 600 studies of a made-up clinic, imported as a site backfills its history.
        let folder = daemon.directory + "/clinic"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for n in 0..<600 { try Data(SyntheticClinic.report(n)).write(to: URL(fileURLWithPath: "\(folder)/\(n).dcm")) }
        let imported = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", ["import", folder, "--config", daemon.configPath])
        #expect(imported.status == 0, "\(imported.stderr)")
        try daemon.start()
        #expect(daemon.waitUntilReady(), "\(daemon.log)")
        let base = "http://127.0.0.1:\(port)"
        let store = try SQLiteDoseStore(path: daemon.databasePath)

        // The study browser with two filters.
        let filter = StudyFilter(scanner: "Cygnus Revolution", aboveDRL: true)
        let expected = try store.studyList(filter, pageSize: 50)
        #expect(expected.total > 10)
        let studies = try Self.visit(base + "/studies?scanner=Cygnus%20Revolution&above=1", name: "studies-two-filters")
        #expect(studies.dom.contains("of <strong>\(expected.total)</strong>"), "\(studies.dom.prefix(3000))")
        let rows = studies.dom.components(separatedBy: "<table id=\"studies\"").last?.components(separatedBy: "</tbody>").first?.components(separatedBy: "<tr>").count ?? 0
        #expect(rows - 2 == min(expected.total, 50), "a row per study of the page")
        for row in expected.rows.prefix(5) { #expect(studies.dom.contains(">\(row.accessionNumber ?? "?")<")) }
        Self.onlyLocal(studies.urls, base: base, page: "/studies")

        // A scanner page: per phantom, with the DRL drawn.
        let scanner = try Self.visit(base + "/scanner?scanner=Cygnus%20Revolution&weeks=52", name: "scanner", height: 4200)
        #expect(scanner.dom.contains("<h1>Cygnus Revolution</h1>"))
        #expect(scanner.dom.contains("CTDIvol by band, 16 cm phantom") && scanner.dom.contains("CTDIvol by band, 32 cm phantom"))
        #expect(scanner.dom.contains("us-acr-kanal2022-age DRL"), "the level's legend is printed")
        #expect(scanner.dom.contains("size from age (estimate)"))
        Self.onlyLocal(scanner.urls, base: base, page: "/scanner")

        // A study page: no Patient ID or name, the pseudonym only.
        let key = try #require(expected.rows.first?.studyKey)
        let study = try Self.visit(base + "/studies/\(key)", name: "study")
        #expect(study.dom.contains("<h2>Findings</h2>") && study.dom.contains("<ol id=\"references\" class=\"references\">"))
        #expect(!study.dom.contains("CLINIC-"), "no Patient ID on the page")
        Self.onlyLocal(study.urls, base: base, page: "/studies/key")

        // The weekly report of the clinic's last week, printed on A4.
        let report = try ProcessRunner.run(ProcessRunner.productsDirectory + "/doseaudit", [
            "report", "--from", "2026-05-01", "--to", "2026-11-27", "--config", daemon.configPath, "--out", daemon.statePath + "/reports",
        ])
        #expect(report.status == 0, "\(report.stderr)")
        let period = try #require(try FileManager.default.contentsOfDirectory(atPath: daemon.statePath + "/reports").first)
        let served = try Self.visit(base + "/reports/\(period)/report.html", name: "weekly-report", width: 794, height: 6000)
        #expect(served.dom.contains("<h2>References</h2>"))
        Self.onlyLocal(served.urls, base: base, page: "report.html")
        let reportsPage = try DashboardTests.curl([base + "/reports"]).stdout
        #expect(reportsPage.contains("/reports/\(period)/bands.csv") && reportsPage.contains("/reports/\(period)/references.csv"))

        // A4 portrait, 12 mm margins: 186 mm of content, 703 CSS px. A copy
        // of the report with a measuring script (the served report may run
        // none) lists every element whose right edge passes the page.
        let html = try String(contentsOfFile: "\(daemon.statePath)/reports/\(period)/report.html", encoding: .utf8)
        let probe = daemon.directory + "/measure.html"
        try html.replacingOccurrences(of: "</body>", with: """
            <pre id="measure"></pre><script>
            const limit = document.documentElement.clientWidth; const wide = [];
            for (const e of document.body.querySelectorAll('*')) { const r = e.getBoundingClientRect(); if (r.right > limit + 0.5) wide.push(e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(r.right)); }
            document.getElementById('measure').textContent = JSON.stringify({limit: limit, scroll: document.documentElement.scrollWidth, elements: document.body.querySelectorAll('*').length, wide: wide});
            </script></body>
            """).write(toFile: probe, atomically: true, encoding: .utf8)
        let measured = try ProcessRunner.run(try #require(DashboardTests.chromium), Self.quiet + ["--window-size=703,1000", "--dump-dom", "file://" + probe])
        let json = try #require(measured.stdout.components(separatedBy: "<pre id=\"measure\">").last?.components(separatedBy: "</pre>").first)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(json.replacingOccurrences(of: "&quot;", with: "\"").utf8)) as? [String: Any])
        #expect(result["limit"] as? Int == 703, "\(json)")
        #expect((result["elements"] as? Int ?? 0) > 500, "\(json)")
        #expect((result["wide"] as? [String]) == [], "elements wider than the A4 page: \(json)")
        #expect(result["scroll"] as? Int == 703, "\(json)")
        // And printed: A4 pages (595 × 842 pt).
        let pdf = daemon.directory + "/report.pdf"
        _ = try ProcessRunner.run(try #require(DashboardTests.chromium), Self.quiet + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf)", "file://\(daemon.statePath)/reports/\(period)/report.html"])
        let boxes = try ProcessRunner.run("python3", ["-c", """
            import re, sys
            data = open(sys.argv[1], 'rb').read()
            sizes = {tuple(round(float(v)) for v in m.groups()) for m in re.finditer(rb'/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]', data)}
            print(sorted(sizes), len(re.findall(rb'/Type /Page\\b', data)))
            """, pdf])
        #expect(boxes.stdout.hasPrefix("[(595, 842)]"), "\(boxes.stdout) \(boxes.stderr)")
        try? FileManager.default.copyItem(atPath: pdf, toPath: Self.artifacts + "/weekly-report.pdf")
        #expect(daemon.stop() == 0)
    }
}
