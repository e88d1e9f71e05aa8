public import AsyncHTTPClient
public import DoseConfiguration
import Foundation
import NIOCore
import NIOHTTP1

/// The two DICOMweb calls a poller needs (PS3.18): QIDO-RS to list SR
/// instances, WADO-RS to retrieve one as application/dicom. Through
/// AsyncHTTPClient: a request ends when its task is cancelled (a SIGTERM is
/// prompt), and a 401 is an answer like any other.
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
        /// 401 or 403: the store refused the credentials.
        case refused(status: Int, url: String)
        case badResponse(String)
        case transport(String)

        public var description: String {
            switch self {
            case .http(let status, let url): "HTTP \(status) from \(url)"
            case .refused(let status, let url): "HTTP \(status) from \(url): the credentials were refused"
            case .badResponse(let why): "unexpected DICOMweb response: \(why)"
            case .transport(let why): why
            }
        }
    }

    let base: String
    let authorization: String?
    let http: HTTPClient
    let timeout: TimeAmount

    /// `authorization` is the full header value ("Basic …" or "Bearer …").
    /// The caller owns `http` and shuts it down.
    public init(base: String, authorization: String?, http: HTTPClient, timeoutSeconds: Int64 = 30) {
        self.base = base
        self.authorization = authorization
        self.http = http
        timeout = .seconds(timeoutSeconds)
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
        let (body, _) = try await get(url, accept: "application/dicom+json", limit: 16 << 20)
        if body.isEmpty { return [] }  // 204 No Content: no match
        return try Self.instances(fromQIDO: Data(body))
    }

    /// WADO-RS: one instance as Part-10 bytes.
    public func retrieve(_ instance: InstanceReference, limit: Int) async throws -> [UInt8] {
        let url = base + "/studies/\(instance.studyInstanceUID)/series/\(instance.seriesInstanceUID)/instances/\(instance.sopInstanceUID)"
        let (body, contentType) = try await get(url, accept: "multipart/related; type=\"application/dicom\"", limit: limit + 65536)
        if contentType.lowercased().hasPrefix("application/dicom") { return body }
        guard let part = Self.firstPart(of: body, contentType: contentType) else {
            throw Failure.badResponse("no DICOM part in the WADO-RS response (\(contentType))")
        }
        return part
    }

    private func get(_ url: String, accept: String, limit: Int) async throws -> (body: [UInt8], contentType: String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: accept)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as ChannelError where error == .ioOnClosedChannel {
            // A pooled connection the server had closed (Orthanc closes after
            // a 401): once more on a fresh one.
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw Failure.transport("\(url): \(error)")
            }
        } catch {
            throw Failure.transport("\(url): \(error)")
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            // Read and drop the body, so the connection can be reused or closed cleanly.
            _ = try? await response.body.collect(upTo: 1 << 20)
            if status == 401 || status == 403 { throw Failure.refused(status: status, url: url) }
            throw Failure.http(status: status, url: url)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: limit)
        } catch {
            throw Failure.badResponse("the body of \(url) is larger than \(limit / 1_048_576) MiB or was cut short: \(error)")
        }
        return (Array(buffer.readableBytesView), response.headers.first(name: "Content-Type") ?? "")
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
    static func firstPart(of bytes: [UInt8], contentType: String) -> [UInt8]? {
        guard let boundary = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") })
            .map({ String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
        else { return nil }
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
