// Helpers shared by the shim's translation units (reading and networking).
// Internal: not part of the C interface in include/.
#ifndef CDCMTKSHIM_SUPPORT_HPP
#define CDCMTKSHIM_SUPPORT_HPP

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/oflog/oflog.h"

#include "CDCMTKShim.h"

#include <cstdio>
#include <exception>
#include <mutex>
#include <new>
#include <string>

namespace cdcmtkshim {

inline void setStatus(CDCMTKShim_Status *status, CDCMTKShim_ErrorKind kind, unsigned short module,
                      unsigned short code, const char *message) {
    if (status == nullptr) return;
    status->ok = kind == CDCMTKShim_ErrorNone ? 1 : 0;
    status->kind = kind;
    status->module = module;
    status->code = code;
    std::snprintf(status->message, sizeof(status->message), "%s", message ? message : "");
}

inline void setOK(CDCMTKShim_Status *status) { setStatus(status, CDCMTKShim_ErrorNone, 0, 0, ""); }

// Every entry point runs its body through this, so no C++ exception ever
// reaches a Swift frame (that would be undefined behaviour).
template <typename Result, typename Body>
Result guarded(CDCMTKShim_Status *status, Result onError, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        setStatus(status, CDCMTKShim_ErrorException, 0, 0, "out of memory inside DCMTK shim (std::bad_alloc)");
    } catch (const std::exception &e) {
        std::string msg = std::string("C++ exception inside DCMTK shim: ") + e.what();
        setStatus(status, CDCMTKShim_ErrorException, 0, 0, msg.c_str());
    } catch (...) {
        setStatus(status, CDCMTKShim_ErrorException, 0, 0, "unknown C++ exception inside DCMTK shim");
    }
    return onError;
}

// Silences DCMTK's own logger once per process; returns whether the data
// dictionary loaded.
inline bool initializeOnce() {
    static std::once_flag once;
    static bool dictionaryLoaded = false;
    std::call_once(once, [] {
        // DCMTK logs to stderr by default; DoseAudit reports through its own logger.
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        dictionaryLoaded = dcmDataDict.isDictionaryLoaded();
    });
    return dictionaryLoaded;
}

// Collects strings into one pool; records refer to it by offset.
class Pool {
  public:
    Pool() { bytes_.reserve(16384); }

    CDCMTKShim_Text put(const char *s, size_t n) {
        // Trailing spaces and NULs are DICOM padding, never content.
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0')) --n;
        CDCMTKShim_Text t;
        t.offset = static_cast<uint32_t>(bytes_.size());
        t.length = static_cast<uint32_t>(n);
        t.present = 1;
        bytes_.append(s, n);
        return t;
    }

    CDCMTKShim_Text putElement(DcmElement *element) {
        if (element == nullptr) return CDCMTKShim_Text{0, 0, 0};
        char *s = nullptr;
        Uint32 length = 0;
        // getString gives the raw value with every value of a multi-valued
        // attribute, backslashes included.
        if (element->getString(s, length).good() && s != nullptr) return put(s, length);
        // Binary VRs (FD for FloatingPointValue, UN) fall back to DCMTK's text form.
        OFString text;
        if (element->getOFStringArray(text).good()) return put(text.c_str(), text.length());
        return put("", 0);
    }

    const std::string &bytes() const { return bytes_; }

  private:
    std::string bytes_;
};

}  // namespace cdcmtkshim

#endif
