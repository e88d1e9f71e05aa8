public import DoseConfiguration
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The two DICOMweb calls a poller needs (PS3.18): QIDO-RS to list SR
/// instances, WADO-RS to retrieve one as application/dicom.
public struct DICOMwebClient: Sendable {
    /// One instance as QIDO-RS lists it.
    public struct InstanceReference: Sendable, Equatable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var sopInstanceUID: String
        /// YYYYMMDD, when the store returned it.
        public var studyDate: String?
    }

    public enum Failure: Error, CustomStringConvertible {
        case http(status: Int, url: String)
        case badResponse(String)

        public var description: String {
            switch self {
            case .http(let status, let url): "HTTP \(status) from \(url)"
            case .badResponse(let why): "unexpected DICOMweb response: \(why)"
            }
        }
    }

    let base: String
    let authorization: String?
    let session: URLSession

    /// `authorization` is the full header value ("Basic …" or "Bearer …").
    public init(base: String, authorization: String?, timeoutSeconds: Double = 30) {
        self.base = base
        self.authorization = authorization
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        session = URLSession(configuration: configuration)
    }

    /// The Authorization header for a source's configured credentials.
    public static func authorization(for source: DICOMwebSourceSettings) throws -> String? {
        guard source.authentication != .none, let file = source.credentialsFile else { return nil }
        let secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        switch source.authentication {
        case .none: return nil
        case .basic: return "Basic " + Data(secret.utf8).base64EncodedString()
        case .bearer: return "Bearer " + secret
        }
    }

    /// QIDO-RS: SR instances of `sopClass`, from studies dated `since` (YYYYMMDD) or later.
    public func searchInstances(sopClass: String, since: String?, offset: Int, limit: Int) async throws -> [InstanceReference] {
        var query = [
            "Modality=SR", "SOPClassUID=\(sopClass)", "includefield=00080020",
            "limit=\(limit)", "offset=\(offset)",
        ]
        if let since { query.append("StudyDate=\(since)-") }
        let url = base + "/instances?" + query.joined(separator: "&")
        let (data, _) = try await get(url, accept: "application/dicom+json")
        if data.isEmpty { return [] }  // 204 No Content: no match
        return try Self.instances(fromQIDO: data)
    }

    /// WADO-RS: one instance as Part-10 bytes.
    public func retrieve(_ instance: InstanceReference) async throws -> [UInt8] {
        let url = base + "/studies/\(instance.studyInstanceUID)/series/\(instance.seriesInstanceUID)/instances/\(instance.sopInstanceUID)"
        let (data, response) = try await get(url, accept: "multipart/related; type=\"application/dicom\"")
        let contentType = response.value(forHTTPHeaderField: "Content-Type") ?? ""
        if contentType.lowercased().hasPrefix("application/dicom") { return Array(data) }
        guard let part = Self.firstPart(of: data, contentType: contentType) else {
            throw Failure.badResponse("no DICOM part in the WADO-RS response (\(contentType))")
        }
        return part
    }

    private func get(_ url: String, accept: String) async throws -> (Data, HTTPURLResponse) {
        guard let target = URL(string: url) else { throw Failure.badResponse("bad URL \(url)") }
        var request = URLRequest(url: target)
        request.setValue(accept, forHTTPHeaderField: "Accept")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw Failure.badResponse("not HTTP") }
        guard (200..<300).contains(http.statusCode) else { throw Failure.http(status: http.statusCode, url: url) }
        return (data, http)
    }

    /// Parses the DICOM JSON model (PS3.18 F.2) of a QIDO-RS response.
    static func instances(fromQIDO data: Data) throws -> [InstanceReference] {
        guard let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Failure.badResponse("QIDO-RS did not return a JSON array")
        }
        func value(_ object: [String: Any], _ tag: String) -> String? {
            guard let attribute = object[tag] as? [String: Any], let values = attribute["Value"] as? [Any] else { return nil }
            return values.first as? String
        }
        return array.compactMap { object in
            guard let study = value(object, "0020000D"), let series = value(object, "0020000E"), let sop = value(object, "00080018") else { return nil }
            return InstanceReference(studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop, studyDate: value(object, "00080020"))
        }
    }

    /// The body of the first part of a multipart/related response (RFC 2387).
    static func firstPart(of data: Data, contentType: String) -> [UInt8]? {
        guard let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") })
            .map({ String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
        else { return nil }
        let bytes = [UInt8](data)
        let delimiter = Array("--\(boundary)".utf8)
        guard let start = find(delimiter, in: bytes, from: 0) else { return nil }
        guard let headersEnd = find(Array("\r\n\r\n".utf8), in: bytes, from: start + delimiter.count) else { return nil }
        let bodyStart = headersEnd + 4
        guard let next = find(Array("\r\n--\(boundary)".utf8), in: bytes, from: bodyStart) else { return nil }
        return Array(bytes[bodyStart..<next])
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
