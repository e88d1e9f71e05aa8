import ArgumentParser
import DoseConfiguration
import DoseDashboard
import Foundation

extension DoseAuditCommand {
    /// `doseaudit user`: the dashboard's users file (add, remove, passwd, list).
    struct User: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the dashboard's users: names, roles and salted password hashes.",
            discussion: """
                Roles: viewer (aggregates and studies, never an accession number or a patient), physicist \
                (also accession numbers, patients, CSV exports and the weekly reports), admin (also status, \
                metrics and the access log). The password is read from the terminal without echo, or from \
                standard input with --password-stdin; it is stored only as a bcrypt hash (cost 12). \
                A running `serve` reads the file again when it changes; a removed user, or one whose \
                password changed, is signed out.
                """,
            subcommands: [Add.self, Remove.self, Passwd.self, List.self]
        )
    }
}

/// Where the users file is: --users-file, or the configuration's serve.dashboard.users_file.
struct UsersFileOptions: ParsableArguments {
    @Option(name: .customLong("users-file"), help: "The users file (default: serve.dashboard.users_file of the configuration).")
    var usersFile: String?
    @OptionGroup var configurationOptions: ConfigurationOptions

    func path() throws -> String {
        if let usersFile { return usersFile }
        guard let config = configurationOptions.resolvedPath() else { throw CommandFailure("no configuration found; give --users-file FILE or --config FILE") }
        let configuration = try ConfigurationLoader.load(path: config)
        guard let path = configuration.service.dashboard?.usersFile else {
            throw CommandFailure("\(config) names no serve.dashboard.users_file; give --users-file FILE")
        }
        return path
    }
}

/// A password from the terminal (asked twice, not echoed) or one line of standard input.
enum PasswordInput {
    static func read(fromStandardInput: Bool) throws -> String {
        if fromStandardInput {
            guard let line = Swift.readLine(strippingNewline: true) else { throw CommandFailure("no password on standard input") }
            return line
        }
        guard let first = getpass("Password: ").map({ String(cString: $0) }), let second = getpass("Password again: ").map({ String(cString: $0) }) else {
            throw CommandFailure("cannot read a password from the terminal; use --password-stdin")
        }
        guard first == second else { throw CommandFailure("the two passwords differ") }
        return first
    }
}

extension DoseAuditCommand.User {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a role.")
        @Argument(help: "The user name (letters, digits and ._-@).") var name: String
        @Option(help: "viewer, physicist or admin.") var role: String
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @OptionGroup var file: UsersFileOptions

        func run() async throws {
            try UserFileEdit.run { users in
                guard let role = DashboardRole(rawValue: role) else { throw CommandFailure("role \(role) is not one of viewer, physicist, admin") }
                try users.add(name, role: role, password: try PasswordInput.read(fromStandardInput: passwordStdin))
                return "added \(name) (\(role.rawValue))"
            } path: { try file.path() }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (a running dashboard signs them out).")
        @Argument var name: String
        @OptionGroup var file: UsersFileOptions

        func run() async throws {
            try UserFileEdit.run { users in
                try users.remove(name)
                return "removed \(name)"
            } path: { try file.path() }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (and, with --role, its role).")
        @Argument var name: String
        @Option(help: "A new role: viewer, physicist or admin.") var role: String?
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false
        @OptionGroup var file: UsersFileOptions

        func run() async throws {
            try UserFileEdit.run { users in
                let newRole = try role.map { raw throws(CommandFailure) -> DashboardRole in
                    guard let value = DashboardRole(rawValue: raw) else { throw CommandFailure("role \(raw) is not one of viewer, physicist, admin") }
                    return value
                }
                try users.setPassword(name, password: try PasswordInput.read(fromStandardInput: passwordStdin), role: newRole)
                return "changed the password of \(name)" + (newRole.map { " (now \($0.rawValue))" } ?? "")
            } path: { try file.path() }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their roles.")
        @OptionGroup var file: UsersFileOptions

        func run() async throws {
            do {
                let users = try DashboardUsers.load(path: try file.path())
                for user in users.users { print("\(user.name)\t\(user.role.rawValue)") }
            } catch {
                StandardError.write("doseaudit user: \(error)\n")
                throw ExitStatus.unusableInput
            }
        }
    }
}

/// Reads the users file, applies one change, writes it back whole.
enum UserFileEdit {
    static func run(_ change: (inout DashboardUsers) throws -> String, path: () throws -> String) throws {
        do {
            let file = try path()
            var users = try DashboardUsers.load(path: file)
            let done = try change(&users)
            try users.write(path: file)
            print("doseaudit user: \(done) in \(file)")
        } catch {
            StandardError.write("doseaudit user: \(error)\n")
            throw ExitStatus.unusableInput
        }
    }
}
