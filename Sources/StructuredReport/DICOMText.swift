/// DICOM pads text values with spaces (PS3.5 6.2); readers strip them.
extension StringProtocol {
    /// The text without leading and trailing spaces.
    public var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
