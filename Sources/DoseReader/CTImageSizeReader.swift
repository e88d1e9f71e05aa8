public import CTImageSize
public import DCMTKBridge
#if canImport(Glibc)
import Glibc
#endif

/// Reads CT images for patient size: DICOM bytes in, an `ImageSizeRecord`
/// (per frame a size or why not) or an `ImageReadError` naming why the
/// object gives nothing. The pixels are measured while DCMTK holds them and
/// are gone when this returns.
public enum CTImageSizeReader {
    /// The largest image object read (a 512 × 512 slice is 0.5 MB; an
    /// Enhanced CT series of 1,000 frames about 500 MB).
    public static let maximumImageBytes = 1 << 30

    public static func read(contentsOf path: String) throws(ImageReadError) -> ImageSizeRecord {
        var info = stat()
        if stat(path, &info) == 0, info.st_size > maximumImageBytes { throw .tooLarge(size: Int(info.st_size)) }
        return try measuring { try DICOMImageReader.withImage(contentsOf: path, $0) }
    }

    public static func read(bytes: [UInt8]) throws(ImageReadError) -> ImageSizeRecord {
        let result = bytes.withUnsafeBytes { buffer in Result { () throws(ImageReadError) in try read(bytes: buffer) } }
        return try result.get()
    }

    public static func read(bytes: UnsafeRawBufferPointer) throws(ImageReadError) -> ImageSizeRecord {
        guard bytes.count <= maximumImageBytes else { throw .tooLarge(size: bytes.count) }
        return try measuring { try DICOMImageReader.withImage(bytes: bytes, $0) }
    }

    /// Runs one of the bridge's reads with `measure` as its body, every error as an `ImageReadError`.
    private static func measuring(
        _ read: ((DICOMImage, UnsafeBufferPointer<UInt16>?) throws -> ImageSizeRecord) throws -> ImageSizeRecord
    ) throws(ImageReadError) -> ImageSizeRecord {
        do {
            return try read { image, words in try measure(image, words) }
        } catch let error as ImageReadError {
            throw error
        } catch let error as DCMTKError {
            throw .unreadable(error)
        } catch {
            throw .unreadable(DCMTKError(kind: .exception, message: "\(error)"))
        }
    }

    /// The header checks that refuse the whole object, then each frame.
    static func measure(_ image: DICOMImage, _ words: UnsafeBufferPointer<UInt16>?) throws(ImageReadError) -> ImageSizeRecord {
        guard let sopClass = image.sopClassUID, SliceSelection.sizedSOPClasses.contains(sopClass) else {
            throw .notCTImage(sopClassUID: image.sopClassUID)
        }
        guard let sopInstance = image.sopInstanceUID, !sopInstance.isEmpty else { throw .invalid("no SOP Instance UID") }
        if let problem = image.pixelProblem { throw .invalid(problem) }
        if image.samplesPerPixel != 1 || !["MONOCHROME2", "MONOCHROME1"].contains(image.photometricInterpretation ?? "") {
            throw .invalid("Photometric Interpretation \(image.photometricInterpretation ?? "absent") with \(image.samplesPerPixel) samples per pixel: not a greyscale CT slice")
        }
        if image.photometricInterpretation == "MONOCHROME1" {
            throw .invalid("Photometric Interpretation MONOCHROME1: CT slices are MONOCHROME2")
        }
        guard image.bitsAllocated == 16 else {
            throw .invalid("Bits Allocated \(image.bitsAllocated): CT slices for size are 16-bit")
        }
        guard (1 ... 16).contains(image.bitsStored) else { throw .invalid("Bits Stored \(image.bitsStored) is not 1–16") }
        guard image.rows > 0, image.columns > 0 else { throw .invalid("no Rows/Columns") }
        guard let words else { throw .invalid("no decoded pixel data") }
        let frameWords = image.rows * image.columns
        let frameCount = max(image.declaredFrameCount, image.frames.count)
        let needed = (frameWords * 2).multipliedReportingOverflow(by: frameCount)
        if needed.overflow || words.count * 2 < needed.partialValue {
            throw .invalid("Rows × Columns × frames (\(image.rows) × \(image.columns) × \(frameCount)) need \(needed.overflow ? "more than \(Int.max)" : String(needed.partialValue)) bytes of pixels; the object holds \(words.count * 2)")
        }

        var frames: [FrameSize] = []
        frames.reserveCapacity(image.frames.count)
        for (index, frame) in image.frames.enumerated() {
            var record = FrameSize(
                frame: index + 1, zMM: zPosition(frame), sliceThicknessMM: frame.sliceThicknessMM,
                acquisitionDateTime: frame.acquisitionDateTime, irradiationEventUID: frame.irradiationEventUID,
                size: nil, notUsed: nil
            )
            if let reason = SliceSelection.reasonNotUsed(imageType: frame.frameType) ?? SliceSelection.reasonNotAxial(frame.imageOrientation) {
                record.notUsed = reason
            } else if let spacing = frame.pixelSpacing {
                guard let rescale = frame.rescale else {
                    record.notUsed = "no Rescale Slope/Intercept: stored values cannot be converted to HU"
                    frames.append(record)
                    continue
                }
                let slice = StoredSlice(
                    rows: image.rows, columns: image.columns,
                    words: UnsafeBufferPointer(rebasing: words[index * frameWords ..< (index + 1) * frameWords]),
                    isSigned: image.pixelRepresentation == 1, bitsStored: image.bitsStored,
                    rescaleSlope: rescale.slope, rescaleIntercept: rescale.intercept, padding: image.padding,
                    rowSpacingMM: spacing.row, columnSpacingMM: spacing.column
                )
                switch WaterEquivalentDiameter.measure(slice) {
                case .success(var size):
                    if !SliceSelection.columnsAreLateral(frame.imageOrientation) { swap(&size.apCm, &size.lateralCm) }
                    record.size = size
                case .failure(let reason):
                    record.notUsed = reason.reason
                }
            } else {
                record.notUsed = "no Pixel Spacing: the pixel area is unknown"
            }
            frames.append(record)
        }
        return ImageSizeRecord(
            sopClassUID: sopClass, sopInstanceUID: sopInstance, studyInstanceUID: image.studyInstanceUID,
            seriesInstanceUID: image.seriesInstanceUID, seriesNumber: image.seriesNumber,
            seriesDescription: image.seriesDescription, accessionNumber: image.accessionNumber,
            frameOfReferenceUID: image.frameOfReferenceUID, transferSyntaxUID: image.transferSyntaxUID,
            bodyPartExamined: image.bodyPartExamined, frames: frames
        )
    }

    /// Image Position (Patient) along the slice normal: the patient z of an axial slice.
    static func zPosition(_ frame: DICOMImage.Frame) -> Double? {
        guard let position = frame.imagePosition, position.count == 3 else { return nil }
        guard let orientation = frame.imageOrientation, let n = SliceSelection.normal(orientation) else { return position[2] }
        let z = position[0] * n[0] + position[1] * n[1] + position[2] * n[2]
        // An axial slice's normal may point head- or footwards; z is reported in patient coordinates.
        return n[2] < 0 ? -z : z
    }
}

/// Why an image object gives no size record.
public enum ImageReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(DCMTKError)
    case notCTImage(sopClassUID: String?)
    /// A CT image whose header or pixels cannot be sized (the reason names what).
    case invalid(String)
    case tooLarge(size: Int)

    /// Stable machine-readable reason for the ledger and the metrics.
    public var code: String {
        switch self {
        case .unreadable(let error): DoseReadError.unreadable(error).code
        case .notCTImage: "notCTImage"
        case .invalid: "imageNotSizable"
        case .tooLarge: "tooLarge"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let error): "\(error)"
        case .notCTImage(let uid): "not a CT image (SOP Class UID \(uid ?? "absent")): patient size is measured on CT Image Storage and Enhanced CT Image Storage only"
        case .invalid(let reason): "CT image not usable for size: \(reason)"
        case .tooLarge(let size): "image object of \(size) bytes is larger than the \(CTImageSizeReader.maximumImageBytes >> 20) MiB read for size"
        }
    }
}
