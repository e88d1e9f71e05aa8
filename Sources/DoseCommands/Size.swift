import ArgumentParser
import CTImageSize
import DoseReader
import Foundation

extension DoseAuditCommand {
    /// `doseaudit size`: measure patient size on CT images.
    struct Size: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the water-equivalent diameter (AAPM Report 220) on CT images, per series and slice.",
            discussion: """
                Reads CT Image Storage and Enhanced CT Image Storage objects (uncompressed, deflate, RLE, \
                JPEG, JPEG-LS; not JPEG 2000). For each series it prints the slices along z with their Dw, \
                effective diameter, AP and lateral dimensions and truncation, what was not used and why, \
                and the series' Dw at the centre of its range and its mean. Pixels are read, measured and \
                discarded. Exit status 0 when every input was a usable CT image, 2 otherwise.
                """
        )

        @Argument(help: "CT image files or directories.")
        var inputs: [String]

        @Option(help: "Output format: table (for people) or json (the size records and series).")
        var format: OutputFormat = .table

        func run() async throws {
            let files = InputFiles.expand(inputs)
            if files.isEmpty { throw ValidationError("no input files found in \(inputs.joined(separator: ", "))") }
            let measured = ImageSizes.measure(files)
            var output = StandardOutput()
            switch format {
            case .table: output.write(SizeTable(series: SeriesSize.group(measured.records), rejected: measured.rejected).render())
            case .json: output.write(try SizeJSON.render(measured))
            }
            output.flush()
            for (file, error) in measured.rejected { StandardError.write("doseaudit: \(file): \(error)\n") }
            if !measured.rejected.isEmpty { throw ExitStatus.unusableInput }
        }
    }
}

/// Image files measured one at a time (one decoded image in memory at once).
struct ImageSizes {
    var records: [ImageSizeRecord] = []
    var rejected: [(file: String, error: ImageReadError)] = []

    static func measure(_ files: [String]) -> ImageSizes {
        var result = ImageSizes()
        for file in files {
            do { result.records.append(try CTImageSizeReader.read(contentsOf: file)) } catch {
                result.rejected.append((file, error))
            }
        }
        return result
    }
}

enum SizeJSON {
    struct Document: Encodable {
        var method: String
        var eventRule: String
        var series: [Series]
        var rejected: [Rejected]
    }

    struct Series: Encodable {
        var series: SeriesSize
        var size: RangeSize?
    }

    struct Rejected: Encodable {
        var file: String
        var reason: String
    }

    static func render(_ measured: ImageSizes) throws -> String {
        let document = Document(
            method: ImageSizeRecord.method, eventRule: SizeMethod.eventDwRule,
            series: SeriesSize.group(measured.records).map { Series(series: $0, size: $0.size()) },
            rejected: measured.rejected.map { Rejected(file: $0.file, reason: $0.error.description) }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
