#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which slices are original axial reconstructions, the only ones AAPM 220
/// sizes; every other kind is recorded as not used, with the reason.
public enum SliceSelection {
    public static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"
    public static let enhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.1"
    public static let legacyConvertedEnhancedCTImageStorage = "1.2.840.10008.5.1.4.1.1.2.2"
    public static let sizedSOPClasses: Set<String> = [ctImageStorage, enhancedCTImageStorage, legacyConvertedEnhancedCTImageStorage]

    /// Why a frame of this image type is not used, or nil.
    public static func reasonNotUsed(imageType: [String]) -> String? {
        let values = imageType.map { $0.uppercased() }
        if values.contains("LOCALIZER") { return "localizer (Image Type LOCALIZER)" }
        for kind in ["MPR", "MIP", "MINIP", "REFORMATTED", "PROJECTION IMAGE", "CURVED", "VOLUME", "VOLUME_RENDER"] where values.contains(kind) {
            return "reformatted or projected image (Image Type \(kind)), not an axial reconstruction"
        }
        if values.count > 1, values[1] == "SECONDARY" { return "secondary image (Image Type SECONDARY)" }
        // A DERIVED axial slice (re-reconstructed or re-saved) still holds HU;
        // any other derived image (perfusion maps, subtractions) does not.
        if values.first == "DERIVED", values.count < 3 || values[2] != "AXIAL" {
            return "derived image (Image Type \(imageType.joined(separator: "\\"))): not an axial reconstruction in HU"
        }
        return nil
    }

    /// The slice normal of an Image Orientation (Patient), unit length, or nil.
    public static func normal(_ orientation: [Double]) -> [Double]? {
        guard orientation.count == 6, orientation.allSatisfy(\.isFinite) else { return nil }
        let r = Array(orientation[0 ..< 3]), c = Array(orientation[3 ..< 6])
        let n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]]
        let length = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).squareRoot()
        guard length > 0.5 else { return nil }
        return n.map { $0 / length }
    }

    /// Why an orientation is not axial, or nil.
    public static func reasonNotAxial(_ orientation: [Double]?) -> String? {
        guard let orientation else { return "no Image Orientation (Patient): cannot tell that the slice is axial" }
        guard let n = normal(orientation) else { return "Image Orientation (Patient) is not two unit directions" }
        let tilt = acos(min(abs(n[2]), 1)) * 180 / Double.pi
        if tilt > SizeMethod.maximumTiltDegrees {
            return "not axial: the slice normal is \(Int(tilt.rounded()))° from the patient's z axis"
        }
        return nil
    }

    /// Whether the columns of the image run along the patient's left–right
    /// axis (so the column extent is lateral); false when the image is turned 90°.
    public static func columnsAreLateral(_ orientation: [Double]?) -> Bool {
        guard let o = orientation, o.count == 6 else { return true }
        return abs(o[0]) >= abs(o[1])
    }
}
