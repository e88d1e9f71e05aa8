// Turning bytes into a DCMTK dataset, shared by the report and image readers.
// Internal to the shim.
#ifndef CDCMTKSHIM_OBJECT_PARSER_HPP
#define CDCMTKSHIM_OBJECT_PARSER_HPP

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"

#include "CDCMTKShim.h"

#include <cstddef>
#include <vector>

namespace cdcmtkshim {

// Pre-scans `bytes` (lengths, nesting, deflate) and parses them into
// `fileFormat`. False, with `status` naming the problem, when the object is
// not DICOM, is truncated, or is refused before DCMTK sees it. `preamble`
// tells whether a Part-10 preamble was present. With `stopBefore` set, DCMTK
// stops parsing at that element (the header of a 500 MB image without its pixels).
bool parseObject(const void *bytes, size_t length, DcmFileFormat &fileFormat, bool &preamble,
                 CDCMTKShim_Status *status, const DcmTagKey &stopBefore = DCM_UndefinedTagKey);

// Reads a regular file whole (never waits on a FIFO). False with `status`
// filled when it cannot.
bool readWholeFile(const char *path, std::vector<unsigned char> &bytes, CDCMTKShim_Status *status);

// A regular file mapped read-only for the length of one parse (no copy and no
// fresh 512 KB heap buffer per CT slice); unmapped when it goes out of scope.
class MappedFile {
  public:
    MappedFile() = default;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    ~MappedFile();
    // False with `status` filled when the file cannot be opened or is not a regular file.
    bool open(const char *path, CDCMTKShim_Status *status);
    const unsigned char *bytes() const { return bytes_; }
    size_t size() const { return size_; }

  private:
    const unsigned char *bytes_ = nullptr;
    size_t size_ = 0;
    void *mapping_ = nullptr;
};

// The transfer syntax the object was encoded in: the meta header's, else the
// one DCMTK detected.
OFString transferSyntaxOf(DcmFileFormat &fileFormat);

}  // namespace cdcmtkshim

#endif
