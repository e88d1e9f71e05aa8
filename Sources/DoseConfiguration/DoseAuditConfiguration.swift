public import DoseEvaluation

/// The site configuration (config/doseaudit.yaml, documented there).
/// Later parts of DoseAudit add their own sections.
public struct DoseAuditConfiguration: Sendable {
    /// The file it was read from.
    public var file: String
    /// Absolute path of the reference-level directory.
    public var referenceDirectory: String
    /// The sets to judge against, in order.
    public var referenceSetIDs: [String]
    public var allowAssumedPhantom: Bool
    public var regionRules: [ClassificationRule]
    public var contrastRules: [ContrastRule]
    /// Show patient IDs in output (off by default).
    public var showPatientIdentifiers: Bool
    /// `serve` settings (defaults when the section is absent).
    public var service: ServiceSettings = ServiceSettings()
    /// Whether the file has a `serve:` section: then `status`, `report` and
    /// `import` use the daemon's database by default.
    public var hasServeSection = false
    /// `patient_history`: effective dose coefficients and recurrent-imaging rules.
    public var patientHistory = PatientHistorySettings()
}

/// The `patient_history:` section.
public struct PatientHistorySettings: Sendable {
    /// The directory of effective-dose coefficient files; nil: beside the
    /// reference-level directory (`../effective-dose`).
    public var effectiveDoseDirectory: String?
    /// The set each exam's effective dose is estimated with; nil: none.
    public var effectiveDoseSetID: String? = "aapm96-icrp60"
    /// Whether the set was named in the file (then a missing file is an error).
    public var effectiveDoseSetNamed = false
    public var rules: [RecurrentImagingRule] = RecurrentImagingRule.defaults

    public init() {}
}

/// The `serve:` section: where the daemon keeps its state, what it watches,
/// what it does with files, and how it alerts.
public struct ServiceSettings: Sendable, Equatable {
    public enum AfterProcessing: String, Sendable { case move, leave, delete }

    public struct DropFolder: Sendable, Equatable {
        public var path: String
        public var after: AfterProcessing
    }

    /// Absolute; holds the database, the pseudonym key and the alert file by default.
    public var stateDirectory: String = "/var/lib/doseaudit"
    public var databasePath: String?
    public var dropFolders: [DropFolder] = []
    /// A file found by a scan is only read once it has not changed for this long.
    public var settleSeconds: Double = 2
    public var rescanSeconds: Double = 30
    public var alertLevel: String = "aboveDRL"
    public var alertFile: String?
    public var alertCommand: String?
    /// HTTP(S) endpoint that receives each alert as a JSON POST.
    public var webhookURL: String?
    /// A file holding a bearer token for the webhook (kept out of the configuration).
    public var webhookTokenFile: String?
    /// The longest wait between retries while the endpoint is down.
    public var webhookMaxBackoffSeconds: Double = 300
    /// How long a report's alerts wait for its CT images when the report
    /// carries no size from the scanner (`serve.alerts.size_wait_seconds`);
    /// 0 sends them at once. Per scanner in `sizeWaitByScanner` (by the
    /// scanner's station name, "manufacturer model" or Device Observer UID).
    public var sizeWaitSeconds: Double = 0
    public var sizeWaitByScanner: [String: Double] = [:]
    /// A study is judged again with its images' size once no image of it
    /// has arrived for this long (`serve.image_settle_seconds`).
    public var imageSettleSeconds: Double = 5
    /// The C-STORE receiver; nil when the daemon does not listen.
    public var dicomListener: DICOMListenerSettings?
    /// The read-only dashboard; nil when not served.
    public var dashboard: DashboardSettings?
    /// DICOM stores polled over DICOMweb.
    public var dicomwebSources: [DICOMwebSourceSettings] = []

    public init() {}

    public var resolvedDatabasePath: String { databasePath ?? stateDirectory + "/doseaudit.sqlite" }
    public var resolvedAlertFile: String { alertFile ?? stateDirectory + "/alerts.jsonl" }
    public var pseudonymKeyPath: String { stateDirectory + "/pseudonym.key" }
    public var resolvedReportsDirectory: String { dashboard?.reportsDirectory ?? stateDirectory + "/reports" }
    public var resolvedDashboardAccessLog: String { dashboard?.accessLog ?? stateDirectory + "/dashboard-access.log" }
}

/// A configuration problem, naming the file, the line and the field.
public struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var field: String?
    public var message: String

    public init(file: String, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return field.map { "\(location): \($0): \(message)" } ?? "\(location): \(message)"
    }
}

/// Every problem found, so an administrator fixes them in one pass.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
