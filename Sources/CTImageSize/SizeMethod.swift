/// The choices behind every image-derived size, each with where it comes from
/// (the notes' tags: S = seen in a public implementation, V1 = read in an
/// abstract or primary text). One place, so a size record can name them.
public enum SizeMethod {
    /// Pixels above this many HU are body candidates. IndoseCT's body mask
    /// threshold (reference-levels-2.md §9.2, tag S); the literature uses
    /// −300 to −500 HU, and −300 keeps most clothing and blankets out.
    public static let bodyThresholdHU: Double = -300

    /// Pixels below this are outside the reconstructed field of view (or
    /// padding), never air: air reads about −1000 HU, and scanners fill
    /// the outside of the reconstruction circle with −2000, −3024 or −32768.
    public static let outsideFieldOfViewBelowHU: Double = -1500

    /// The patient is the largest 8-connected region above the threshold
    /// (the table, headrest and other objects are disconnected from it and
    /// dropped); holes are the 4-connected regions not reachable from the
    /// image border (lungs, bowel gas) and count as patient.
    public static let regionRule = "largest connected region above −300 HU, holes filled, other objects removed"

    /// A slice whose body contour touches the edge of the image or of the
    /// reconstructed field of view is truncated: it is recorded with its
    /// truncation fraction (patient border on the edge ÷ patient border, the
    /// TP of reference-levels-2.md §9.3, V1) and excluded from the event's
    /// Dw. The published exp(k·TP³) correction is not applied: its k differs
    /// between its two transcriptions (1.14 vs 1.15, both S) and it is
    /// invalid for non-symmetric truncation.
    public static let truncationRule = "slices whose contour touches the field-of-view edge are excluded"

    /// The event's Dw is that of the used slice nearest the centre of the
    /// scan range: Leng et al., Radiology 2015;276(1):184–190 (centre-slice
    /// SSDE within 9 % RMSE over the whole CAP range; reference-levels-2.md
    /// §9.4, V1). The mean over the used slices is recorded beside it.
    public static let eventDwRule = "Dw of the used slice nearest the centre of the scan range (Leng 2015)"

    /// Plausibility guards (implementation choices, not reference figures):
    /// a region smaller than this is not a patient (Dw ≈ 5 cm; the smallest
    /// AAPM 204 size is 8 cm).
    public static let minimumBodyAreaCm2: Double = 20
    /// A region whose bounding box is more than this many times wider than
    /// high (or higher than wide) is a table or a board, not a body.
    public static let maximumAspectRatio: Double = 4
    /// A slice whose normal is further than this from the patient's z axis
    /// is not axial (gantry tilts reach about 30°).
    public static let maximumTiltDegrees: Double = 30
}
