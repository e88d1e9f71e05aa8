import CTDoseReport
import Foundation
import Yams

/// `serve.dicom_listener`: the C-STORE receiver scanners send to.
public struct DICOMListenerSettings: Sendable, Equatable {
    public var aeTitle = "DOSEAUDIT"
    /// 11112 by default; 104 needs CAP_NET_BIND_SERVICE (see systemd/).
    public var port = 11112
    public var maxPDU = 116_794
    public var acseTimeoutSeconds = 10
    public var idleTimeoutSeconds = 60
    public var maxAssociations = 16
    public var requireCalledAETitle = true
    /// Empty: any calling AE title is let in (logged as a warning at start).
    public var allowedCallingAETitles: [String] = []
    public var allowedPeers: [String] = []

    public init() {}
}

/// `serve.dashboard`: the read-only web pages, JSON API and /metrics.
public struct DashboardSettings: Sendable, Equatable {
    /// Loopback unless a site chooses otherwise.
    public var host = "127.0.0.1"
    public var port = 8087
    /// The users file (`doseaudit user add`): name, role and bcrypt hash per
    /// line. Without it the dashboard asks for no sign-in (loopback only).
    public var usersFile: String?
    /// PEM certificate chain and private key: the dashboard serves HTTPS.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Where every dashboard request is logged with who made it; default <state>/dashboard-access.log.
    public var accessLog: String?
    /// The site's time zone (IANA name) for every time the dashboard and the
    /// weekly reports show; default the system's.
    public var timeZone: String?
    /// Where `doseaudit report` writes (listed and served read-only); default <state>/reports.
    public var reportsDirectory: String?

    public init() {}
}

/// One entry of `serve.dicomweb`: a DICOM store polled over QIDO-RS/WADO-RS.
public struct DICOMwebSourceSettings: Sendable, Equatable {
    public enum Authentication: String, Sendable { case none, basic, bearer }

    /// Names the source in the ledger and keys its persisted cursor.
    public var name: String
    /// The DICOMweb root, e.g. http://pacs:8042/dicom-web
    public var url: String
    public var authentication: Authentication = .none
    /// basic: one line "user:password"; bearer: the token. Kept out of the configuration.
    public var credentialsFile: String?
    public var pollSeconds: Double = 60
    public var maxBackoffSeconds: Double = 300
    /// Every SR storage class a CT dose report (TID 10011) arrives in: GE's
    /// Enhanced SR reports (…88.22) are as much dose reports as …88.67.
    public var sopClasses: [String] = [
        SOPClass.xRayRadiationDoseSR, SOPClass.enhancedXRayRadiationDoseSR, SOPClass.enhancedSR, SOPClass.comprehensiveSR, SOPClass.comprehensive3DSR,
    ]
    public var pageSize = 100
    /// The earliest study date listed (YYYYMMDD); nil lists the store's whole history.
    public var startDate: String?
    /// Reports of studies older than this are recorded as history, never
    /// alerted (the first poll of a PACS meets years of them).
    public var alertMaxAgeDays = 7

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

extension YAMLReader {
    mutating func integer(_ node: Node, _ key: String, in path: String, range: ClosedRange<Int>) -> Int? {
        guard let value = node[key] else { return nil }
        guard let number = value.plainInt, range.contains(number) else {
            add(value, "\(path).\(key)", "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func seconds(_ node: Node, _ key: String, in path: String, minimum: Double) -> Double? {
        guard let value = node[key] else { return nil }
        guard let number = value.plainDouble, number >= minimum else {
            add(value, "\(path).\(key)", "expected a number of seconds, at least \(minimum)")
            return nil
        }
        return number
    }

    /// 1–16 characters of the DICOM default repertoire, no backslash, not all spaces (PS3.5 AE).
    static func isValidAETitle(_ title: String) -> Bool {
        let trimmed = title.trimmingCharacters(in: .whitespaces)
        return !trimmed.isEmpty && title.count <= 16 && !title.contains("\\")
            && title.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F }
    }

    mutating func dicomListener(_ node: Node) -> DICOMListenerSettings {
        let path = "serve.dicom_listener"
        expectKeys(node, path, [
            "ae_title", "port", "max_pdu", "acse_timeout_seconds", "idle_timeout_seconds", "max_associations",
            "require_called_ae_title", "allowed_calling_ae_titles", "allowed_peers",
        ])
        var listener = DICOMListenerSettings()
        if let title = string(node, "ae_title", in: path) {
            if Self.isValidAETitle(title) { listener.aeTitle = title.trimmingCharacters(in: .whitespaces) }
            else { add(node["ae_title"] ?? node, "\(path).ae_title", "an AE title is 1 to 16 printable ASCII characters without a backslash") }
        }
        if let port = integer(node, "port", in: path, range: 1...65535) { listener.port = port }
        if let pdu = integer(node, "max_pdu", in: path, range: 4096...131_072) { listener.maxPDU = pdu }
        if let acse = integer(node, "acse_timeout_seconds", in: path, range: 1...600) { listener.acseTimeoutSeconds = acse }
        if let idle = integer(node, "idle_timeout_seconds", in: path, range: 1...3600) { listener.idleTimeoutSeconds = idle }
        if let count = integer(node, "max_associations", in: path, range: 1...256) { listener.maxAssociations = count }
        if let require = bool(node, "require_called_ae_title", in: path) { listener.requireCalledAETitle = require }
        if let titles = strings(node, "allowed_calling_ae_titles", in: path) {
            for (index, title) in titles.enumerated() where !Self.isValidAETitle(title) {
                add(node["allowed_calling_ae_titles"] ?? node, "\(path).allowed_calling_ae_titles[\(index)]", "'\(title)' is not a valid AE title")
            }
            listener.allowedCallingAETitles = titles.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let peers = strings(node, "allowed_peers", in: path) { listener.allowedPeers = peers }
        return listener
    }

    mutating func dashboard(_ node: Node, absolute: (String) -> String) -> DashboardSettings {
        let path = "serve.dashboard"
        if let old = node["basic_auth_file"] {
            add(old, "\(path).basic_auth_file", "replaced by users_file: make one with `doseaudit user add NAME --role admin --users-file FILE` and name it as users_file")
        }
        expectKeys(node, path, ["host", "port", "basic_auth_file", "users_file", "tls_certificate", "tls_key", "access_log", "time_zone", "reports_directory"])
        var dashboard = DashboardSettings()
        if let host = string(node, "host", in: path) { dashboard.host = host }
        if let port = integer(node, "port", in: path, range: 1...65535) { dashboard.port = port }
        if let file = string(node, "users_file", in: path) { dashboard.usersFile = absolute(file) }
        if let file = string(node, "tls_certificate", in: path) { dashboard.tlsCertificate = absolute(file) }
        if let file = string(node, "tls_key", in: path) { dashboard.tlsKey = absolute(file) }
        if (dashboard.tlsCertificate == nil) != (dashboard.tlsKey == nil) {
            add(node, path, "tls_certificate and tls_key go together: give both for HTTPS, or neither")
        }
        if let file = string(node, "access_log", in: path) { dashboard.accessLog = absolute(file) }
        if let zone = string(node, "time_zone", in: path) {
            if TimeZone(identifier: zone) == nil { add(node["time_zone"] ?? node, "\(path).time_zone", "'\(zone)' is not a time zone name (for example Europe/Berlin)") }
            dashboard.timeZone = zone
        }
        if let folder = string(node, "reports_directory", in: path) { dashboard.reportsDirectory = absolute(folder) }
        return dashboard
    }

    mutating func dicomwebSource(_ node: Node, index: Int, absolute: (String) -> String) -> DICOMwebSourceSettings? {
        let path = "serve.dicomweb[\(index)]"
        expectKeys(node, path, [
            "name", "url", "authentication", "credentials_file", "poll_seconds", "max_backoff_seconds", "sop_classes", "page_size", "start_date",
            "alert_max_age_days",
        ])
        guard let name = string(node, "name", in: path, required: true), let url = string(node, "url", in: path, required: true) else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            add(node["url"] ?? node, "\(path).url", "expected an http:// or https:// URL")
            return nil
        }
        var source = DICOMwebSourceSettings(name: name, url: url.hasSuffix("/") ? String(url.dropLast()) : url)
        if let text = string(node, "authentication", in: path) {
            if let mode = DICOMwebSourceSettings.Authentication(rawValue: text) { source.authentication = mode }
            else { add(node["authentication"] ?? node, "\(path).authentication", "authentication must be none, basic or bearer, not '\(text)'") }
        }
        if let file = string(node, "credentials_file", in: path) { source.credentialsFile = absolute(file) }
        if source.authentication != .none && source.credentialsFile == nil {
            add(node, "\(path).credentials_file", "\(source.authentication.rawValue) authentication needs a credentials_file")
        }
        if let poll = seconds(node, "poll_seconds", in: path, minimum: 0.1) { source.pollSeconds = poll }
        if let backoff = seconds(node, "max_backoff_seconds", in: path, minimum: 0.1) { source.maxBackoffSeconds = backoff }
        if let classes = strings(node, "sop_classes", in: path), !classes.isEmpty { source.sopClasses = classes }
        if let size = integer(node, "page_size", in: path, range: 1...10_000) { source.pageSize = size }
        if let text = string(node, "start_date", in: path) {
            let digits = text.filter(\.isNumber)
            if digits.count == 8, text.count == 8 || text.count == 10 { source.startDate = digits }
            else { add(node["start_date"] ?? node, "\(path).start_date", "expected a date YYYY-MM-DD, not '\(text)'") }
        }
        if let days = integer(node, "alert_max_age_days", in: path, range: 0...36_500) { source.alertMaxAgeDays = days }
        return source
    }
}
