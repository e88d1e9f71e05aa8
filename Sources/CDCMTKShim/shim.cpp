// The DCMTK side of CDCMTKShim.h. See the header for why this layer exists.
//
// Reading walks the dataset's ContentSequence items directly (DcmItem), not
// through DSRDocument: the strict SR reader rejects about a third of real
// vendor reports and its "skip invalid items" mode drops whole irradiation
// events silently. Here every content item is copied out as it is, and the
// Swift side decides what a deviation means.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/oflog/oflog.h"

#include "CDCMTKShim.h"
#include "ShimSupport.hpp"
#include "ObjectParser.hpp"

#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace cdcmtkshim;

// Keep in the order of CDCMTKShim_HeaderField.
const DcmTagKey kHeaderTags[] = {
    DCM_SOPClassUID,          DCM_SOPInstanceUID,      DCM_Modality,
    DCM_StudyInstanceUID,     DCM_SeriesInstanceUID,   DCM_StudyDate,
    DCM_StudyTime,            DCM_ContentDate,         DCM_ContentTime,
    DCM_AccessionNumber,      DCM_StudyDescription,    DCM_SeriesDescription,
    DCM_InstitutionName,      DCM_StationName,         DCM_Manufacturer,
    DCM_ManufacturerModelName, DCM_DeviceSerialNumber, DCM_SoftwareVersions,
    DCM_PatientID,            DCM_PatientBirthDate,    DCM_PatientSex,
    DCM_PatientAge,           DCM_PatientSize,         DCM_PatientWeight,
    DCM_SpecificCharacterSet, DCM_CompletionFlag,      DCM_VerificationFlag,
    DCM_ImageType,            DCM_IssuerOfPatientID,
};
static_assert(sizeof(kHeaderTags) / sizeof(kHeaderTags[0]) == CDCMTKShim_HeaderFieldCount,
              "kHeaderTags must list every CDCMTKShim_HeaderField in order");

// DcmSequenceOfItems::getItem(i) and DcmItem::getElement(i) walk the list
// from its head on every call, so an indexed loop is quadratic (seconds
// for 10,000 events). nextInContainer keeps the list's cursor: O(1) a step.
template <typename Container, typename Body>
void forEachChild(Container *container, Body body) {
    for (DcmObject *child = container->nextInContainer(nullptr); child != nullptr;
         child = container->nextInContainer(child))
        body(child);
}

DcmItem *firstItem(DcmElement *element, uint32_t *flags) {
    if (element == nullptr || element->ident() != EVR_SQ) return nullptr;
    DcmSequenceOfItems *sequence = static_cast<DcmSequenceOfItems *>(element);
    if (sequence->card() > 1 && flags != nullptr) *flags |= CDCMTKShim_ItemExtraSequenceItems;
    return sequence->card() > 0 ? sequence->getItem(0) : nullptr;
}

void readCode(DcmElement *sequence, Pool &pool, CDCMTKShim_Code &code, uint32_t *flags) {
    std::memset(&code, 0, sizeof(code));
    if (sequence == nullptr) return;
    DcmItem *item = firstItem(sequence, flags);
    if (item == nullptr) {
        code.state = 1;
        return;
    }
    code.state = 2;
    DcmElement *longValue = nullptr;
    DcmElement *urnValue = nullptr;
    forEachChild(item, [&](DcmObject *object) {
        DcmElement *e = static_cast<DcmElement *>(object);
        const DcmTagKey tag = e->getTag();
        if (tag == DCM_CodeValue) code.value = pool.putElement(e);
        else if (tag == DCM_CodingSchemeDesignator) code.scheme = pool.putElement(e);
        else if (tag == DCM_CodingSchemeVersion) code.version = pool.putElement(e);
        else if (tag == DCM_CodeMeaning) code.meaning = pool.putElement(e);
        else if (tag == DCM_LongCodeValue) longValue = e;
        else if (tag == DCM_URNCodeValue) urnValue = e;
    });
    // SNOMED CT codes longer than 16 characters arrive as LongCodeValue.
    if (!code.value.present && longValue != nullptr) code.value = pool.putElement(longValue);
    if (!code.value.present && urnValue != nullptr) code.value = pool.putElement(urnValue);
}

struct Walker {
    Pool pool;
    std::vector<CDCMTKShim_ContentItem> items;
    size_t beyondDepthLimit = 0;

    // Counts everything below `item` without recursion, for items past the
    // depth limit (a hostile file may nest thousands of levels).
    size_t countDescendants(DcmItem *item) {
        size_t count = 0;
        std::vector<DcmItem *> stack{item};
        while (!stack.empty()) {
            DcmItem *current = stack.back();
            stack.pop_back();
            DcmElement *content = nullptr;
            if (current->findAndGetElement(DCM_ContentSequence, content, OFFalse).bad() || content == nullptr ||
                content->ident() != EVR_SQ)
                continue;
            forEachChild(static_cast<DcmSequenceOfItems *>(content), [&](DcmObject *child) {
                ++count;
                stack.push_back(static_cast<DcmItem *>(child));
            });
        }
        return count;
    }

    void walk(DcmItem *item, int32_t parent, uint32_t depth) {
        const int32_t index = static_cast<int32_t>(items.size());
        items.emplace_back();
        CDCMTKShim_ContentItem record;
        std::memset(&record, 0, sizeof(record));
        record.parent = parent;
        record.depth = depth;

        DcmElement *content = nullptr;
        forEachChild(item, [&](DcmObject *object) {
            DcmElement *e = static_cast<DcmElement *>(object);
            const DcmTagKey tag = e->getTag();
            if (tag == DCM_RelationshipType) record.relationship = pool.putElement(e);
            else if (tag == DCM_ValueType) record.valueType = pool.putElement(e);
            else if (tag == DCM_ConceptNameCodeSequence) readCode(e, pool, record.conceptName, &record.flags);
            else if (tag == DCM_ContinuityOfContent) record.continuity = pool.putElement(e);
            else if (tag == DCM_TextValue || tag == DCM_UID || tag == DCM_DateTime || tag == DCM_Date ||
                     tag == DCM_Time || tag == DCM_PersonName)
                record.value = pool.putElement(e);
            else if (tag == DCM_MeasuredValueSequence) {
                DcmItem *measured = firstItem(e, &record.flags);
                if (measured == nullptr) {
                    record.flags |= CDCMTKShim_ItemMeasuredValueEmpty;
                    return;
                }
                DcmElement *floating = nullptr;
                forEachChild(measured, [&](DcmObject *mobject) {
                    DcmElement *m = static_cast<DcmElement *>(mobject);
                    const DcmTagKey mtag = m->getTag();
                    if (mtag == DCM_NumericValue) record.numericValue = pool.putElement(m);
                    else if (mtag == DCM_MeasurementUnitsCodeSequence) readCode(m, pool, record.unit, &record.flags);
                    else if (mtag == DCM_FloatingPointValue) floating = m;
                });
                if (!record.numericValue.present && floating != nullptr) {
                    Float64 v = 0;
                    if (floating->getFloat64(v).good()) {
                        char buffer[40];
                        int n = std::snprintf(buffer, sizeof(buffer), "%.17g", v);
                        record.numericValue = pool.put(buffer, static_cast<size_t>(n));
                    }
                }
            } else if (tag == DCM_NumericValueQualifierCodeSequence)
                readCode(e, pool, record.qualifier, &record.flags);
            else if (tag == DCM_ConceptCodeSequence) readCode(e, pool, record.conceptCode, &record.flags);
            else if (tag == DCM_ReferencedSOPSequence) {
                DcmItem *ref = firstItem(e, &record.flags);
                if (ref == nullptr) return;
                DcmElement *r = nullptr;
                if (ref->findAndGetElement(DCM_ReferencedSOPClassUID, r, OFFalse).good())
                    record.referencedSOPClass = pool.putElement(r);
                if (ref->findAndGetElement(DCM_ReferencedSOPInstanceUID, r, OFFalse).good())
                    record.referencedSOPInstance = pool.putElement(r);
            } else if (tag == DCM_ObservationDateTime) record.observationDateTime = pool.putElement(e);
            else if (tag == DCM_ContentTemplateSequence) {
                DcmItem *templ = firstItem(e, &record.flags);
                if (templ == nullptr) return;
                DcmElement *t = nullptr;
                if (templ->findAndGetElement(DCM_TemplateIdentifier, t, OFFalse).good())
                    record.templateIdentifier = pool.putElement(t);
                if (templ->findAndGetElement(DCM_MappingResource, t, OFFalse).good())
                    record.mappingResource = pool.putElement(t);
            } else if (tag == DCM_ReferencedContentItemIdentifier) record.flags |= CDCMTKShim_ItemByReference;
            else if (tag == DCM_ContentSequence) content = e;
        });

        if (content != nullptr && content->ident() == EVR_SQ) {
            DcmSequenceOfItems *sequence = static_cast<DcmSequenceOfItems *>(content);
            if (depth >= CDCMTKSHIM_MAX_CONTENT_DEPTH) {
                if (sequence->card() > 0) {
                    record.flags |= CDCMTKShim_ItemChildrenCut;
                    forEachChild(sequence, [&](DcmObject *child) {
                        beyondDepthLimit += 1 + countDescendants(static_cast<DcmItem *>(child));
                    });
                }
            } else {
                items[static_cast<size_t>(index)] = record;  // children may reallocate `items`
                forEachChild(sequence, [&](DcmObject *child) { walk(static_cast<DcmItem *>(child), index, depth + 1); });
                return;
            }
        }
        items[static_cast<size_t>(index)] = record;
    }
};

// Character sets Swift decodes itself (ASCII, Latin-1, UTF-8); any other set
// is converted to UTF-8 here through DCMTK's iconv support.
bool isDecodedInSwift(const OFString &charset) {
    if (charset.empty()) return true;
    OFString first = charset;
    size_t backslash = first.find('\\');
    if (backslash != OFString_npos) {
        // Code extensions (ISO 2022) always need DCMTK.
        return false;
    }
    while (!first.empty() && first[first.length() - 1] == ' ') first.erase(first.length() - 1);
    return first == "ISO_IR 6" || first == "ISO_IR 100" || first == "ISO_IR 192" || first == "ISO 2022 IR 6";
}

CDCMTKShim_Document *readBuffer(const void *bytes, size_t length, CDCMTKShim_Status *status) {
    DcmFileFormat fileFormat;
    bool preamble = false;
    if (!parseObject(bytes, length, fileFormat, preamble, status)) return nullptr;
    DcmDataset *dataset = fileFormat.getDataset();

    uint32_t flags = 0;
    if (preamble) flags |= CDCMTKShim_DocHasMetaHeader;
    if (dataset->tagExists(DCM_PixelData)) flags |= CDCMTKShim_DocHasPixelData;
    // An SR root may carry a concept name and no Content Sequence at all.
    if (dataset->tagExists(DCM_ContentSequence) || dataset->tagExists(DCM_ConceptNameCodeSequence) ||
        dataset->tagExists(DCM_ValueType))
        flags |= CDCMTKShim_DocHasContent;

    OFString charset;
    dataset->findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
    if (!isDecodedInSwift(charset)) {
        if (dataset->convertToUTF8().good()) flags |= CDCMTKShim_DocConvertedToUTF8;
        else flags |= CDCMTKShim_DocCharsetConversionFailed;
    }

    Walker walker;
    CDCMTKShim_Text header[CDCMTKShim_HeaderFieldCount];
    for (int i = 0; i < CDCMTKShim_HeaderFieldCount; ++i) {
        DcmElement *element = nullptr;
        if (dataset->findAndGetElement(kHeaderTags[i], element, OFFalse).good() && element != nullptr)
            header[i] = walker.pool.putElement(element);
        else
            header[i] = CDCMTKShim_Text{0, 0, 0};
    }
    const OFString xferUID = transferSyntaxOf(fileFormat);
    const CDCMTKShim_Text transferSyntax = xferUID.empty() ? CDCMTKShim_Text{0, 0, 0}
                                                           : walker.pool.put(xferUID.c_str(), xferUID.length());

    if (flags & CDCMTKShim_DocHasContent) walker.walk(dataset, -1, 0);

    // Copy out into plain C allocations owned by the caller.
    const std::string &poolBytes = walker.pool.bytes();
    CDCMTKShim_Document *document = static_cast<CDCMTKShim_Document *>(std::calloc(1, sizeof(CDCMTKShim_Document)));
    if (document == nullptr) throw std::bad_alloc();
    document->pool = static_cast<char *>(std::malloc(poolBytes.size() + 1));
    document->items = walker.items.empty() ? nullptr
        : static_cast<CDCMTKShim_ContentItem *>(std::malloc(walker.items.size() * sizeof(CDCMTKShim_ContentItem)));
    if (document->pool == nullptr || (!walker.items.empty() && document->items == nullptr)) {
        std::free(document->pool);
        std::free(document->items);
        std::free(document);
        throw std::bad_alloc();
    }
    std::memcpy(document->pool, poolBytes.data(), poolBytes.size());
    document->pool[poolBytes.size()] = '\0';
    document->poolSize = poolBytes.size();
    if (!walker.items.empty())
        std::memcpy(document->items, walker.items.data(), walker.items.size() * sizeof(CDCMTKShim_ContentItem));
    document->itemCount = walker.items.size();
    document->itemsBeyondDepthLimit = walker.beyondDepthLimit;
    document->flags = flags;
    document->transferSyntaxUID = transferSyntax;
    std::memcpy(document->header, header, sizeof(header));
    setOK(status);
    return document;
}

}  // namespace

extern "C" {

int CDCMTKShim_initialize(CDCMTKShim_Status *status) {
    return guarded(status, 0, [&]() -> int {
        if (!initializeOnce()) {
            setStatus(status, CDCMTKShim_ErrorIO, 0, 0,
                      "DCMTK data dictionary not loaded: install libdcmtk17 or set DCMDICTPATH to dicom.dic");
            return 0;
        }
        setOK(status);
        return 1;
    });
}

CDCMTKShim_Document *CDCMTKShim_read_buffer(const void *bytes, size_t length, CDCMTKShim_Status *status) {
    return guarded(status, static_cast<CDCMTKShim_Document *>(nullptr),
                   [&]() -> CDCMTKShim_Document * { return readBuffer(bytes, length, status); });
}

CDCMTKShim_Document *CDCMTKShim_read_file(const char *path, CDCMTKShim_Status *status) {
    return guarded(status, static_cast<CDCMTKShim_Document *>(nullptr), [&]() -> CDCMTKShim_Document * {
        if (path == nullptr) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "null path");
            return nullptr;
        }
        std::vector<unsigned char> bytes;
        if (!readWholeFile(path, bytes, status)) return nullptr;
        static const unsigned char empty = 0;
        return readBuffer(bytes.empty() ? &empty : bytes.data(), bytes.size(), status);
    });
}

void CDCMTKShim_Document_free(CDCMTKShim_Document *document) {
    if (document == nullptr) return;
    std::free(document->items);
    std::free(document->pool);
    std::free(document);
}

int CDCMTKShim_test_exception_guard(int which, CDCMTKShim_Status *status) {
    return guarded(status, 0, [&]() -> int {
        if (which == 1) throw std::runtime_error("test exception");
        if (which == 2) throw std::bad_alloc();
        if (which == 3) throw 42;
        setOK(status);
        return 1;
    });
}

}  // extern "C"
