/// A DICOM object as the reader hands it up: the header attributes the dose
/// model needs and, for a structured report, its content tree. Values are
/// decoded to Swift strings; nothing is interpreted yet.
public struct DICOMObject: Sendable, Equatable {
    public var header: DICOMHeader
    /// The document root (the dataset's own CONTAINER) for an SR; `nil` for
    /// objects without a Content Sequence.
    public var content: ContentItem?
    /// (0040,DB00) of the root's Content Template Sequence, e.g. "10011".
    public var templateIdentifier: String?
    /// (0008,0105), normally "DCMR".
    public var templateMappingResource: String?
    public var transferSyntaxUID: String?
    public var hasFileMetaInformation: Bool
    public var hasPixelData: Bool
    /// Items nested past the reader's depth limit, not present in `content`.
    public var itemsBeyondDepthLimit: Int
    /// Content items with a code or value sequence holding more items than
    /// allowed (the first was used).
    public var itemsWithExtraSequenceItems: Int = 0
    /// How text was decoded, and what went wrong with it if anything.
    public var characterSet: CharacterSetDecoding

    public init(
        header: DICOMHeader,
        content: ContentItem?,
        templateIdentifier: String? = nil,
        templateMappingResource: String? = nil,
        transferSyntaxUID: String? = nil,
        hasFileMetaInformation: Bool = true,
        hasPixelData: Bool = false,
        itemsBeyondDepthLimit: Int = 0,
        characterSet: CharacterSetDecoding = .init()
    ) {
        self.header = header
        self.content = content
        self.templateIdentifier = templateIdentifier
        self.templateMappingResource = templateMappingResource
        self.transferSyntaxUID = transferSyntaxUID
        self.hasFileMetaInformation = hasFileMetaInformation
        self.hasPixelData = hasPixelData
        self.itemsBeyondDepthLimit = itemsBeyondDepthLimit
        self.characterSet = characterSet
    }
}

/// Top-level attributes, each `nil` when absent (an empty value is "").
public struct DICOMHeader: Sendable, Equatable {
    public var sopClassUID: String?
    public var sopInstanceUID: String?
    public var modality: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var studyDate: String?
    public var studyTime: String?
    public var contentDate: String?
    public var contentTime: String?
    public var accessionNumber: String?
    public var studyDescription: String?
    public var seriesDescription: String?
    public var institutionName: String?
    public var stationName: String?
    public var manufacturer: String?
    public var manufacturerModelName: String?
    public var deviceSerialNumber: String?
    public var softwareVersions: String?
    public var patientID: String?
    /// (0010,0021): the authority that assigned the Patient ID.
    public var issuerOfPatientID: String? = nil
    public var patientBirthDate: String?
    public var patientSex: String?
    public var patientAge: String?
    public var patientSize: String?
    public var patientWeight: String?
    public var specificCharacterSet: String?
    public var completionFlag: String?
    public var verificationFlag: String?
    public var imageType: String?

    public init() {}
}

/// What the reader did about (0008,0005) Specific Character Set.
public struct CharacterSetDecoding: Sendable, Equatable {
    /// Text was declared Latin-1 (or not declared) but was valid UTF-8 with
    /// non-ASCII characters, so it was read as UTF-8.
    public var utf8DeclaredAsOther: Bool = false
    /// Text declared UTF-8 held invalid byte sequences; they were replaced.
    public var invalidUTF8: Bool = false
    /// DCMTK converted a character set other than ASCII/Latin-1/UTF-8.
    public var convertedByDCMTK: Bool = false
    /// DCMTK could not convert the declared character set; text may be garbled.
    public var conversionFailed: Bool = false

    public init() {}
}
