// CT images for patient size: header, per-frame geometry and decoded pixels.
//
// The pixels are decoded in place by DCMTK's own codecs (registered once,
// here and nowhere else) and handed to Swift as a pointer into the parsed
// object, so a 512 x 512 slice is never copied. Swift measures; nothing here
// interprets a pixel.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"

#include "CDCMTKShim.h"
#include "ObjectParser.hpp"
#include "ShimSupport.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace cdcmtkshim;

// Keep in the order of CDCMTKShim_ImageField.
const DcmTagKey kImageTags[] = {
    DCM_SOPClassUID,        DCM_SOPInstanceUID,        DCM_Modality,
    DCM_StudyInstanceUID,   DCM_SeriesInstanceUID,     DCM_SeriesNumber,
    DCM_SeriesDescription,  DCM_AccessionNumber,       DCM_FrameOfReferenceUID,
    DCM_ImageType,          DCM_PhotometricInterpretation, DCM_BodyPartExamined,
    DCM_StationName,
};
static_assert(sizeof(kImageTags) / sizeof(kImageTags[0]) == CDCMTKShim_ImageFieldCount,
              "kImageTags must list every CDCMTKShim_ImageField in order");

// Functional group macros of the Enhanced CT IOD (PS3.3 C.7.6.16) that hold
// what the size needs.
const DcmTagKey kPerFrameGroups(0x5200, 0x9230);
const DcmTagKey kSharedGroups(0x5200, 0x9229);
const DcmTagKey kPixelMeasures(0x0028, 0x9110);
const DcmTagKey kPlanePosition(0x0020, 0x9113);
const DcmTagKey kPlaneOrientation(0x0020, 0x9116);
const DcmTagKey kValueTransformation(0x0028, 0x9145);
const DcmTagKey kCTImageFrameType(0x0018, 0x9329);
const DcmTagKey kFrameContent(0x0020, 0x9111);
const DcmTagKey kIrradiationEventIdentification(0x0018, 0x9477);
const DcmTagKey kFrameType(0x0008, 0x9007);
const DcmTagKey kFrameAcquisitionDateTime(0x0018, 0x9074);
const DcmTagKey kIrradiationEventUID(0x0008, 0x3010);

// Transfer syntaxes DCMTK 3.6.7 has no decoder for.
bool isJPEG2000(const OFString &uid) {
    return uid == "1.2.840.10008.1.2.4.90" || uid == "1.2.840.10008.1.2.4.91" || uid == "1.2.840.10008.1.2.4.92" ||
           uid == "1.2.840.10008.1.2.4.93" || uid.compare(0, 24, "1.2.840.10008.1.2.4.201") == 0 ||
           uid == "1.2.840.10008.1.2.4.202" || uid == "1.2.840.10008.1.2.4.203";
}

void registerCodecsOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        DcmRLEDecoderRegistration::registerCodecs();
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
    });
}

DcmItem *firstItemOf(DcmItem *parent, const DcmTagKey &sequence) {
    if (parent == nullptr) return nullptr;
    DcmItem *item = nullptr;
    if (parent->findAndGetSequenceItem(sequence, item, 0, OFFalse).bad()) return nullptr;
    return item;
}

// The item of `macro` that applies to a frame: the frame's own, else the shared one.
DcmItem *macroItem(DcmItem *perFrame, DcmItem *shared, const DcmTagKey &macro) {
    if (DcmItem *item = firstItemOf(perFrame, macro)) return item;
    return firstItemOf(shared, macro);
}

bool getDoubles(DcmItem *item, const DcmTagKey &tag, double *values, int count) {
    if (item == nullptr) return false;
    for (int i = 0; i < count; ++i) {
        Float64 value = 0;
        if (item->findAndGetFloat64(tag, value, static_cast<unsigned long>(i), OFFalse).bad()) return false;
        values[i] = value;
    }
    return true;
}

CDCMTKShim_Text putString(Pool &pool, DcmItem *item, const DcmTagKey &tag) {
    if (item == nullptr) return CDCMTKShim_Text{0, 0, 0};
    DcmElement *element = nullptr;
    if (item->findAndGetElement(tag, element, OFFalse).bad() || element == nullptr) return CDCMTKShim_Text{0, 0, 0};
    return pool.putElement(element);
}

uint32_t getUint16(DcmItem *dataset, const DcmTagKey &tag) {
    Uint16 value = 0;
    return dataset->findAndGetUint16(tag, value).good() ? value : 0;
}

// Pixel Padding Value is US or SS by Pixel Representation; DCMTK keeps the VR
// it was written with, so both readings are tried.
bool getPadding(DcmItem *dataset, const DcmTagKey &tag, bool isSigned, int32_t &value) {
    Sint16 s = 0;
    Uint16 u = 0;
    if (isSigned && dataset->findAndGetSint16(tag, s).good()) { value = s; return true; }
    if (dataset->findAndGetUint16(tag, u).good()) { value = isSigned ? static_cast<Sint16>(u) : u; return true; }
    if (dataset->findAndGetSint16(tag, s).good()) { value = s; return true; }
    return false;
}

void fillFrame(CDCMTKShim_ImageFrame &frame, DcmItem *dataset, DcmItem *perFrame, DcmItem *shared, Pool &pool,
               const CDCMTKShim_Text &imageType, const CDCMTKShim_Text &acquisitionDateTime) {
    std::memset(&frame, 0, sizeof(frame));
    frame.rescaleSlope = 1;
    DcmItem *measures = macroItem(perFrame, shared, kPixelMeasures);
    if (getDoubles(measures, DCM_PixelSpacing, frame.pixelSpacing, 2) ||
        getDoubles(dataset, DCM_PixelSpacing, frame.pixelSpacing, 2))
        frame.present |= CDCMTKShim_FrameHasSpacing;
    if (getDoubles(measures, DCM_SliceThickness, &frame.sliceThickness, 1) ||
        getDoubles(dataset, DCM_SliceThickness, &frame.sliceThickness, 1))
        frame.present |= CDCMTKShim_FrameHasThickness;
    if (getDoubles(macroItem(perFrame, shared, kPlanePosition), DCM_ImagePositionPatient, frame.imagePosition, 3) ||
        getDoubles(dataset, DCM_ImagePositionPatient, frame.imagePosition, 3))
        frame.present |= CDCMTKShim_FrameHasPosition;
    if (getDoubles(macroItem(perFrame, shared, kPlaneOrientation), DCM_ImageOrientationPatient, frame.imageOrientation, 6) ||
        getDoubles(dataset, DCM_ImageOrientationPatient, frame.imageOrientation, 6))
        frame.present |= CDCMTKShim_FrameHasOrientation;
    DcmItem *transformation = macroItem(perFrame, shared, kValueTransformation);
    double slope = 1, intercept = 0;
    if ((getDoubles(transformation, DCM_RescaleSlope, &slope, 1) && getDoubles(transformation, DCM_RescaleIntercept, &intercept, 1)) ||
        (getDoubles(dataset, DCM_RescaleSlope, &slope, 1) && getDoubles(dataset, DCM_RescaleIntercept, &intercept, 1))) {
        frame.rescaleSlope = slope;
        frame.rescaleIntercept = intercept;
        frame.present |= CDCMTKShim_FrameHasRescale;
    }
    frame.frameType = putString(pool, macroItem(perFrame, shared, kCTImageFrameType), kFrameType);
    if (!frame.frameType.present) frame.frameType = imageType;
    frame.irradiationEventUID = putString(pool, macroItem(perFrame, shared, kIrradiationEventIdentification), kIrradiationEventUID);
    if (!frame.irradiationEventUID.present) frame.irradiationEventUID = putString(pool, dataset, kIrradiationEventUID);
    frame.acquisitionDateTime = putString(pool, firstItemOf(perFrame, kFrameContent), kFrameAcquisitionDateTime);
    if (!frame.acquisitionDateTime.present) frame.acquisitionDateTime = acquisitionDateTime;
}

// Acquisition DateTime (0008,002A), else Acquisition Date + Time.
CDCMTKShim_Text acquisitionDateTimeOf(DcmItem *dataset, Pool &pool) {
    OFString value;
    if (dataset->findAndGetOFString(DCM_AcquisitionDateTime, value).good() && !value.empty())
        return pool.put(value.c_str(), value.length());
    OFString date, time;
    if (dataset->findAndGetOFString(DCM_AcquisitionDate, date).good() && !date.empty()) {
        dataset->findAndGetOFString(DCM_AcquisitionTime, time);
        const OFString joined = date + time;
        return pool.put(joined.c_str(), joined.length());
    }
    return CDCMTKShim_Text{0, 0, 0};
}

void setProblem(CDCMTKShim_Image &image, const std::string &problem) {
    std::snprintf(image.pixelProblem, sizeof(image.pixelProblem), "%s", problem.c_str());
}

// Decodes the pixels in place and points the image at them.
void decodePixels(CDCMTKShim_Image &image, DcmDataset *dataset, const OFString &transferSyntax) {
    if (!dataset->tagExists(DCM_PixelData)) { setProblem(image, "no Pixel Data (7FE0,0010)"); return; }
    if (isJPEG2000(transferSyntax)) {
        setProblem(image, "JPEG 2000 (" + std::string(transferSyntax.c_str()) +
                              ") cannot be decoded: DCMTK 3.6.7 has no JPEG 2000 decoder");
        return;
    }
    if (image.bitsAllocated != 16 || image.samplesPerPixel != 1) return;  // Swift names the reason
    const OFCondition converted = dataset->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (converted.bad() || !dataset->canWriteXfer(EXS_LittleEndianExplicit)) {
        setProblem(image, "the pixel data could not be decoded (" + std::string(transferSyntax.c_str()) + "): " +
                              (converted.bad() ? converted.text() : "no codec for this transfer syntax"));
        return;
    }
    DcmElement *element = nullptr;
    Uint16 *words = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
        element->getUint16Array(words).bad() || words == nullptr) {
        setProblem(image, "the Pixel Data has no 16-bit values");
        return;
    }
    image.pixels = words;
    image.pixelBytes = element->getLength();
}

CDCMTKShim_Image *readImage(const void *bytes, size_t length, CDCMTKShim_Status *status) {
    registerCodecsOnce();
    auto fileFormat = std::make_unique<DcmFileFormat>();
    bool preamble = false;
    if (!parseObject(bytes, length, *fileFormat, preamble, status)) return nullptr;
    DcmDataset *dataset = fileFormat->getDataset();

    Pool pool;
    CDCMTKShim_Image image;
    std::memset(&image, 0, sizeof(image));
    const OFString transferSyntax = transferSyntaxOf(*fileFormat);
    if (!transferSyntax.empty()) image.transferSyntaxUID = pool.put(transferSyntax.c_str(), transferSyntax.length());
    for (int i = 0; i < CDCMTKShim_ImageFieldCount; ++i) image.header[i] = putString(pool, dataset, kImageTags[i]);
    image.rows = getUint16(dataset, DCM_Rows);
    image.columns = getUint16(dataset, DCM_Columns);
    image.bitsAllocated = getUint16(dataset, DCM_BitsAllocated);
    image.bitsStored = getUint16(dataset, DCM_BitsStored);
    image.highBit = getUint16(dataset, DCM_HighBit);
    image.pixelRepresentation = getUint16(dataset, DCM_PixelRepresentation);
    image.samplesPerPixel = getUint16(dataset, DCM_SamplesPerPixel);
    const bool isSigned = image.pixelRepresentation == 1;
    image.hasPaddingValue = getPadding(dataset, DCM_PixelPaddingValue, isSigned, image.paddingValue) ? 1 : 0;
    image.hasPaddingRangeLimit = getPadding(dataset, DCM_PixelPaddingRangeLimit, isSigned, image.paddingRangeLimit) ? 1 : 0;

    Sint32 declaredFrames = 1;
    if (dataset->findAndGetSint32(DCM_NumberOfFrames, declaredFrames).bad() || declaredFrames < 1) declaredFrames = 1;
    // The frame records are bounded by what the pixel data can hold, so a
    // forged Number of Frames cannot ask for gigabytes of records.
    const size_t frameBytes = size_t(image.rows) * image.columns * std::max<uint32_t>(image.bitsAllocated / 8, 1);
    DcmElement *pixelElement = nullptr;
    const size_t storedBytes = dataset->findAndGetElement(DCM_PixelData, pixelElement).good() && pixelElement != nullptr
        ? pixelElement->getLength() : 0;
    size_t frameCount = static_cast<size_t>(declaredFrames);
    if (frameCount > 1 && frameBytes > 0 && storedBytes > 0 && storedBytes != 0xFFFFFFFFu)
        frameCount = std::min(frameCount, storedBytes / frameBytes + 1);
    frameCount = std::min<size_t>(frameCount, 65536);

    const CDCMTKShim_Text imageType = image.header[CDCMTKShim_ImageImageType];
    const CDCMTKShim_Text acquired = acquisitionDateTimeOf(dataset, pool);
    DcmItem *shared = firstItemOf(dataset, kSharedGroups);
    std::vector<CDCMTKShim_ImageFrame> frames(frameCount);
    DcmSequenceOfItems *perFrameSequence = nullptr;
    dataset->findAndGetSequence(kPerFrameGroups, perFrameSequence);
    DcmObject *cursor = nullptr;
    for (size_t i = 0; i < frameCount; ++i) {
        DcmItem *perFrame = nullptr;
        if (perFrameSequence != nullptr) {
            cursor = perFrameSequence->nextInContainer(cursor);
            perFrame = static_cast<DcmItem *>(cursor);
        }
        fillFrame(frames[i], dataset, perFrame, shared, pool, imageType, acquired);
    }

    decodePixels(image, dataset, transferSyntax);

    const std::string &poolBytes = pool.bytes();
    auto *result = static_cast<CDCMTKShim_Image *>(std::calloc(1, sizeof(CDCMTKShim_Image)));
    if (result == nullptr) throw std::bad_alloc();
    *result = image;
    result->pool = static_cast<char *>(std::malloc(poolBytes.size() + 1));
    result->frames = static_cast<CDCMTKShim_ImageFrame *>(std::malloc(frames.size() * sizeof(CDCMTKShim_ImageFrame) + 1));
    if (result->pool == nullptr || result->frames == nullptr) {
        std::free(result->pool);
        std::free(result->frames);
        std::free(result);
        throw std::bad_alloc();
    }
    std::memcpy(result->pool, poolBytes.data(), poolBytes.size());
    result->pool[poolBytes.size()] = '\0';
    result->poolSize = poolBytes.size();
    if (!frames.empty()) std::memcpy(result->frames, frames.data(), frames.size() * sizeof(CDCMTKShim_ImageFrame));
    result->frameCount = frames.size();
    result->declaredFrameCount = static_cast<size_t>(declaredFrames);
    result->internal = fileFormat.release();
    setOK(status);
    return result;
}

}  // namespace

extern "C" {

CDCMTKShim_Image *CDCMTKShim_read_image_buffer(const void *bytes, size_t length, CDCMTKShim_Status *status) {
    return guarded(status, static_cast<CDCMTKShim_Image *>(nullptr),
                   [&]() -> CDCMTKShim_Image * { return readImage(bytes, length, status); });
}

CDCMTKShim_Image *CDCMTKShim_read_image_file(const char *path, CDCMTKShim_Status *status) {
    return guarded(status, static_cast<CDCMTKShim_Image *>(nullptr), [&]() -> CDCMTKShim_Image * {
        if (path == nullptr) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "null path");
            return nullptr;
        }
        // Mapped, not read: DCMTK copies what it keeps while parsing, and the
        // mapping is gone when readImage returns. (A file truncated while
        // mapped would fault; drop folders take files only once they are complete.)
        MappedFile file;
        if (!file.open(path, status)) return nullptr;
        return readImage(file.bytes(), file.size(), status);
    });
}

void CDCMTKShim_Image_free(CDCMTKShim_Image *image) {
    if (image == nullptr) return;
    delete static_cast<DcmFileFormat *>(image->internal);
    std::free(image->frames);
    std::free(image->pool);
    std::free(image);
}

}  // extern "C"
