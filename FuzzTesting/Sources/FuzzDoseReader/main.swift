import DoseReader

// libFuzzer entry point: every input goes through the shim's buffer reader,
// the content-tree conversion and the typed TID 10011 decoder. Any crash,
// hang or sanitizer report is a bug; a thrown DoseReadError is the expected
// outcome for junk.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDoseReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let report = try? DoseReportReader.read(bytes: bytes) {
        // Touch the derived values too, so their code paths are fuzzed.
        _ = report.eventDLPSum
        _ = report.json().serialized(pretty: false)
    }
    return 0
}

// SwiftPM links an executable with `main` aliased to `<target>_main`; hand
// control to libFuzzer's driver from there.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzDoseReader_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzDoseReader)
}
