import Yams

/// Booleans and numbers read from plain (unquoted) YAML scalars, as YAML
/// 1.1's implicit types, without Yams' type resolver.
///
/// Yams resolves each scalar's type with regular expressions
/// (`NSRegularExpression`), and building those brought ICU's tables into
/// memory: 2.6 MB of every process's resident set, daemon and import alike,
/// for a configuration file read once. The configuration is composed with
/// `Resolver.basic` (every scalar is text), and the few fields that are not
/// text are read here. A quoted scalar is text, as YAML says.
extension Node {
    /// `true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`, in the three
    /// spellings the YAML type repository allows (`true`, `True`, `TRUE`).
    var plainBool: Bool? {
        guard let text = plainText else { return nil }
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// A decimal whole number, optionally signed.
    var plainInt: Int? {
        plainText.flatMap { Int($0) }
    }

    /// A decimal number (`5`, `0.5`, `1e3`), optionally signed; not `.inf` or `.nan`.
    var plainDouble: Double? {
        guard let value = plainText.flatMap(Double.init), value.isFinite else { return nil }
        return value
    }

    private var plainText: String? {
        guard let scalar, scalar.style == .plain else { return nil }
        return scalar.string
    }
}
