import CTImageSize

// libFuzzer entry point for the size computation alone, without DCMTK: the
// input's first bytes choose the slice's shape, signedness, bits stored,
// rescale and padding, the rest are its pixels. Regions, holes, contour
// and truncation meet arbitrary pixel patterns far faster than through
// encoded images.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSliceMeasure(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 8 else { return 0 }
    let rows = 1 + Int(data[0] % 64), columns = 1 + Int(data[1] % 64)
    let bitsStored = 1 + Int(data[2] % 16)
    let isSigned = data[3] & 1 == 1
    let slope = [1.0, 0.5, 2.0, 0, -1, .nan, .infinity, 1e-9][Int(data[4] % 8)]
    let intercept = [-1024.0, 0, -32768, 1e12, .nan, -1000, 24, -3024][Int(data[5] % 8)]
    let padding: ClosedRange<Int>? = data[6] % 3 == 0 ? nil : (Int(Int8(bitPattern: data[7])) * 16) ... (Int(Int8(bitPattern: data[7])) * 16 + Int(data[6]))
    let spacing = [0.5, 1, 0.1, 0, -1, 20, .nan, 0.7][Int(data[6] % 8)]
    var words = [UInt16](repeating: 0, count: rows * columns)
    for index in words.indices where 8 + index * 2 + 1 < size {
        words[index] = UInt16(data[8 + index * 2]) | UInt16(data[8 + index * 2 + 1]) << 8
    }
    words.withUnsafeBufferPointer { buffer in
        let slice = StoredSlice(rows: rows, columns: columns, words: buffer, isSigned: isSigned, bitsStored: bitsStored,
                                rescaleSlope: slope, rescaleIntercept: intercept, padding: padding,
                                rowSpacingMM: spacing, columnSpacingMM: spacing)
        if case .success(let result) = WaterEquivalentDiameter.measure(slice) {
            precondition(result.truncationFraction >= 0 && result.truncationFraction <= 1, "truncation fraction out of range")
            precondition(result.waterEquivalentDiameterCm.isFinite && result.waterEquivalentDiameterCm > 0, "Dw not finite and positive")
        }
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzSliceMeasure_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzSliceMeasure)
}
