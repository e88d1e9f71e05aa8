/// Text made safe for XML and HTML (element content and quoted attribute
/// values): the five special characters escaped, and the control characters
/// XML 1.0 forbids even when escaped replaced by a space. One definition for
/// the JUnit file, the weekly report and the dashboard.
public enum XMLText {
    public static func escaped(_ text: String) -> String {
        // Most text (numbers, names, dates) has nothing to escape.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) {
            return text
        }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" { out += " " } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
