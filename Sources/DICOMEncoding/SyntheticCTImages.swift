/// CT phantoms with a known size, as CT Image Storage objects: water
/// ellipses with inserts, a table below them, air around and the
/// outside-of-field-of-view value beyond the reconstruction circle. Each
/// pixel takes the HU of the last shape that contains its centre, so the
/// analytic Aw is met to within the digitisation of the outline.
public struct CTPhantom: Sendable {
    public struct Ellipse: Sendable {
        /// Centre, mm from the image centre (x to the patient's left, y posterior).
        public var centerX: Double
        public var centerY: Double
        /// Semi-axes, mm (lateral, AP).
        public var radiusX: Double
        public var radiusY: Double
        public var hu: Double

        public init(centerX: Double = 0, centerY: Double = 0, radiusX: Double, radiusY: Double, hu: Double) {
            self.centerX = centerX
            self.centerY = centerY
            self.radiusX = radiusX
            self.radiusY = radiusY
            self.hu = hu
        }

        public var areaMM2: Double { Double.pi * radiusX * radiusY }

        func contains(_ x: Double, _ y: Double) -> Bool {
            let dx = (x - centerX) / radiusX, dy = (y - centerY) / radiusY
            return dx * dx + dy * dy <= 1
        }
    }

    public var rows = 512
    public var columns = 512
    /// Reconstruction diameter, mm (the pixel spacing is this ÷ columns).
    public var fieldOfViewMM: Double = 350
    /// Shapes painted in order over air (−1000 HU).
    public var shapes: [Ellipse]
    /// A table slab this many mm below the lowest shape point (nil: no table).
    public var tableGapMM: Double? = 10
    /// HU beyond the reconstruction circle (scanners write −3024 there).
    public var outsideHU: Double = -3024
    /// Declare the outside value as Pixel Padding Value.
    public var declaresPadding = true
    /// Pixel Representation 1 (two's complement); false writes unsigned
    /// values, clamped at 0 (−1024 HU), as some scanners and encoders need.
    public var signedPixels = true

    public init(shapes: [Ellipse]) {
        self.shapes = shapes
    }

    public var pixelSpacingMM: Double { fieldOfViewMM / Double(columns) }

    /// Stored values (HU + 1024, signed 16-bit, row by row).
    public func storedValues() -> [Int16] {
        let spacing = pixelSpacingMM
        let bottom = shapes.map { $0.centerY + $0.radiusY }.max() ?? 0
        var values = [Int16](repeating: 0, count: rows * columns)
        for row in 0 ..< rows {
            let y = (Double(row) + 0.5 - Double(rows) / 2) * spacing
            for column in 0 ..< columns {
                let x = (Double(column) + 0.5 - Double(columns) / 2) * spacing
                var hu = -1000.0
                if x * x + y * y > (fieldOfViewMM / 2) * (fieldOfViewMM / 2) {
                    hu = outsideHU
                } else {
                    for shape in shapes where shape.contains(x, y) { hu = shape.hu }
                    if let gap = tableGapMM, y > bottom + gap, y < bottom + gap + 15, abs(x) < 200 { hu = 200 }
                }
                values[row * columns + column] = Int16(max(min(hu + 1024, 32767), signedPixels ? -32768 : 0))
            }
        }
        return values
    }

    /// A CT Image Storage object (explicit VR little endian) of this phantom at `zMM`.
    public func file(studyUID: String, seriesUID: String, instanceUID: String, frameOfReferenceUID: String,
                     zMM: Double = 0, instanceNumber: Int = 1, accessionNumber: String = "PHANTOM",
                     irradiationEventUID: String? = nil, imageType: String = "ORIGINAL\\PRIMARY\\AXIAL",
                     replacing overrides: [DataElement] = [], removing removed: Set<UInt32> = []) -> [UInt8] {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(rows * columns * 2)
        for value in storedValues() {
            let bits = UInt16(bitPattern: value)
            pixels.append(UInt8(bits & 0xFF))
            pixels.append(UInt8(bits >> 8))
        }
        let spacing = pixelSpacingMM
        let corner = -fieldOfViewMM / 2 + spacing / 2
        func ds(_ v: Double) -> String { String(format6(v)) }
        var dataset: [DataElement] = [
            DataElement(0x0008, 0x0008, "CS", imageType),
            DataElement(0x0008, 0x0016, "UI", SyntheticCT.ctImageStorage),
            DataElement(0x0008, 0x0018, "UI", instanceUID),
            DataElement(0x0008, 0x0020, "DA", "20261201"),
            DataElement(0x0008, 0x0030, "TM", "101500"),
            DataElement(0x0008, 0x0050, "SH", accessionNumber),
            DataElement(0x0008, 0x0060, "CS", "CT"),
            DataElement(0x0008, 0x0070, "LO", "DoseAudit phantom"),
            DataElement(0x0010, 0x0010, "PN", "Phantom^Water"),
            DataElement(0x0010, 0x0020, "LO", "PHANTOM"),
            DataElement(0x0018, 0x0050, "DS", "5"),
            DataElement(0x0018, 0x0060, "DS", "120"),
            DataElement(0x0020, 0x000D, "UI", studyUID),
            DataElement(0x0020, 0x000E, "UI", seriesUID),
            DataElement(0x0020, 0x0011, "IS", "2"),
            DataElement(0x0020, 0x0013, "IS", String(instanceNumber)),
            DataElement(0x0020, 0x0032, "DS", "\(ds(corner))\\\(ds(corner))\\\(ds(zMM))"),
            DataElement(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0"),
            DataElement(0x0020, 0x0052, "UI", frameOfReferenceUID),
            DataElement(0x0028, 0x0002, "US", bytes: le16(1)),
            DataElement(0x0028, 0x0004, "CS", "MONOCHROME2"),
            DataElement(0x0028, 0x0010, "US", bytes: le16(UInt16(rows))),
            DataElement(0x0028, 0x0011, "US", bytes: le16(UInt16(columns))),
            DataElement(0x0028, 0x0030, "DS", "\(ds(spacing))\\\(ds(spacing))"),
            DataElement(0x0028, 0x0100, "US", bytes: le16(16)),
            DataElement(0x0028, 0x0101, "US", bytes: le16(16)),
            DataElement(0x0028, 0x0102, "US", bytes: le16(15)),
            DataElement(0x0028, 0x0103, "US", bytes: le16(signedPixels ? 1 : 0)),
            DataElement(0x0028, 0x1052, "DS", "-1024"),
            DataElement(0x0028, 0x1053, "DS", "1"),
            DataElement(0x7FE0, 0x0010, "OW", bytes: pixels),
        ]
        if declaresPadding {
            let padding = Int16(max(min(outsideHU + 1024, 32767), signedPixels ? -32768 : 0))
            dataset.append(DataElement(0x0028, 0x0120, signedPixels ? "SS" : "US", bytes: le16(UInt16(bitPattern: padding))))
        }
        if let irradiationEventUID { dataset.append(DataElement(0x0008, 0x3010, "UI", irradiationEventUID)) }
        // Malformed variants for the tests: elements replaced or removed by tag.
        let replaced = Set(overrides.map(\.tagKey))
        dataset = dataset.filter { !replaced.contains($0.tagKey) && !removed.contains($0.tagKey) } + overrides
        return DICOMEncoder.file(dataset: dataset, sopClassUID: SyntheticCT.ctImageStorage, sopInstanceUID: instanceUID,
                                 transferSyntax: .explicitVRLittleEndian)
    }

    private func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }

    /// A DS value of at most 16 characters.
    private func format6(_ v: Double) -> String {
        let rounded = (v * 1_000_000).rounded() / 1_000_000
        var text = "\(rounded)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        return String(text.prefix(16))
    }
}

public enum SyntheticCT {
    public static let ctImageStorage = "1.2.840.10008.5.1.4.1.1.2"

    /// A water cylinder of `diameterCm` on a table.
    public static func waterCylinder(diameterCm: Double) -> CTPhantom {
        CTPhantom(shapes: [.init(radiusX: diameterCm * 5, radiusY: diameterCm * 5, hu: 0)])
    }

    /// A water ellipse of `lateralCm` × `apCm`.
    public static func waterEllipse(lateralCm: Double, apCm: Double) -> CTPhantom {
        CTPhantom(shapes: [.init(radiusX: lateralCm * 5, radiusY: apCm * 5, hu: 0)])
    }

    /// A 24 × 16 cm water ellipse with a 6 cm lung insert (−800 HU) and a 3 cm bone insert (+1000 HU).
    public static let ellipseWithInserts = CTPhantom(shapes: [
        .init(radiusX: 120, radiusY: 80, hu: 0),
        .init(centerX: -50, centerY: 0, radiusX: 30, radiusY: 30, hu: -800),
        .init(centerX: 60, centerY: 10, radiusX: 15, radiusY: 15, hu: 1000),
    ])

    /// Its analytic water-equivalent area, cm²: Σ area · (HU/1000 + 1).
    public static var ellipseWithInsertsAwCm2: Double {
        let s = ellipseWithInserts.shapes
        return (s[0].areaMM2 + s[1].areaMM2 * (-0.8) + s[2].areaMM2 * 1.0) / 100
    }
}
