// What kind of object a buffer holds, from its header alone: the readers for
// dose reports and for CT images are chosen by SOP Class UID before either
// parses the whole object (a CT series is mostly pixel data).
#include "ObjectParser.hpp"
#include "ShimSupport.hpp"

#include <cstring>

using namespace cdcmtkshim;

extern "C" size_t CDCMTKShim_sop_class_uid(const void *bytes, size_t length, char *out, size_t capacity,
                                           CDCMTKShim_Status *status) {
    return guarded(status, static_cast<size_t>(0), [&]() -> size_t {
        if (out == nullptr || capacity == 0) {
            setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "no output buffer");
            return 0;
        }
        out[0] = '\0';
        DcmFileFormat fileFormat;
        bool preamble = false;
        // The pre-scan still runs over the whole object (it only walks element
        // headers); DCMTK reads no further than the SOP Instance UID.
        if (!parseObject(bytes, length, fileFormat, preamble, status, DCM_SOPInstanceUID)) return 0;
        OFString uid;
        if (fileFormat.getDataset()->findAndGetOFString(DCM_SOPClassUID, uid).bad() || uid.empty()) {
            if (fileFormat.getMetaInfo() != nullptr)
                fileFormat.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, uid);
        }
        if (uid.empty()) {
            setStatus(status, CDCMTKShim_ErrorParse, 0, 0, "no SOP Class UID (0008,0016) or Media Storage SOP Class UID");
            return 0;
        }
        const size_t n = uid.length() < capacity - 1 ? uid.length() : capacity - 1;
        std::memcpy(out, uid.c_str(), n);
        out[n] = '\0';
        setOK(status);
        return n;
    });
}
