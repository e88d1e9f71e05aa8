import Foundation
public import Testing

/// One entry of ../shared/corpus/openrem/expected.json.
public struct CorpusCase: Sendable, CustomTestStringConvertible {
    public let file: String
    public let fields: [String: JSONAny]
    public var testDescription: String { file }

    public static var allDoseFiles: [String] { all.filter { $0.fields["is_ct_dose_report"]?.bool == true }.map(\.file) }

    public static let all: [CorpusCase] = {
        let data = FileManager.default.contents(atPath: Fixtures.corpusFile("expected.json")) ?? Data()
        let list = (try? JSONDecoder().decode([[String: JSONAny]].self, from: data)) ?? []
        return list.map { CorpusCase(file: $0["file"]?.string ?? "?", fields: $0) }
    }()
}

/// Any JSON value, decoded without bridging (so true never reads as 1).
public enum JSONAny: Sendable, Equatable, Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONAny]), object([String: JSONAny])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let array = try? container.decode([JSONAny].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONAny].self)) }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var object: [String: JSONAny]? { if case .object(let o) = self { o } else { nil } }
    public var array: [JSONAny]? { if case .array(let a) = self { a } else { nil } }
    public subscript(key: String) -> JSONAny { object?[key] ?? .null }
}


/// One entry of sample-dicom/expected.json.
public struct SampleCase: Sendable, CustomTestStringConvertible {
    public let file: String
    public let fields: JSONAny
    public var testDescription: String { file }

    public static let all: [SampleCase] = {
        let data = FileManager.default.contents(atPath: Fixtures.sampleFile("expected.json")) ?? Data()
        let list = (try? JSONDecoder().decode([JSONAny].self, from: data)) ?? []
        return list.map { SampleCase(file: $0["file"].string ?? "?", fields: $0) }
    }()

    public static var doseReports: [SampleCase] { all.filter { $0.fields["isCTDoseReport"].bool == true } }
}

