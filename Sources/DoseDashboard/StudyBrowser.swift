import CTDoseReport
import DoseEvaluation
import DoseReports
import DoseStore
import Foundation
import Synchronization

/// A band the study browser offers as a filter, half-open [lower, upper).
struct StudyBand: Sendable, Equatable {
    var id: String
    var label: String
    var lower: Double?
    var upper: Double?

    /// The age groups of the body rows of the US ACR DIR pediatric levels
    /// (Kanal 2022, config/reference-levels/us-acr-kanal2022-age.csv).
    static let ages: [StudyBand] = [
        StudyBand(id: "0-1", label: "under 1 y", lower: 0, upper: 1), StudyBand(id: "1-5", label: "1 to under 5 y", lower: 1, upper: 5),
        StudyBand(id: "5-10", label: "5 to under 10 y", lower: 5, upper: 10), StudyBand(id: "10-15", label: "10 to under 15 y", lower: 10, upper: 15),
        StudyBand(id: "15-18", label: "15 to under 18 y", lower: 15, upper: 18), StudyBand(id: "18-", label: "18 y and over", lower: 18, upper: nil),
    ]

    /// The size bands of the SSDE reference ranges (Goske 2013 body width,
    /// Strauss 2017 effective diameter; config/reference-levels).
    static let sizes: [StudyBand] = [
        StudyBand(id: "0-15", label: "under 15 cm", lower: 0, upper: 15), StudyBand(id: "15-20", label: "15 to under 20 cm", lower: 15, upper: 20),
        StudyBand(id: "20-25", label: "20 to under 25 cm", lower: 20, upper: 25), StudyBand(id: "25-30", label: "25 to under 30 cm", lower: 25, upper: 30),
        StudyBand(id: "30-", label: "30 cm and over", lower: 30, upper: nil),
    ]
}

/// The study browser's URL: its filters, sort and page as query
/// parameters, so a view can be bookmarked and shared. Every value is
/// checked; a wrong one is a 400 naming it.
struct StudyBrowserQuery: Sendable, Equatable {
    var filter = StudyFilter()
    var sort = StudySort.newestFirst
    var page = 1
    var pageSize = 50
    var ageBand: String?
    var sizeBand: String?

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static let pageSizes = [25, 50, 100, 200]

    init() {}

    init(_ parameters: [(String, String)]) throws(Invalid) {
        for (name, raw) in parameters {
            let value = raw.trimmingCharacters(in: .whitespaces)
            if value.isEmpty { continue }
            switch name {
            case "from": filter.from = try Self.date(value, name)
            case "to": filter.to = try Self.date(value, name)
            case "scanner": filter.scanner = value
            case "protocol": filter.protocolName = value
            case "region":
                guard BodyRegion(rawValue: value) != nil else { throw Invalid(description: "region: \"\(value)\" is not one of \(BodyRegion.allCases.map(\.rawValue).joined(separator: ", "))") }
                filter.region = value
            case "age":
                guard let band = StudyBand.ages.first(where: { $0.id == value }) else { throw Invalid(description: "age: \"\(value)\" is not one of \(StudyBand.ages.map(\.id).joined(separator: ", "))") }
                ageBand = value
                (filter.ageFrom, filter.ageBelow) = (band.lower, band.upper)
            case "size":
                guard let band = StudyBand.sizes.first(where: { $0.id == value }) else { throw Invalid(description: "size: \"\(value)\" is not one of \(StudyBand.sizes.map(\.id).joined(separator: ", "))") }
                sizeBand = value
                (filter.sizeFrom, filter.sizeBelow) = (band.lower, band.upper)
            case "source":
                guard value == "none" || SizeSource(rawValue: value) != nil else {
                    throw Invalid(description: "source: \"\(value)\" is not none or one of \(SizeSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.sizeSource = value
            case "worst":
                guard Finding.Level(rawValue: value) != nil else { throw Invalid(description: "worst: \"\(value)\" is not a finding level") }
                filter.worstLevel = value
            case "above": filter.aboveDRL = value == "1" || value == "on"
            case "override": filter.doseCheckOverride = value == "1" || value == "on"
            case "q": filter.search = String(value.prefix(128))
            case "sort":
                guard let column = StudySort.Column(rawValue: value) else {
                    throw Invalid(description: "sort: \"\(value)\" is not one of \(StudySort.Column.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sort.column = column
            case "dir":
                guard value == "asc" || value == "desc" else { throw Invalid(description: "dir: expected asc or desc") }
                sort.descending = value == "desc"
            case "page":
                guard let number = Int(value), number >= 1 else { throw Invalid(description: "page: expected a number from 1") }
                page = number
            case "n":
                guard let number = Int(value), Self.pageSizes.contains(number) else { throw Invalid(description: "n: expected one of \(Self.pageSizes.map(String.init).joined(separator: ", "))") }
                pageSize = number
            default:
                throw Invalid(description: "\(name): not a study browser parameter")
            }
        }
    }

    /// YYYY-MM-DD (what a date input sends) or YYYYMMDD → DICOM DA.
    static func date(_ value: String, _ name: String) throws(Invalid) -> String {
        let digits = value.replacingOccurrences(of: "-", with: "")
        guard digits.count == 8, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), CalendarDays.dayNumber(dicomDate: digits) != nil else {
            throw Invalid(description: "\(name): \"\(value)\" is not a date (YYYY-MM-DD)")
        }
        return digits
    }

    static func inputDate(_ da: String?) -> String {
        guard let da, da.count == 8 else { return "" }
        return "\(da.prefix(4))-\(da.dropFirst(4).prefix(2))-\(da.suffix(2))"
    }

    /// The filter's parameters, without sort and page.
    var filterItems: [(String, String)] {
        var items: [(String, String)] = []
        if let v = filter.from { items.append(("from", Self.inputDate(v))) }
        if let v = filter.to { items.append(("to", Self.inputDate(v))) }
        if let v = filter.scanner { items.append(("scanner", v)) }
        if let v = filter.protocolName { items.append(("protocol", v)) }
        if let v = filter.region { items.append(("region", v)) }
        if let v = ageBand { items.append(("age", v)) }
        if let v = sizeBand { items.append(("size", v)) }
        if let v = filter.sizeSource { items.append(("source", v)) }
        if let v = filter.worstLevel { items.append(("worst", v)) }
        if filter.aboveDRL { items.append(("above", "1")) }
        if filter.doseCheckOverride { items.append(("override", "1")) }
        if let v = filter.search { items.append(("q", v)) }
        return items
    }

    var sortItems: [(String, String)] {
        sort == .newestFirst ? [] : [("sort", sort.column.rawValue), ("dir", sort.descending ? "desc" : "asc")]
    }

    static func encode(_ items: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    func url(_ path: String = "/studies", page: Int? = nil, sort: StudySort? = nil) -> String {
        var copy = self
        if let sort { copy.sort = sort }
        var items = copy.filterItems + copy.sortItems
        if let page, page > 1 { items.append(("page", String(page))) }
        if pageSize != 50 { items.append(("n", String(pageSize))) }
        return items.isEmpty ? path : path + "?" + Self.encode(items)
    }

    var csvURL: String {
        let items = filterItems + sortItems
        return items.isEmpty ? "/studies.csv" : "/studies.csv?" + Self.encode(items)
    }
}

/// The study browser: every study, newest first, filtered, sorted, paged,
/// and the same rows as CSV.
struct StudyBrowser: Sendable {
    let store: SQLiteDoseStore
    let clock: SiteTime
    let choices: FilterChoices

    static let csvHeader = [
        "study_date", "study_time", "received", "accession_number", "patient_pseudonym", "scanner", "study_description", "protocols", "regions",
        "age_years", "size_cm", "size_source", "worst_level", "above_drl", "dose_check_override", "total_dlp_mgycm", "events", "highest_ratio", "study_key",
    ]

    /// A CSV row; accession number and pseudonym left empty for a role that may not see them.
    func csvRow(_ s: StudyListRow, identity: DashboardIdentity) -> [String] {
        [
            CalendarDays.display(s.studyDate), s.studyTime.map { SiteTime.studyDateTime(date: "00000000", time: $0).suffix(5) }.map(String.init) ?? "",
            clock.format(s.receivedAt), identity.seesIdentifiers ? s.accessionNumber ?? "" : "", identity.seesIdentifiers ? s.patientPseudonym ?? "" : "",
            s.scanner, s.studyDescription ?? "", s.protocols.joined(separator: "; "), s.regions.joined(separator: "; "),
            s.ageYears.map { NumberText.fixed($0, digits: 1) } ?? "", s.sizeCm.map { NumberText.fixed($0, digits: 1) } ?? "", s.sizeSource ?? "none",
            s.worstLevel ?? "", s.aboveDRL ? "yes" : "no", s.doseCheckOverride ? "yes" : "no", NumberText.fixed(s.totalDLP, digits: 1), String(s.eventCount),
            s.maxRatio.map { NumberText.fixed($0, digits: 2) } ?? "", s.studyKey,
        ]
    }

    func csv(_ query: StudyBrowserQuery, identity: DashboardIdentity) throws -> String {
        var out = CSVText.line(Self.csvHeader)
        try store.forEachStudy(query.filter, sort: query.sort) { out += CSVText.line(csvRow($0, identity: identity)) }
        return out
    }

    func page(_ query: StudyBrowserQuery, identity: DashboardIdentity) throws -> String {
        var query = query
        if !identity.seesIdentifiers { query.filter.search = nil }
        let result = try store.studyList(query.filter, sort: query.sort, page: query.page, pageSize: query.pageSize)
        var body = form(query, identity: identity)
        let first = (result.page - 1) * result.pageSize
        if result.total == 0 {
            body += "<p class=\"empty\" id=\"no-match\">No study matches these filters. <a href=\"/studies\">Clear the filters</a>.</p>\n"
        } else {
            let shown = result.rows.isEmpty ? "none on this page" : "\(Self.count(first + 1))–\(Self.count(first + result.rows.count))"
            let total = (result.totalIsAtLeast ? "more than " : "") + Self.count(result.total)
            body += "<p id=\"count\">Studies \(shown) of <strong>\(total)</strong>, \(escape(Self.sortText(query.sort))). "
            body += "<a href=\"\(escape(query.csvURL))\" id=\"csv\">Download \(result.totalIsAtLeast ? "all" : "these") \(total) studies as CSV</a></p>\n"
            body += table(result.rows, query: query, identity: identity)
            body += pager(result, query: query)
        }
        body += "<p class=\"note\">Study date and time are the scanner's; received is when DoseAudit first received the study's dose report (\(escape(clock.timeZone.identifier))). "
            + "The size is the best-sourced size of the study's events; a size from age is an estimate (marked ~).</p>\n"
        return DashboardPages.document(title: "Studies", body: body, identity: identity)
    }

    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return out
    }

    static func sortText(_ sort: StudySort) -> String {
        let name: String = switch sort.column {
        case .studyDate: "study date"
        case .received: "time received"
        case .scanner: "scanner"
        case .age: "age"
        case .size: "size"
        case .totalDLP: "total DLP"
        case .worst: "worst finding"
        case .ratio: "highest ratio to a level"
        }
        return "by \(name), \(sort.descending ? (sort.column == .studyDate || sort.column == .received ? "newest" : "highest") : (sort.column == .studyDate || sort.column == .received ? "oldest" : "lowest")) first"
    }

    func form(_ query: StudyBrowserQuery, identity: DashboardIdentity) -> String {
        let f = query.filter
        func options(_ values: [(String, String)], selected: String?) -> String {
            "<option value=\"\">any</option>" + values.map { "<option value=\"\(escape($0.0))\"\($0.0 == selected ? " selected=\"selected\"" : "")>\(escape($0.1))</option>" }.joined()
        }
        var out = "<form method=\"get\" action=\"/studies\" id=\"filters\" class=\"filters\">\n"
        out += "<label>Study date from <input type=\"date\" name=\"from\" value=\"\(StudyBrowserQuery.inputDate(f.from))\"/></label>\n"
        out += "<label>to <input type=\"date\" name=\"to\" value=\"\(StudyBrowserQuery.inputDate(f.to))\"/></label>\n"
        out += "<label>Scanner <select name=\"scanner\">\(options(choices.scanners.map { ($0, $0) }, selected: f.scanner))</select></label>\n"
        out += "<label>Protocol <select name=\"protocol\">\(options(choices.protocols.map { ($0, $0) }, selected: f.protocolName))</select></label>\n"
        out += "<label>Region <select name=\"region\">\(options(BodyRegion.allCases.map { ($0.rawValue, $0.rawValue) }, selected: f.region))</select></label>\n"
        out += "<label>Age <select name=\"age\">\(options(StudyBand.ages.map { ($0.id, $0.label) }, selected: query.ageBand))</select></label>\n"
        out += "<label>Size <select name=\"size\">\(options(StudyBand.sizes.map { ($0.id, $0.label) }, selected: query.sizeBand))</select></label>\n"
        out += "<label>Size source <select name=\"source\">\(options(SizeSource.allCases.map { ($0.rawValue, $0.displayName) } + [("none", "no size")], selected: f.sizeSource))</select></label>\n"
        out += "<label>Worst finding <select name=\"worst\">\(options(Finding.Level.allCases.filter { $0 != .recurrentImaging }.map { ($0.rawValue, DashboardPages.levelName($0.rawValue)) }, selected: f.worstLevel))</select></label>\n"
        out += "<label><input type=\"checkbox\" name=\"above\" value=\"1\"\(f.aboveDRL ? " checked=\"checked\"" : "")/> at or above a DRL</label>\n"
        out += "<label><input type=\"checkbox\" name=\"override\" value=\"1\"\(f.doseCheckOverride ? " checked=\"checked\"" : "")/> Dose Check override</label>\n"
        if identity.seesIdentifiers {
            out += "<label>Accession or patient <input name=\"q\" value=\"\(escape(f.search ?? ""))\" placeholder=\"beginning, any case\"/></label>\n"
        }
        if query.sort != .newestFirst {
            out += "<input type=\"hidden\" name=\"sort\" value=\"\(query.sort.column.rawValue)\"/><input type=\"hidden\" name=\"dir\" value=\"\(query.sort.descending ? "desc" : "asc")\"/>\n"
        }
        out += "<label>Per page <select name=\"n\">" + StudyBrowserQuery.pageSizes.map { "<option\($0 == query.pageSize ? " selected=\"selected\"" : "")>\($0)</option>" }.joined() + "</select></label>\n"
        out += "<button type=\"submit\">Show studies</button> <a href=\"/studies\">clear</a>\n</form>\n"
        return out
    }

    func table(_ rows: [StudyListRow], query: StudyBrowserQuery, identity: DashboardIdentity) -> String {
        func header(_ title: String, _ column: StudySort.Column?) -> String {
            guard let column else { return "<th>\(escape(title))</th>" }
            let active = query.sort.column == column
            // A first click sorts dates newest first and numbers highest first.
            let next = StudySort(column: column, descending: active ? !query.sort.descending : true)
            let mark = active ? (query.sort.descending ? " ▼" : " ▲") : ""
            return "<th><a href=\"\(escape(query.url(sort: next)))\">\(escape(title))\(mark)</a></th>"
        }
        var out = "<table id=\"studies\" class=\"wide\"><thead><tr>"
        out += header("Study date", .studyDate) + header("Received", .received)
        if identity.seesIdentifiers { out += header("Accession", nil) + header("Patient", nil) }
        out += header("Scanner", .scanner) + header("Protocols", nil) + header("Region", nil) + header("Age (y)", .age) + header("Size (cm)", .size)
        out += header("Size from", nil) + header("Total DLP (mGy·cm)", .totalDLP) + header("Worst finding", .worst) + header("Highest ratio", .ratio)
        out += "</tr></thead><tbody>\n"
        for s in rows {
            let estimate = s.sizeSource == SizeSource.age.rawValue
            let link = "/studies/\(StudyLinks.path(s.studyKey))"
            var cells = [
                "<a href=\"\(escape(link))\">\(escape(SiteTime.studyDateTime(date: s.studyDate, time: s.studyTime)))</a>", escape(clock.format(s.receivedAt)),
            ]
            if identity.seesIdentifiers {
                cells += [
                    "<a href=\"\(escape(link))\">\(escape(s.accessionNumber ?? "-"))</a>",
                    s.patientPseudonym.map { "<a href=\"/patients/\(escape($0))\">\(escape($0))</a>" } ?? "-",
                ]
            }
            cells += [
                escape(s.scanner), escape(s.protocols.joined(separator: "; ")), escape(s.regions.joined(separator: ", ")),
                s.ageYears.map { NumberText.fixed($0, digits: 1) } ?? "", s.sizeCm.map { (estimate ? "~" : "") + NumberText.fixed($0, digits: 1) } ?? "",
                escape(SizeSource.displayName(stored: s.sizeSource)), NumberText.fixed(s.totalDLP, digits: 0),
                "<span class=\"level-\(escape(s.worstLevel ?? "none"))\">\(escape(DashboardPages.levelName(s.worstLevel)))</span>"
                    + (s.doseCheckOverride && s.worstLevel != Finding.Level.doseCheckOverride.rawValue ? " (Dose Check override)" : ""),
                s.maxRatio.map { NumberText.fixed($0, digits: 2) } ?? "",
            ]
            out += "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    func pager(_ result: StudyListPage, query: StudyBrowserQuery) -> String {
        guard result.pageCount > 1 else { return "" }
        var links: [String] = []
        if result.page > 1 {
            links.append("<a href=\"\(escape(query.url(page: 1)))\" rel=\"first\">« first</a>")
            links.append("<a href=\"\(escape(query.url(page: result.page - 1)))\" rel=\"prev\">‹ previous</a>")
        }
        links.append("page \(Self.count(result.page)) of \(result.totalIsAtLeast ? "more than " : "")\(Self.count(result.pageCount))")
        if result.page < result.pageCount || (result.totalIsAtLeast && !result.rows.isEmpty) {
            links.append("<a href=\"\(escape(query.url(page: result.page + 1)))\" rel=\"next\">next ›</a>")
            if !result.totalIsAtLeast { links.append("<a href=\"\(escape(query.url(page: result.pageCount)))\" rel=\"last\">last »</a>") }
        }
        return "<p class=\"pager\" id=\"pager\">" + links.joined(separator: " · ") + "</p>\n"
    }
}

/// Scanners and protocols the filters offer, read at most once a minute
/// (a scan of every study's list and protocol rows, ~45 ms on 250,000
/// studies). One request refreshes them; the others meanwhile show the
/// last lists, so an expiry under load is one scan, not one per request.
final class FilterChoices: Sendable {
    private struct Lists {
        var at: Date
        var scanners: [String]
        var protocols: [String]
        var refreshing = false
    }

    private let store: SQLiteDoseStore
    private let cache = Mutex<Lists?>(nil)
    static let maximumAge: TimeInterval = 60

    init(store: SQLiteDoseStore) { self.store = store }

    private func current() -> (scanners: [String], protocols: [String]) {
        let now = Date()
        let last = cache.withLock { lists -> (scanners: [String], protocols: [String])? in
            guard var current = lists else { return nil }
            if current.refreshing || now.timeIntervalSince(current.at) < Self.maximumAge { return (current.scanners, current.protocols) }
            current.refreshing = true
            lists = current
            return nil
        }
        if let last { return last }
        let fresh = ((try? store.scannerStudyCounts().map(\.name)) ?? [], (try? store.protocolNames()) ?? [])
        cache.withLock { $0 = Lists(at: Date(), scanners: fresh.0, protocols: fresh.1) }
        return fresh
    }

    var scanners: [String] { current().scanners }
    var protocols: [String] { current().protocols }
}

/// Study keys are UIDs (digits and dots) or "sop:" + a UID: safe in a path.
enum StudyLinks {
    static func path(_ key: String) -> String {
        // A UID needs no encoding: its bytes are checked, not re-encoded.
        if key.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2E || $0 == 0x2D || $0 == 0x5F || $0 == 0x3A }) {
            return key
        }
        return key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_:"))) ?? key
    }
}
