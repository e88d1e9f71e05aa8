import Foundation
import HummingbirdBcrypt

/// What a dashboard user may see. Each role sees what the one before it sees.
public enum DashboardRole: String, Sendable, Comparable, CaseIterable {
    /// Aggregates, studies and findings, never an accession number or a patient.
    case viewer
    /// Also accession numbers, patient pseudonyms and histories, CSV exports.
    case physicist
    /// Also the service's status, metrics and the dashboard's access log.
    case admin

    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// The users file: one line per user, `name:role:bcrypt-hash`, `#` comments.
/// Hashes are bcrypt (salted, cost 12) from hummingbird-auth; passwords are
/// never written anywhere. `doseaudit user add/remove/passwd` edits it.
public struct DashboardUsers: Sendable, Equatable {
    public struct User: Sendable, Equatable {
        public var name: String
        public var role: DashboardRole
        var hash: String
    }

    public private(set) var users: [User]

    public init(users: [User] = []) { self.users = users }

    public struct FileError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// A name a line, a URL and a log can carry as it is.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-@".unicodeScalars.contains($0) }
    }

    public static func parse(_ text: String, path: String) throws(FileError) -> DashboardUsers {
        var users: [User] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { throw FileError("\(path):\(number + 1): expected name:role:bcrypt-hash (make lines with `doseaudit user add`)") }
            guard isValidName(fields[0]) else { throw FileError("\(path):\(number + 1): user name \"\(fields[0])\" is not letters, digits and ._-@") }
            guard let role = DashboardRole(rawValue: fields[1]) else {
                throw FileError("\(path):\(number + 1): role \"\(fields[1])\" is not one of viewer, physicist, admin")
            }
            guard fields[2].hasPrefix("$2"), fields[2].count == 60 else { throw FileError("\(path):\(number + 1): the password hash is not bcrypt") }
            guard !users.contains(where: { $0.name == fields[0] }) else { throw FileError("\(path):\(number + 1): user \(fields[0]) appears twice") }
            users.append(User(name: fields[0], role: role, hash: fields[2]))
        }
        return DashboardUsers(users: users)
    }

    /// The file; a file that does not exist is no users yet.
    public static func load(path: String) throws(FileError) -> DashboardUsers {
        guard FileManager.default.fileExists(atPath: path) else { return DashboardUsers() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw FileError("\(path): cannot read the users file: \(error.localizedDescription)") }
        return try parse(text, path: path)
    }

    public var text: String {
        "# DoseAudit dashboard users: name:role:bcrypt-hash (edit with `doseaudit user`)\n"
            + users.map { "\($0.name):\($0.role.rawValue):\($0.hash)\n" }.joined()
    }

    /// Written whole to a new file and renamed over the old one, readable
    /// by its owner and group only. It keeps the old file's owner and group,
    /// or takes its folder's: run as root on the daemon's state folder, the
    /// file stays readable by the daemon's (dynamic) user.
    public func write(path: String) throws(FileError) {
        let temporary = path + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o640]) else {
            throw FileError("\(path): cannot write \(temporary)")
        }
        var owner = stat()
        let folder = (path as NSString).deletingLastPathComponent
        if stat(path, &owner) == 0 || stat(folder.isEmpty ? "." : folder, &owner) == 0, getuid() == 0 {
            _ = chown(temporary, owner.st_uid, owner.st_gid)
        }
        guard rename(temporary, path) == 0 else { throw FileError("\(path): cannot replace it: \(String(cString: strerror(errno)))") }
    }

    public static let minimumPasswordLength = 12

    static func checkPassword(_ password: String) throws(FileError) {
        guard password.count >= minimumPasswordLength else { throw FileError("a password needs at least \(minimumPasswordLength) characters") }
    }

    public mutating func add(_ name: String, role: DashboardRole, password: String, cost: UInt8 = 12) throws(FileError) {
        guard Self.isValidName(name) else { throw FileError("user name \"\(name)\" is not letters, digits and ._-@") }
        guard !users.contains(where: { $0.name == name }) else { throw FileError("user \(name) exists (change a password with `doseaudit user passwd`)") }
        try Self.checkPassword(password)
        users.append(User(name: name, role: role, hash: Bcrypt.hash(password, cost: cost)))
    }

    public mutating func remove(_ name: String) throws(FileError) {
        guard users.contains(where: { $0.name == name }) else { throw FileError("no user \(name)") }
        users.removeAll { $0.name == name }
    }

    public mutating func setPassword(_ name: String, password: String, role: DashboardRole? = nil, cost: UInt8 = 12) throws(FileError) {
        guard let index = users.firstIndex(where: { $0.name == name }) else { throw FileError("no user \(name)") }
        try Self.checkPassword(password)
        users[index].hash = Bcrypt.hash(password, cost: cost)
        if let role { users[index].role = role }
    }

    /// The user, if the password is theirs. An unknown name costs the same
    /// bcrypt work as a known one, so timing does not tell which names exist.
    public func authenticate(_ name: String, password: String) -> User? {
        guard let user = users.first(where: { $0.name == name }) else {
            _ = Bcrypt.verify(password, hash: Self.unknownUserHash)
            return nil
        }
        return Bcrypt.verify(password, hash: user.hash) ? user : nil
    }

    /// A bcrypt hash (cost 12) of a random password nobody is told.
    static let unknownUserHash = Bcrypt.hash(SessionToken.make(), cost: 12)
}
