import ArgumentParser
import CTDoseReport
import CTImageSize
import DoseConfiguration
import DoseEvaluation
import DoseReader
import Glibc

extension DoseAuditCommand {
    /// `doseaudit bench`: the reader's throughput on one core.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the full typed extraction rate (files/s, events/s) on one core.",
            discussion: """
                Reads the inputs repeatedly (at least --files reads in all) through the complete \
                path: DCMTK parse, content tree, typed TID 10011 decode. Compare with the bare DCMTK \
                loop by running Benchmarks/reader.sh, which runs both on the same files in one run.
                """
        )

        @Argument(help: "DICOM files or directories to read.")
        var inputs: [String]

        @Option(help: "Total number of file reads (the inputs are repeated to reach it).")
        var files = 1000

        @Option(help: "Untimed warm-up reads before measuring.")
        var warmup = 50

        @Flag(help: "Also run the full evaluation (SSDE, classification, every configured reference set) and report its added cost.")
        var evaluate = false

        @Flag(help: "Measure CT images instead: the full patient-size path (decode, HU, region, holes, table removal, truncation) per file.")
        var images = false

        @OptionGroup var configurationOptions: ConfigurationOptions

        func run() async throws {
            let paths = InputFiles.expand(inputs)
            guard !paths.isEmpty else { throw ValidationError("no input files") }
            if images { return benchImages(paths) }
            var reads = 0, reports = 0, events = 0, rejected = 0
            for i in 0..<warmup { _ = try? DoseReportReader.read(contentsOf: paths[i % paths.count]) }
            let start = now()
            while reads < files {
                let path = paths[reads % paths.count]
                reads += 1
                do {
                    let report = try DoseReportReader.read(contentsOf: path)
                    reports += 1
                    events += report.events.count
                } catch {
                    rejected += 1
                }
            }
            let seconds = now() - start
            print("reader: files=\(reads) reports=\(reports) rejected=\(rejected) events=\(events) seconds=\(NumberText.fixed(seconds, digits: 3)) files_per_s=\(Int(Double(reads) / seconds)) events_per_s=\(Int(Double(events) / seconds))")
            guard evaluate else { return }
            guard let path = configurationOptions.resolvedPath() else { throw ValidationError("--evaluate needs a configuration (--config)") }
            let configuration = try ConfigurationLoader.load(path: path)
            let evaluator = DoseEvaluator(settings: ConfigurationLoader.settings(configuration, sets: try ConfigurationLoader.referenceSets(configuration)))
            // Evaluation timed on its own over reports already read, so the
            // figure is not the difference of two noisy measurements.
            let reportsRead = paths.compactMap { try? DoseReportReader.read(contentsOf: $0) }
            guard !reportsRead.isEmpty else { return }
            var findings = 0
            let startEvaluated = now()
            for i in 0..<reads { findings += evaluator.evaluate(reportsRead[i % reportsRead.count]).allFindings.count }
            let evaluationSeconds = now() - startEvaluated
            let perFileRead = seconds / Double(reads) * 1e6
            let perFileEvaluation = evaluationSeconds / Double(reads) * 1e6
            print("evaluation: reports=\(reads) findings=\(findings) seconds=\(NumberText.fixed(evaluationSeconds, digits: 3)) reports_per_s=\(Int(Double(reads) / evaluationSeconds))")
            print("per file: read \(NumberText.fixed(perFileRead, digits: 1)) us, evaluate \(NumberText.fixed(perFileEvaluation, digits: 1)) us: evaluation adds \(NumberText.fixed(perFileEvaluation / perFileRead * 100, digits: 1)) % to the reader's cost")
        }

        /// Images/s and the mean Dw, in the shape the bare DCMTK floor
        /// (../shared/bench/dcmtk_pixel_floor.cpp) prints, so a script compares them.
        private func benchImages(_ paths: [String]) {
            for i in 0..<min(warmup, paths.count) { _ = try? CTImageSizeReader.read(contentsOf: paths[i]) }
            var reads = 0, sized = 0, sumDw = 0.0
            let start = now()
            while reads < files {
                let path = paths[reads % paths.count]
                reads += 1
                guard let record = try? CTImageSizeReader.read(contentsOf: path) else { continue }
                for frame in record.frames {
                    if let size = frame.size { sized += 1; sumDw += size.waterEquivalentDiameterCm }
                }
            }
            let seconds = now() - start
            print("images=\(reads) sized=\(sized) meanDw_cm=\(NumberText.fixed(sized > 0 ? sumDw / Double(sized) : 0, digits: 2)) seconds=\(NumberText.fixed(seconds, digits: 3)) images_per_s=\(Int(Double(reads) / seconds))")
        }

        private func now() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
    }
}
