import DoseReader

// libFuzzer entry point for the pixel path: every input goes through the
// shim's image reader (pre-scan, DCMTK parse, codecs), the header checks and,
// for each frame, the size computation. A thrown ImageReadError or a frame
// "not used" is the expected outcome for junk; any crash, hang or sanitizer
// report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCTImageSize(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let record = try? CTImageSizeReader.read(bytes: UnsafeRawBufferPointer(start: data, count: size)) {
        _ = record.frames.compactMap(\.size?.waterEquivalentDiameterCm).reduce(0, +)
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzCTImageSize_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzCTImageSize)
}
