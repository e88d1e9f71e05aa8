import DICOMEncoding
import DoseDashboard
import DoseStore
import DoseTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import DoseConfiguration
import Logging
import HummingbirdTesting
import Testing

/// Users, roles, sessions, the sign-in throttle and the access log, in process.
@Suite("dashboard users and roles, in process")
struct DashboardAccessTests {
    static let password = "correct horse battery"

    /// A site with one user of each role (bcrypt cost 4: the tests sign in often).
    static func site() throws -> (DashboardRoutesTests.Site, users: String, log: String) {
        let site = try DashboardRoutesTests.Site(extra: StudyBrowserTests.synthetic().prefix(6).map { $0 })
        var users = DashboardUsers()
        for role in DashboardRole.allCases { try users.add("\(role.rawValue)-user", role: role, password: password, cost: 4) }
        let file = site.directory + "/users"
        try users.write(path: file)
        return (site, file, site.directory + "/access.log")
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Signs in and returns the Cookie header to send.
    static func signIn(_ client: some TestClientProtocol, _ user: String, password: String = password) async throws -> String {
        try await client.execute(uri: "/login", method: .post, headers: formHeaders, body: form([("user", user), ("password", password), ("next", "/studies")])) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/studies")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            return String(cookie.prefix { $0 != ";" })
        }
    }

    @Test func withoutASessionPagesSendToTheSignInAndTheAPIAsksForCredentials() async throws {
        let (site, users, log) = try Self.site()
        try await site.application(usersFile: users, accessLog: log).test(.router) { client in
            try await client.execute(uri: "/studies?scanner=Acme", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login?next=/studies%3Fscanner%3DAcme")
            }
            for uri in ["/api/studies", "/metrics", "/studies.csv"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                }
            }
            try await client.execute(uri: "/login?next=/studies", method: .get) { response in
                #expect(response.status == .ok)
                let page = String(buffer: response.body)
                #expect(page.contains("<form method=\"post\" action=\"/login\" id=\"login\">"))
                #expect(page.contains("value=\"/studies\""))
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
            // A next that leaves the site is replaced by the home page.
            try await client.execute(uri: "/login", method: .post, headers: Self.formHeaders,
                                     body: Self.form([("user", "viewer-user"), ("password", Self.password), ("next", "//evil.example/")])) { response in
                #expect(response.headers[.location] == "/")
            }
        }
    }

    @Test func aViewerSeesNoAccessionNumberAnywhereAndIsRefusedWhatNeedsMore() async throws {
        let (site, users, log) = try Self.site()
        let studies = try site.store.studyList(StudyFilter(), pageSize: 1000).rows
        let accessions = studies.compactMap(\.accessionNumber)
        #expect(accessions.count == 17)
        let key = try #require(studies.first { $0.accessionNumber == "acc-0" }).studyKey
        try await site.application(usersFile: users, accessLog: log).test(.router) { client in
            let cookie = try await Self.signIn(client, "viewer-user")
            let open = ["/", "/studies", "/studies?scanner=Acme", "/studies/\(key)", "/scanners", "/scanner?scanner=Acme", "/reports", "/api/studies",
                        "/api/studies/\(key)", "/api/alerts", "/api/reports"]
            for uri in open {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .ok, "\(uri)")
                    let body = String(buffer: response.body)
                    for accession in accessions { #expect(!body.contains(accession), "\(uri) shows \(accession)") }
                    #expect(!body.contains("P-"), "\(uri) shows a patient pseudonym")
                }
            }
            for uri in ["/studies.csv", "/patients/P-1", "/api/patients/P-1", "/api/status", "/metrics", "/access-log", "/reports/2026-W43/report.html"] {
                try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                }
            }
            // The same pages for a physicist do show them.
            let physicist = try await Self.signIn(client, "physicist-user")
            try await client.execute(uri: "/studies", method: .get, headers: [.cookie: physicist]) { response in
                let body = String(buffer: response.body)
                #expect(accessions.allSatisfy { body.contains(">\($0)<") })
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.cookie: physicist]) { response in
                #expect(response.status == .forbidden)
            }
            let admin = try await Self.signIn(client, "admin-user")
            try await client.execute(uri: "/api/status", method: .get, headers: [.cookie: admin]) { response in
                #expect(response.status == .ok)
            }
        }
        // Who opened which study, and no patient identifier or accession number.
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.contains("\"user\":\"viewer-user\"") && $0.contains("\"path\":\"/studies/\(key)\"") && $0.contains("\"status\":200") })
        #expect(lines.contains { $0.contains("\"user\":\"viewer-user\"") && $0.contains("\"path\":\"/studies.csv\"") && $0.contains("\"status\":403") })
        #expect(lines.contains { $0.contains("\"user\":\"-\"") && $0.contains("\"path\":\"/login\"") } == false, "the sign-in form itself is not logged")
        let text = lines.joined(separator: "\n")
        for accession in accessions { #expect(!text.contains(accession)) }
        #expect(!text.contains(Self.password))
    }

    @Test func everyAnswerCarriesTheSecurityHeadersSignedInOrNot() async throws {
        let (site, users, log) = try Self.site()
        try await site.application(usersFile: users, accessLog: log).test(.router) { client in
            let cookie = try await Self.signIn(client, "viewer-user")
            let cases: [(String, HTTPFields, HTTPResponse.Status)] = [
                ("/login", [:], .ok), ("/studies", [:], .seeOther), ("/api/studies", [:], .unauthorized), ("/studies", [.cookie: cookie], .ok),
                ("/studies.csv", [.cookie: cookie], .forbidden), ("/studies?age=baby", [.cookie: cookie], .badRequest), ("/studies/none", [.cookie: cookie], .notFound),
            ]
            for (uri, headers, status) in cases {
                try await client.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(uri)")
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.hasPrefix("default-src 'none'") && policy.contains("frame-ancestors 'none'") && !policy.contains("script-src"), "\(uri)")
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(uri)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff", "\(uri)")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                    #expect(response.headers[.strictTransportSecurity] == nil, "no HSTS over plain HTTP")
                }
            }
        }
    }

    @Test func failedSignInsAreThrottledEvenWithTheRightPasswordAfterwards() async throws {
        let (site, users, log) = try Self.site()
        try await site.application(usersFile: users, accessLog: log).test(.router) { client in
            for attempt in 1...5 {
                try await client.execute(uri: "/login", method: .post, headers: Self.formHeaders, body: Self.form([("user", "physicist-user"), ("password", "wrong \(attempt)")])) { response in
                    #expect(response.status == .unauthorized, "attempt \(attempt)")
                    #expect(String(buffer: response.body).contains("Wrong user name or password."))
                    #expect(response.headers[.setCookie] == nil)
                }
            }
            try await client.execute(uri: "/login", method: .post, headers: Self.formHeaders, body: Self.form([("user", "physicist-user"), ("password", Self.password)])) { response in
                #expect(response.status == .tooManyRequests)
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 800)
                #expect(String(buffer: response.body).contains("Too many failed sign-ins: try again in 15 minutes."))
                #expect(response.headers[.setCookie] == nil)
            }
            // HTTP Basic counts against the same limit.
            let basic = "Basic " + Data("physicist-user:\(Self.password)".utf8).base64EncodedString()
            try await client.execute(uri: "/api/studies", method: .get, headers: [.authorization: basic]) { response in
                #expect(response.status == .tooManyRequests)
            }
        }
    }

    @Test func signingOutEndsTheSessionAndARemovedUserIsSignedOut() async throws {
        let (site, users, log) = try Self.site()
        try await site.application(usersFile: users, accessLog: log).test(.router) { client in
            let cookie = try await Self.signIn(client, "physicist-user")
            try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/studies", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .seeOther)
            }
            let again = try await Self.signIn(client, "physicist-user")
            var file = try DashboardUsers.load(path: users)
            try file.remove("physicist-user")
            // A modification time the reload can see within the test's second.
            try file.write(path: users)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: users)
            try await client.execute(uri: "/studies", method: .get, headers: [.cookie: again]) { response in
                #expect(response.status == .seeOther, "the removed user's session ended")
            }
        }
    }

    @Test func theUsersFileKeepsOnlyHashesAndNamesItsProblems() throws {
        var users = DashboardUsers()
        try users.add("anna", role: .physicist, password: "a long enough password", cost: 4)
        #expect(!users.text.contains("a long enough password"))
        #expect(users.text.contains("anna:physicist:$2b$04$"))
        #expect(users.authenticate("anna", password: "a long enough password")?.role == .physicist)
        #expect(users.authenticate("anna", password: "a long enough passworD") == nil)
        #expect(users.authenticate("bob", password: "a long enough password") == nil)
        #expect(throws: DashboardUsers.FileError.self) { try users.add("anna", role: .viewer, password: "another long password", cost: 4) }
        #expect { try users.add("carl", role: .viewer, password: "short", cost: 4) } throws: { "\($0)" == "a password needs at least 12 characters" }
        #expect { try DashboardUsers.parse("anna:owner:$2b$04$abcdefghijklmnopqrstuuvwxyz0123456789ABCDEFGHIJKLMNOPQRS\n", path: "u") } throws: {
            "\($0)" == "u:1: role \"owner\" is not one of viewer, physicist, admin"
        }
    }
}

/// HTTPS with a configured certificate, over a real socket (HummingbirdTesting's AsyncHTTPClient setup).
@Suite("dashboard over HTTPS")
struct DashboardTLSTests {
    @Test func aConfiguredCertificateServesHTTPSWithSecureCookies() async throws {
        let (site, users, log) = try DashboardAccessTests.site()
        let certificate = site.directory + "/cert.pem", key = site.directory + "/key.pem"
        let made = try ProcessRunner.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
        ])
        #expect(made.status == 0, "\(made.stderr)")
        var settings = DashboardSettings()
        settings.usersFile = users
        settings.port = 0
        settings.tlsCertificate = certificate
        settings.tlsKey = key
        let app = try Dashboard.application(
            settings: settings, reportsDirectory: site.directory + "/reports", store: site.store,
            status: DashboardStatus(metrics: { "" }, sources: { [] }), accessLog: log, logger: Logger(label: "tls")
        )
        try await app.test(.ahc(.https)) { client in
            try await client.execute(uri: "/login", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.strictTransportSecurity] == "max-age=31536000")
            }
        }
        // The same application's sign-in, in process (the HTTP client above follows the redirect and drops the cookie).
        let sameApp = try Dashboard.application(
            settings: settings, reportsDirectory: site.directory + "/reports", store: site.store,
            status: DashboardStatus(metrics: { "" }, sources: { [] }), accessLog: log, logger: Logger(label: "tls")
        )
        try await sameApp.test(.router) { client in
            try await client.execute(uri: "/login", method: .post, headers: DashboardAccessTests.formHeaders,
                                     body: DashboardAccessTests.form([("user", "admin-user"), ("password", DashboardAccessTests.password)])) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.setCookie]?.hasSuffix("; Secure") == true)
            }
        }
    }

    @Test func aKeyThatIsNotAKeyIsRefusedAtStartNamingTheFiles() throws {
        let (site, _, _) = try DashboardAccessTests.site()
        let certificate = site.directory + "/cert.pem"
        try "not a certificate\n".write(toFile: certificate, atomically: true, encoding: .utf8)
        var settings = DashboardSettings()
        settings.tlsCertificate = certificate
        settings.tlsKey = certificate
        #expect {
            _ = try Dashboard.application(settings: settings, reportsDirectory: site.directory, store: site.store,
                                          status: DashboardStatus(metrics: { "" }, sources: { [] }), logger: Logger(label: "tls"))
        } throws: { error in
            "\(error)".contains(certificate) && "\(error)".contains("TLS")
        }
    }
}
