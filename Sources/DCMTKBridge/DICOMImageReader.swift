internal import CDCMTKShim

/// A CT image's header and per-frame geometry, as plain values.
public struct DICOMImage: Sendable, Hashable {
    public var transferSyntaxUID: String?
    public var sopClassUID: String?
    public var sopInstanceUID: String?
    public var modality: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var seriesNumber: String?
    public var seriesDescription: String?
    public var accessionNumber: String?
    public var frameOfReferenceUID: String?
    public var imageType: [String]
    public var photometricInterpretation: String?
    public var bodyPartExamined: String?
    public var stationName: String?
    public var rows: Int
    public var columns: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var pixelRepresentation: Int
    public var samplesPerPixel: Int
    /// Pixel Padding Value … Range Limit (or the value alone), stored values.
    public var padding: ClosedRange<Int>?
    public var frames: [Frame]
    /// Number of Frames as declared (`frames` stops where the pixel data ends).
    public var declaredFrameCount: Int
    /// Why the pixels could not be decoded (JPEG 2000, a corrupt stream, no
    /// Pixel Data); nil when they were, or when the image is not 16-bit greyscale.
    public var pixelProblem: String?

    public struct Frame: Sendable, Hashable {
        /// Row spacing, column spacing (mm).
        public var pixelSpacing: (row: Double, column: Double)?
        public var imagePosition: [Double]?
        public var imageOrientation: [Double]?
        public var sliceThicknessMM: Double?
        public var rescale: (slope: Double, intercept: Double)?
        public var frameType: [String]
        public var irradiationEventUID: String?
        public var acquisitionDateTime: String?

        public static func == (a: Frame, b: Frame) -> Bool {
            a.pixelSpacing?.row == b.pixelSpacing?.row && a.pixelSpacing?.column == b.pixelSpacing?.column
                && a.imagePosition == b.imagePosition && a.imageOrientation == b.imageOrientation
                && a.sliceThicknessMM == b.sliceThicknessMM && a.rescale?.slope == b.rescale?.slope
                && a.rescale?.intercept == b.rescale?.intercept && a.frameType == b.frameType
                && a.irradiationEventUID == b.irradiationEventUID && a.acquisitionDateTime == b.acquisitionDateTime
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(imagePosition)
            hasher.combine(irradiationEventUID)
        }
    }
}

/// Reads CT images through DCMTK. The decoded pixels are lent to a closure
/// and released when it returns: they never outlive the read.
public enum DICOMImageReader {
    /// Reads the image at `path` and calls `body` with its header and its
    /// decoded 16-bit words (nil when `pixelProblem` or the pixel format says why).
    public static func withImage<R>(
        contentsOf path: String, _ body: (DICOMImage, UnsafeBufferPointer<UInt16>?) throws -> R
    ) throws -> R {
        var status = CDCMTKShim_Status()
        let image = path.withCString { CDCMTKShim_read_image_file($0, &status) }
        return try lend(image, status, body)
    }

    /// Reads an image held in memory (a received C-STORE, a WADO response).
    public static func withImage<R>(
        bytes: UnsafeRawBufferPointer, _ body: (DICOMImage, UnsafeBufferPointer<UInt16>?) throws -> R
    ) throws -> R {
        var status = CDCMTKShim_Status()
        let image = CDCMTKShim_read_image_buffer(bytes.baseAddress, bytes.count, &status)
        return try lend(image, status, body)
    }

    private static func lend<R>(
        _ image: UnsafeMutablePointer<CDCMTKShim_Image>?, _ status: CDCMTKShim_Status,
        _ body: (DICOMImage, UnsafeBufferPointer<UInt16>?) throws -> R
    ) throws -> R {
        guard let image else { throw DCMTKError(status) }
        defer { CDCMTKShim_Image_free(image) }
        let value = convert(image.pointee)
        let words = image.pointee.pixels.map {
            UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt16.self), count: image.pointee.pixelBytes / 2)
        }
        return try body(value, words)
    }

    private static func convert(_ image: CDCMTKShim_Image) -> DICOMImage {
        let pool = UnsafeBufferPointer(start: UnsafeRawPointer(image.pool).assumingMemoryBound(to: UInt8.self), count: image.poolSize)
        func text(_ t: CDCMTKShim_Text) -> String? {
            guard t.present != 0, Int(t.offset) + Int(t.length) <= pool.count else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: pool[Int(t.offset) ..< Int(t.offset) + Int(t.length)]), as: UTF8.self)
        }
        let header = withUnsafeBytes(of: image.header) { Array($0.bindMemory(to: CDCMTKShim_Text.self)) }
        func field(_ f: CDCMTKShim_ImageField) -> String? { text(header[Int(f.rawValue)]) }
        func values(_ s: String?) -> [String] {
            (s ?? "").split(separator: "\\", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
        }
        var padding: ClosedRange<Int>?
        if image.hasPaddingValue != 0 {
            let a = Int(image.paddingValue)
            let b = image.hasPaddingRangeLimit != 0 ? Int(image.paddingRangeLimit) : a
            padding = min(a, b) ... max(a, b)
        }
        var frames: [DICOMImage.Frame] = []
        frames.reserveCapacity(image.frameCount)
        for index in 0 ..< image.frameCount {
            let f = image.frames[index]
            func has(_ flag: Int32) -> Bool { f.present & UInt32(flag) != 0 }
            frames.append(DICOMImage.Frame(
                pixelSpacing: has(Int32(CDCMTKShim_FrameHasSpacing)) ? (f.pixelSpacing.0, f.pixelSpacing.1) : nil,
                imagePosition: has(Int32(CDCMTKShim_FrameHasPosition)) ? [f.imagePosition.0, f.imagePosition.1, f.imagePosition.2] : nil,
                imageOrientation: has(Int32(CDCMTKShim_FrameHasOrientation))
                    ? [f.imageOrientation.0, f.imageOrientation.1, f.imageOrientation.2, f.imageOrientation.3, f.imageOrientation.4, f.imageOrientation.5] : nil,
                sliceThicknessMM: has(Int32(CDCMTKShim_FrameHasThickness)) ? f.sliceThickness : nil,
                rescale: has(Int32(CDCMTKShim_FrameHasRescale)) ? (f.rescaleSlope, f.rescaleIntercept) : nil,
                frameType: values(text(f.frameType)),
                irradiationEventUID: text(f.irradiationEventUID),
                acquisitionDateTime: text(f.acquisitionDateTime)
            ))
        }
        let problem = withUnsafeBytes(of: image.pixelProblem) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return DICOMImage(
            transferSyntaxUID: text(image.transferSyntaxUID),
            sopClassUID: field(CDCMTKShim_ImageSOPClassUID), sopInstanceUID: field(CDCMTKShim_ImageSOPInstanceUID),
            modality: field(CDCMTKShim_ImageModality), studyInstanceUID: field(CDCMTKShim_ImageStudyInstanceUID),
            seriesInstanceUID: field(CDCMTKShim_ImageSeriesInstanceUID), seriesNumber: field(CDCMTKShim_ImageSeriesNumber),
            seriesDescription: field(CDCMTKShim_ImageSeriesDescription), accessionNumber: field(CDCMTKShim_ImageAccessionNumber),
            frameOfReferenceUID: field(CDCMTKShim_ImageFrameOfReferenceUID), imageType: values(field(CDCMTKShim_ImageImageType)),
            photometricInterpretation: field(CDCMTKShim_ImagePhotometricInterpretation),
            bodyPartExamined: field(CDCMTKShim_ImageBodyPartExamined), stationName: field(CDCMTKShim_ImageStationName),
            rows: Int(image.rows), columns: Int(image.columns), bitsAllocated: Int(image.bitsAllocated),
            bitsStored: Int(image.bitsStored), pixelRepresentation: Int(image.pixelRepresentation),
            samplesPerPixel: Int(image.samplesPerPixel), padding: padding, frames: frames,
            declaredFrameCount: image.declaredFrameCount,
            pixelProblem: problem.isEmpty ? nil : problem
        )
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " || s.last == "\0" { s.removeLast() }
        return String(s)
    }
}
