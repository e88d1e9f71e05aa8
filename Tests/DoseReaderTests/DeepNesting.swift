import DoseTestSupport
import Foundation
import Testing

/// Objects whose sequences nest N levels deep, written by hand in each
/// transfer syntax (undefined lengths: a few bytes a level, no quadratic
/// encoding), for the pre-scan's depth limit.
enum DeepNesting {
    enum Encoding: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case explicitLittle, implicitLittle, explicitBig, deflated
        var testDescription: String { rawValue }
        var transferSyntax: String {
            switch self {
            case .explicitLittle: "1.2.840.10008.1.2.1"
            case .implicitLittle: "1.2.840.10008.1.2"
            case .explicitBig: "1.2.840.10008.1.2.2"
            case .deflated: "1.2.840.10008.1.2.1.99"
            }
        }
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { le32(v).reversed() }

    static func element(_ group: UInt16, _ element: UInt16, _ vr: String, _ value: [UInt8], _ encoding: Encoding) -> [UInt8] {
        let value = value.count % 2 == 0 ? value : value + [vr == "UI" ? 0 : 0x20]
        switch encoding {
        case .implicitLittle: return le16(group) + le16(element) + le32(UInt32(value.count)) + value
        case .explicitBig: return be16(group) + be16(element) + Array(vr.utf8) + be16(UInt16(value.count)) + value
        case .explicitLittle, .deflated: return le16(group) + le16(element) + Array(vr.utf8) + le16(UInt16(value.count)) + value
        }
    }

    /// SOP Class (X-Ray Radiation Dose SR), SOP Instance, Modality.
    static func header(_ encoding: Encoding) -> [UInt8] {
        element(0x0008, 0x0016, "UI", Array("1.2.840.10008.5.1.4.1.1.88.67".utf8), encoding)
            + element(0x0008, 0x0018, "UI", Array("2.25.7001".utf8), encoding)
            + element(0x0008, 0x0060, "CS", Array("SR".utf8), encoding)
    }

    /// Content Sequences (0040,A730) nested `levels` deep, undefined lengths.
    static func nested(levels: Int, _ encoding: Encoding) -> [UInt8] {
        let big = encoding == .explicitBig
        let tag16 = big ? be16 : le16
        let len32 = big ? be32 : le32
        var sequenceHeader = tag16(0x0040) + tag16(0xA730)
        if encoding != .implicitLittle { sequenceHeader += Array("SQ".utf8) + [0, 0] }
        sequenceHeader += len32(0xFFFF_FFFF)
        let itemHeader = tag16(0xFFFE) + tag16(0xE000) + len32(0xFFFF_FFFF)
        let itemEnd = tag16(0xFFFE) + tag16(0xE00D) + len32(0)
        let sequenceEnd = tag16(0xFFFE) + tag16(0xE0DD) + len32(0)
        var out: [UInt8] = []
        out.reserveCapacity(levels * 40)
        for _ in 0..<levels { out += sequenceHeader + itemHeader }
        for _ in 0..<levels { out += itemEnd + sequenceEnd }
        return out
    }

    static func meta(_ transferSyntax: String) -> [UInt8] {
        var body = element(0x0002, 0x0001, "OB", [], .explicitLittle)
        body = le16(0x0002) + le16(0x0001) + Array("OB".utf8) + [0, 0] + le32(2) + [0, 1]
        body += element(0x0002, 0x0002, "UI", Array("1.2.840.10008.5.1.4.1.1.88.67".utf8), .explicitLittle)
        body += element(0x0002, 0x0003, "UI", Array("2.25.7001".utf8), .explicitLittle)
        body += element(0x0002, 0x0010, "UI", Array(transferSyntax.utf8), .explicitLittle)
        let length = le16(0x0002) + le16(0x0000) + Array("UL".utf8) + le16(4) + le32(UInt32(body.count))
        return [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + length + body
    }

    static func file(levels: Int, encoding: Encoding) throws -> [UInt8] {
        let datasetEncoding: Encoding = encoding == .deflated ? .explicitLittle : encoding
        let dataset = header(datasetEncoding) + nested(levels: levels, datasetEncoding)
        if encoding == .deflated { return try deflatedFile(dataset: dataset) }
        return meta(encoding.transferSyntax) + dataset
    }

    /// A Deflated Explicit VR Little Endian file (raw deflate, PS3.5 A.5),
    /// compressed by Python's zlib, an independent implementation.
    static func deflatedFile(dataset: [UInt8]) throws -> [UInt8] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("deflate-\(UUID().uuidString)").path
        let output = input + ".z"
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: output)
        }
        try Data(dataset).write(to: URL(fileURLWithPath: input))
        let result = try ProcessRunner.run("python3", ["-c", """
            import sys, zlib
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = open(sys.argv[1], 'rb').read()
            open(sys.argv[2], 'wb').write(c.compress(data) + c.flush())
            """, input, output])
        guard result.status == 0 else { throw POSIXError(.EIO) }
        return meta(Encoding.deflated.transferSyntax) + Fixtures.bytes(output)
    }
}
