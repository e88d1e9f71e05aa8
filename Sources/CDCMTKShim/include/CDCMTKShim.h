// CDCMTKShim: the only code in DoseAudit that sees DCMTK.
//
// Why a shim: Swift's C++ interop cannot use DCMTK as-is (getDataset() returns an
// interior pointer, tag constants are macros, OFString is a macro), and a C++
// exception unwinding through a Swift frame is undefined behaviour. So every
// entry point here is plain C, catches every exception, and reports failure
// through CDCMTKShim_Status.
//
// Shape: "copy out", not long-lived handles. A read parses the object once,
// walks the SR content tree, and returns flat records whose strings live in one
// byte pool. The caller owns the returned CDCMTKShim_Document and must release
// it with CDCMTKShim_Document_free; nothing else the shim allocates outlives
// the call.
#ifndef CDCMTKSHIM_H
#define CDCMTKSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Why a call failed, classified so Swift can name the problem without parsing
/// DCMTK's message text.
typedef enum CDCMTKShim_ErrorKind {
    CDCMTKShim_ErrorNone = 0,
    /// The bytes do not parse as DICOM at all.
    CDCMTKShim_ErrorNotDICOM = 1,
    /// The object started as DICOM but the stream ended inside an element.
    CDCMTKShim_ErrorTruncated = 2,
    /// The file could not be opened or read.
    CDCMTKShim_ErrorIO = 3,
    /// DCMTK rejected the encoding for another reason (see module/code/message).
    CDCMTKShim_ErrorParse = 4,
    /// A C++ exception (std::bad_alloc, ...) was caught inside the shim.
    CDCMTKShim_ErrorException = 5,
    /// An argument was invalid (null pointer and so on).
    CDCMTKShim_ErrorInvalidArgument = 6,
    /// A DICOM network operation failed (peer unreachable, association refused or aborted).
    CDCMTKShim_ErrorNetwork = 7
} CDCMTKShim_ErrorKind;

/// The outcome of a shim call. `module`/`code` are DCMTK's OFCondition fields
/// when the failure came from DCMTK, zero otherwise. The message is copied
/// into the fixed buffer so nothing is allocated for it.
typedef struct CDCMTKShim_Status {
    int32_t ok;
    int32_t kind;  // CDCMTKShim_ErrorKind
    uint16_t module;
    uint16_t code;
    char message[256];
} CDCMTKShim_Status;

/// A byte range in CDCMTKShim_Document.pool. `present` tells an absent
/// attribute apart from an empty one (DICOM type 2 attributes may be empty).
typedef struct CDCMTKShim_Text {
    uint32_t offset;
    uint32_t length;
    uint32_t present;
} CDCMTKShim_Text;

/// A code sequence item (0008,0100/0102/0103/0104), or an absent/empty sequence.
typedef struct CDCMTKShim_Code {
    CDCMTKShim_Text value;
    CDCMTKShim_Text scheme;
    CDCMTKShim_Text version;
    CDCMTKShim_Text meaning;
    /// 0 = sequence absent, 1 = sequence present but empty, 2 = item present.
    uint32_t state;
} CDCMTKShim_Code;

/// Per content item flags.
enum {
    /// The item's own ContentSequence nested deeper than the walk limit; its
    /// children were not copied out (the count is in the document).
    CDCMTKShim_ItemChildrenCut = 1u << 0,
    /// MeasuredValueSequence was present but had no item (a NUM with no value).
    CDCMTKShim_ItemMeasuredValueEmpty = 1u << 1,
    /// More than one item in a sequence that the standard allows only one in;
    /// the first was taken.
    CDCMTKShim_ItemExtraSequenceItems = 1u << 2,
    /// The item is a by-reference relationship (ReferencedContentItemIdentifier).
    CDCMTKShim_ItemByReference = 1u << 3
};

/// One SR content item. Item 0 is the document root (the dataset itself).
typedef struct CDCMTKShim_ContentItem {
    int32_t parent;        // -1 for the root
    uint32_t depth;        // 0 for the root
    uint32_t flags;
    CDCMTKShim_Text relationship;   // (0040,A010)
    CDCMTKShim_Text valueType;      // (0040,A040)
    CDCMTKShim_Code conceptName;    // (0040,A043)
    CDCMTKShim_Text continuity;     // (0040,A050) for CONTAINER
    /// The value of TEXT (0040,A160), UIDREF (0040,A124), DATETIME (0040,A120),
    /// DATE (0040,A121), TIME (0040,A122) or PNAME (0040,A123).
    CDCMTKShim_Text value;
    CDCMTKShim_Text numericValue;   // (0040,A30A) raw DS text, all values
    CDCMTKShim_Code unit;           // (0040,08EA) inside MeasuredValueSequence
    CDCMTKShim_Code qualifier;      // (0040,A301) NumericValueQualifierCodeSequence
    CDCMTKShim_Code conceptCode;    // (0040,A168) for CODE
    CDCMTKShim_Text referencedSOPClass;    // (0008,1150) for COMPOSITE/IMAGE
    CDCMTKShim_Text referencedSOPInstance; // (0008,1155)
    CDCMTKShim_Text observationDateTime;   // (0040,A032)
    CDCMTKShim_Text templateIdentifier;    // (0040,DB00) in ContentTemplateSequence
    CDCMTKShim_Text mappingResource;       // (0008,0105) in ContentTemplateSequence
} CDCMTKShim_ContentItem;

/// The top-level attributes the dose model needs, in a fixed order so Swift
/// can index `header` without a lookup. Keep in step with kHeaderTags in
/// shim.cpp (a static_assert checks the count).
typedef enum CDCMTKShim_HeaderField {
    CDCMTKShim_SOPClassUID = 0,
    CDCMTKShim_SOPInstanceUID,
    CDCMTKShim_Modality,
    CDCMTKShim_StudyInstanceUID,
    CDCMTKShim_SeriesInstanceUID,
    CDCMTKShim_StudyDate,
    CDCMTKShim_StudyTime,
    CDCMTKShim_ContentDate,
    CDCMTKShim_ContentTime,
    CDCMTKShim_AccessionNumber,
    CDCMTKShim_StudyDescription,
    CDCMTKShim_SeriesDescription,
    CDCMTKShim_InstitutionName,
    CDCMTKShim_StationName,
    CDCMTKShim_Manufacturer,
    CDCMTKShim_ManufacturerModelName,
    CDCMTKShim_DeviceSerialNumber,
    CDCMTKShim_SoftwareVersions,
    CDCMTKShim_PatientID,
    CDCMTKShim_PatientBirthDate,
    CDCMTKShim_PatientSex,
    CDCMTKShim_PatientAge,
    CDCMTKShim_PatientSize,
    CDCMTKShim_PatientWeight,
    CDCMTKShim_SpecificCharacterSet,
    CDCMTKShim_CompletionFlag,
    CDCMTKShim_VerificationFlag,
    CDCMTKShim_ImageType,
    CDCMTKShim_IssuerOfPatientID,
    CDCMTKShim_HeaderFieldCount
} CDCMTKShim_HeaderField;

/// Document-level flags.
enum {
    /// The object had a File Meta Information header ("DICM" preamble).
    CDCMTKShim_DocHasMetaHeader = 1u << 0,
    /// The dataset carries Pixel Data (7FE0,0010): it is an image.
    CDCMTKShim_DocHasPixelData = 1u << 1,
    /// Text was converted to UTF-8 from the declared Specific Character Set by
    /// DCMTK (a set other than ASCII, Latin-1 and UTF-8).
    CDCMTKShim_DocConvertedToUTF8 = 1u << 2,
    /// Conversion from the declared character set failed; text is raw bytes.
    CDCMTKShim_DocCharsetConversionFailed = 1u << 3,
    /// The dataset has SR document content (root value type, concept name or Content Sequence).
    CDCMTKShim_DocHasContent = 1u << 4
};

/// A parsed object: header attributes and the SR content tree as flat records.
typedef struct CDCMTKShim_Document {
    uint32_t flags;
    CDCMTKShim_Text transferSyntaxUID;  // (0002,0010), or the detected syntax
    CDCMTKShim_Text header[CDCMTKShim_HeaderFieldCount];
    CDCMTKShim_ContentItem *items;
    size_t itemCount;
    /// Content items below the depth limit that were not copied out.
    size_t itemsBeyondDepthLimit;
    char *pool;
    size_t poolSize;
} CDCMTKShim_Document;

/// Silences DCMTK's logger (it writes to stderr behind swift-log's back),
/// checks that the data dictionary loaded, and initialises DCMTK's globals.
/// Safe to call repeatedly and from several threads; the read functions call
/// it too. Returns 0 with a message in `status` if the dictionary is missing.
int CDCMTKShim_initialize(CDCMTKShim_Status *status);

/// Deepest content item copied out; deeper items are counted, not copied.
/// Real dose reports are about 6 levels deep.
#define CDCMTKSHIM_MAX_CONTENT_DEPTH 64

/// Parses `length` bytes (a DICOM file, with or without meta header, or a bare
/// dataset) and copies the content tree out. On success returns a document
/// that the caller frees with CDCMTKShim_Document_free; on failure returns
/// NULL and fills `status`.
CDCMTKShim_Document *CDCMTKShim_read_buffer(const void *bytes, size_t length, CDCMTKShim_Status *status);

/// The SOP Class UID of the object in `bytes` (its (0008,0016), else the
/// meta header's Media Storage SOP Class UID), read from the header alone.
/// Writes it NUL-terminated into `out` and returns its length; 0 with
/// `status` filled when the bytes are not DICOM or carry none.
size_t CDCMTKShim_sop_class_uid(const void *bytes, size_t length, char *out, size_t capacity, CDCMTKShim_Status *status);

/// As CDCMTKShim_read_buffer, reading the file at `path` first.
CDCMTKShim_Document *CDCMTKShim_read_file(const char *path, CDCMTKShim_Status *status);

/// Releases a document returned by a read function. NULL is allowed.
void CDCMTKShim_Document_free(CDCMTKShim_Document *document);

/// Test hook: runs the same exception guard as every entry point around a
/// body that throws (1: std::runtime_error, 2: std::bad_alloc, 3: an int), so
/// the catch paths are covered by tests. Returns the status's `ok`.
int CDCMTKShim_test_exception_guard(int which, CDCMTKShim_Status *status);

// MARK: - CT images (patient size from pixels)
//
// An image is parsed once and held by a CDCMTKShim_Image handle: its header
// and per-frame geometry are copied out, and its pixels are decompressed in
// place (RLE, JPEG baseline/lossless, JPEG-LS through DCMTK's own codecs) so
// Swift reads them without a copy. The handle owns everything it points to;
// CDCMTKShim_Image_free releases it.

/// Image-level attributes, in a fixed order (keep in step with kImageTags in
/// ImageReader.cpp; a static_assert checks the count).
typedef enum CDCMTKShim_ImageField {
    CDCMTKShim_ImageSOPClassUID = 0,
    CDCMTKShim_ImageSOPInstanceUID,
    CDCMTKShim_ImageModality,
    CDCMTKShim_ImageStudyInstanceUID,
    CDCMTKShim_ImageSeriesInstanceUID,
    CDCMTKShim_ImageSeriesNumber,
    CDCMTKShim_ImageSeriesDescription,
    CDCMTKShim_ImageAccessionNumber,
    CDCMTKShim_ImageFrameOfReferenceUID,
    CDCMTKShim_ImageImageType,
    CDCMTKShim_ImagePhotometricInterpretation,
    CDCMTKShim_ImageBodyPartExamined,
    CDCMTKShim_ImageStationName,
    CDCMTKShim_ImageFieldCount
} CDCMTKShim_ImageField;

/// Which optional per-frame values were present.
enum {
    CDCMTKShim_FrameHasSpacing = 1u << 0,
    CDCMTKShim_FrameHasPosition = 1u << 1,
    CDCMTKShim_FrameHasOrientation = 1u << 2,
    CDCMTKShim_FrameHasThickness = 1u << 3,
    CDCMTKShim_FrameHasRescale = 1u << 4
};

/// One frame's geometry and value transformation: from the Per-Frame, then
/// the Shared Functional Groups (Enhanced CT), else the top-level attributes.
typedef struct CDCMTKShim_ImageFrame {
    uint32_t present;
    /// Pixel Spacing (0028,0030): row spacing, column spacing, in mm.
    double pixelSpacing[2];
    double imagePosition[3];
    double imageOrientation[6];
    double sliceThickness;
    double rescaleSlope;
    double rescaleIntercept;
    CDCMTKShim_Text frameType;            // Frame Type (0008,9007), else Image Type
    CDCMTKShim_Text irradiationEventUID;  // (0008,3010)
    CDCMTKShim_Text acquisitionDateTime;  // Frame Acquisition DateTime, or Acquisition Date + Time
} CDCMTKShim_ImageFrame;

typedef struct CDCMTKShim_Image {
    CDCMTKShim_Text transferSyntaxUID;
    CDCMTKShim_Text header[CDCMTKShim_ImageFieldCount];
    /// 0 when the attribute is absent.
    uint32_t rows, columns, bitsAllocated, bitsStored, highBit, pixelRepresentation, samplesPerPixel;
    /// Pixel Padding Value and Range Limit (0028,0120/0121) as stored values.
    int32_t hasPaddingValue, hasPaddingRangeLimit;
    int32_t paddingValue, paddingRangeLimit;
    CDCMTKShim_ImageFrame *frames;
    size_t frameCount;
    /// Number of Frames as declared (frames beyond what the pixel data can
    /// hold get no record).
    size_t declaredFrameCount;
    /// The decoded pixel data (native little endian, 16-bit words when
    /// bitsAllocated is 16), or NULL with `pixelProblem` saying why.
    const void *pixels;
    size_t pixelBytes;
    char pixelProblem[256];
    char *pool;
    size_t poolSize;
    /// The parsed object behind `pixels`; opaque.
    void *internal;
} CDCMTKShim_Image;

/// Parses a CT image. NULL with `status` when the bytes are not a DICOM
/// object at all; an image whose pixels cannot be decoded (JPEG 2000, a
/// corrupt stream, no Pixel Data, not 16-bit greyscale) comes back with
/// `pixels` NULL and the reason in `pixelProblem`.
CDCMTKShim_Image *CDCMTKShim_read_image_buffer(const void *bytes, size_t length, CDCMTKShim_Status *status);

/// As CDCMTKShim_read_image_buffer, reading the file at `path` first.
CDCMTKShim_Image *CDCMTKShim_read_image_file(const char *path, CDCMTKShim_Status *status);

/// Releases an image and its pixels. NULL is allowed.
void CDCMTKShim_Image_free(CDCMTKShim_Image *image);

// MARK: - Networking (DICOM upper layer through DCMTK's dcmnet)
//
// A storage SCP (C-STORE and C-ECHO receiver, a thread per association), and an
// SCU for C-ECHO and C-STORE. The SCP hands every received object to a C
// callback as Part-10 bytes and sends the status the callback returns, so
// the response goes out only after the caller has made the object durable.

/// Settings of a storage SCP. Strings are copied; the arrays may be freed
/// after CDCMTKShim_SCP_create returns.
typedef struct CDCMTKShim_SCPSettings {
    const char *aeTitle;
    uint16_t port;
    uint32_t maxPDU;
    /// Seconds to wait for an association request (and its release) once a
    /// connection is open.
    uint32_t acseTimeoutSeconds;
    /// Seconds an open association may stay silent before it is aborted.
    uint32_t idleTimeoutSeconds;
    /// Associations served at once; more are refused as "local limit exceeded".
    uint16_t maxAssociations;
    /// Refuse associations whose called AE title is not `aeTitle`.
    int32_t requireCalledAETitle;
    /// Calling AE titles allowed in; none means anyone.
    const char *const *allowedCallingAETitles;
    size_t allowedCallingAETitleCount;
    /// Peer IP addresses allowed in; none means any.
    const char *const *allowedPeers;
    size_t allowedPeerCount;
} CDCMTKShim_SCPSettings;

/// One object received by C-STORE, valid during the callback only.
typedef struct CDCMTKShim_ReceivedObject {
    const char *callingAETitle;
    const char *peerAddress;
    const char *sopClassUID;
    const char *sopInstanceUID;
    /// The transfer syntax the object arrived in.
    const char *transferSyntaxUID;
    /// The object as a DICOM Part-10 file (explicit VR little endian).
    const uint8_t *bytes;
    size_t length;
} CDCMTKShim_ReceivedObject;

/// Returns the DIMSE status to answer with (0x0000 success, 0xA700 out of
/// resources, 0xC000 cannot understand, ...). Called on the association's thread.
typedef uint16_t (*CDCMTKShim_StoreHandler)(void *context, const CDCMTKShim_ReceivedObject *object);

enum {
    CDCMTKShim_SCPEventAccepted = 1,
    CDCMTKShim_SCPEventRefused = 2,
    CDCMTKShim_SCPEventEcho = 3,
    CDCMTKShim_SCPEventProblem = 4
};
/// Association-level events (accepted, refused with the reason, problems).
typedef void (*CDCMTKShim_SCPEventHandler)(void *context, int32_t event, const char *message);

typedef struct CDCMTKShim_SCP CDCMTKShim_SCP;

/// Creates an SCP and checks that its port can be bound. NULL with `status`
/// filled on failure.
CDCMTKShim_SCP *CDCMTKShim_SCP_create(const CDCMTKShim_SCPSettings *settings, CDCMTKShim_StoreHandler onStore,
                                      CDCMTKShim_SCPEventHandler onEvent, void *context, CDCMTKShim_Status *status);

/// Listens and serves until CDCMTKShim_SCP_stop; blocks the calling thread.
/// Returns 1 after a requested stop, 0 with `status` if listening failed.
int CDCMTKShim_SCP_run(CDCMTKShim_SCP *scp, CDCMTKShim_Status *status);

/// Asks a running SCP to stop: no new associations; associations in
/// progress finish (each bounded by the idle timeout). Thread-safe.
void CDCMTKShim_SCP_stop(CDCMTKShim_SCP *scp);

/// Frees an SCP that is not running. NULL is allowed.
void CDCMTKShim_SCP_free(CDCMTKShim_SCP *scp);

/// A remote application entity.
typedef struct CDCMTKShim_Peer {
    const char *host;
    uint16_t port;
    const char *callingAETitle;
    const char *calledAETitle;
    uint32_t timeoutSeconds;
    uint32_t maxPDU;
} CDCMTKShim_Peer;

/// C-ECHO. Returns 1 when the peer answered success.
int CDCMTKShim_echo(const CDCMTKShim_Peer *peer, CDCMTKShim_Status *status);

/// Outcome of one file of CDCMTKShim_send_files: `sent` is 1 when a C-STORE
/// response came back (its status in `dimseStatus`), 0 when the file could not
/// be sent (why in `status`).
typedef void (*CDCMTKShim_SendResultHandler)(void *context, size_t index, int32_t sent, uint16_t dimseStatus,
                                             const CDCMTKShim_Status *status);

/// C-STORE of each file over one association. Returns 1 when the association
/// was negotiated and released (per-file outcomes go to `onResult`), 0 with
/// `status` when the peer could not be reached or refused the association.
int CDCMTKShim_send_files(const CDCMTKShim_Peer *peer, const char *const *paths, size_t count,
                          CDCMTKShim_SendResultHandler onResult, void *context, CDCMTKShim_Status *status);

#ifdef __cplusplus
}
#endif

#endif
