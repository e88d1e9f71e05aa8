import CTDoseReport
import CTImageSize
import DoseReader

/// The `size` command's table: per series, every slice along z.
struct SizeTable {
    var series: [SeriesSize]
    var rejected: [(file: String, error: ImageReadError)]

    func render() -> String {
        var lines: [String] = []
        for s in series {
            let label = [s.seriesNumber.map { "series \($0)" }, s.seriesDescription].compactMap { $0 }.joined(separator: " ")
            lines.append("Series \(s.seriesInstanceUID)\(label.isEmpty ? "" : " (\(label))")")
            let z = s.zRange.map { "z \(mm($0.lowerBound)) to \(mm($0.upperBound)) mm" } ?? "no z positions"
            lines.append("  \(s.slices.count) slices, \(z); used \(s.usedSlices.count), truncated \(s.truncatedSlices.count), not used \(s.notUsedSlices.count)")
            lines.append("  z (mm)      Dw (cm)  Deff (cm)  AP (cm)  LAT (cm)  truncated")
            for slice in s.slices {
                let zText = slice.frame.zMM.map(mm) ?? "–"
                if let size = slice.frame.size {
                    let truncation = size.isTruncated ? "\(NumberText.fixed(size.truncationFraction * 100, digits: 1)) % of contour (excluded)" : "no"
                    lines.append("  " + [pad(zText, 10), pad(cm(size.waterEquivalentDiameterCm), 8), pad(cm(size.effectiveDiameterCm), 9),
                                         pad(cm(size.apCm), 7), pad(cm(size.lateralCm), 8), truncation].joined(separator: "  "))
                } else {
                    lines.append("  \(pad(zText, 10))  not used: \(slice.frame.notUsed ?? "no size")")
                }
            }
            if let size = s.size() {
                lines.append("  Dw \(cm(size.waterEquivalentDiameterCm)) cm at the centre slice (z \(size.centre.frame.zMM.map(mm) ?? "–") mm), mean Dw \(cm(size.meanWaterEquivalentDiameterCm)) cm over \(size.slicesUsed) slices; Deff \(cm(size.effectiveDiameterCm)) cm (mean \(cm(size.meanEffectiveDiameterCm)))")
            } else {
                lines.append("  no size: no slice of this series is usable")
            }
            lines.append("")
        }
        for (file, error) in rejected { lines.append("\(file): rejected: \(error)") }
        lines.append("Method: \(ImageSizeRecord.method). Event Dw: \(SizeMethod.eventDwRule).")
        return lines.joined(separator: "\n") + "\n"
    }

    private func mm(_ value: Double) -> String { NumberText.fixed(value, digits: 1) }
    private func cm(_ value: Double) -> String { NumberText.fixed(value, digits: 2) }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
