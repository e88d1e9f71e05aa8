// Bytes → a DCMTK dataset, for every reader in the shim: one pre-scan and one
// parse path for files, network buffers and the fuzzer.
#include "ObjectParser.hpp"
#include "LengthScanner.hpp"
#include "ShimSupport.hpp"

#include "dcmtk/dcmdata/dcistrmb.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cdcmtkshim {

namespace {

bool hasPreamble(const unsigned char *bytes, size_t length) {
    return length >= 132 && std::memcmp(bytes + 128, "DICM", 4) == 0;
}

bool isTruncation(const OFCondition &condition) {
    return condition == EC_StreamNotifyClient || condition == EC_EndOfStream ||
           condition == EC_ElemLengthLargerThanItem || condition == EC_SequDelimitationItemMissing ||
           condition == EC_ItemDelimitationItemMissing || condition == EC_TooManyBytesRequested;
}

// Opens `path` for reading without waiting on a FIFO, and refuses anything
// that is not a regular file. -1 with `status` filled on failure.
int openRegularFile(const char *path, struct stat &info, CDCMTKShim_Status *status) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
    // refuses anything that is not a regular file.
    const int fd = ::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        std::string msg = std::string("cannot open file: ") + std::strerror(errno);
        setStatus(status, CDCMTKShim_ErrorIO, 0, 0, msg.c_str());
        return -1;
    }
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        const char *what = S_ISFIFO(info.st_mode) ? "a FIFO" : S_ISDIR(info.st_mode) ? "a directory"
                         : S_ISSOCK(info.st_mode) ? "a socket" : "not a regular file";
        std::string msg = std::string("not a regular file: ") + what;
        setStatus(status, CDCMTKShim_ErrorIO, 0, 0, msg.c_str());
        return -1;
    }
    return fd;
}

}  // namespace

bool parseObject(const void *bytes, size_t length, DcmFileFormat &fileFormat, bool &preamble,
                 CDCMTKShim_Status *status, const DcmTagKey &stopBefore) {
    initializeOnce();
    if (bytes == nullptr && length > 0) {
        setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "null buffer");
        return false;
    }
    if (length == 0) {
        setStatus(status, CDCMTKShim_ErrorNotDICOM, 0, 0, "empty input (0 bytes)");
        return false;
    }
    if (length > 0xFFFFFFF0u) {
        setStatus(status, CDCMTKShim_ErrorInvalidArgument, 0, 0, "input larger than 4 GiB");
        return false;
    }
    // DcmSCP::listen() turns this process-global off, after which valid UIDs
    // with a trailing NUL pad fail; every read sets it back.
    dcmEnableAutomaticInputDataCorrection.set(OFTrue);

    const unsigned char *data = static_cast<const unsigned char *>(bytes);
    preamble = hasPreamble(data, length);

    switch (preScan(data, length, preamble)) {
    case PreScan::Plausible:
        break;
    case PreScan::Impossible:
        if (preamble)
            setStatus(status, CDCMTKShim_ErrorTruncated, 0, 0,
                      "an element declares more bytes than the object contains (truncated or corrupt)");
        else
            setStatus(status, CDCMTKShim_ErrorNotDICOM, 0, 0,
                      "no DICOM preamble, and read as a dataset an element declares more bytes than the object contains: not a DICOM object");
        return false;
    case PreScan::NestedTooDeeply: {
        const std::string message = "sequences nested more than " + std::to_string(kMaxSequenceNesting) +
                                    " levels deep (refused before parsing: no real object nests so deep)";
        setStatus(status, CDCMTKShim_ErrorParse, 0, 0, message.c_str());
        return false;
    }
    case PreScan::BadDeflate: {
        const std::string message = "the deflated dataset does not inflate, or inflates beyond " +
                                    std::to_string(kMaxInflatedBytes >> 20) + " MiB";
        setStatus(status, CDCMTKShim_ErrorParse, 0, 0, message.c_str());
        return false;
    }
    }

    DcmInputBufferStream stream;
    stream.setBuffer(bytes, static_cast<offile_off_t>(length));
    stream.setEos();
    fileFormat.transferInit();
    OFCondition condition = stopBefore == DCM_UndefinedTagKey
                                ? fileFormat.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength)
                                : fileFormat.readUntilTag(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, stopBefore);
    fileFormat.transferEnd();

    DcmDataset *dataset = fileFormat.getDataset();
    if (condition.bad()) {
        CDCMTKShim_ErrorKind kind = preamble ? (isTruncation(condition) ? CDCMTKShim_ErrorTruncated : CDCMTKShim_ErrorParse)
                                             : CDCMTKShim_ErrorNotDICOM;
        // A bare dataset (no preamble) that got far enough to have a SOP
        // Class UID is DICOM that ended early, not random bytes.
        if (!preamble && dataset != nullptr && dataset->tagExistsWithValue(DCM_SOPClassUID))
            kind = isTruncation(condition) ? CDCMTKShim_ErrorTruncated : CDCMTKShim_ErrorParse;
        setStatus(status, kind, condition.module(), condition.code(), condition.text());
        return false;
    }
    if (dataset == nullptr) {
        setStatus(status, CDCMTKShim_ErrorParse, 0, 0, "DCMTK returned no dataset");
        return false;
    }
    if (!preamble && !dataset->tagExistsWithValue(DCM_SOPClassUID)) {
        setStatus(status, CDCMTKShim_ErrorNotDICOM, 0, 0,
                  "no DICOM preamble and no SOP Class UID: not a DICOM object");
        return false;
    }

    return true;
}

bool readWholeFile(const char *path, std::vector<unsigned char> &bytes, CDCMTKShim_Status *status) {
    // Read the whole file, then parse from memory: one parsing path for
    // files, network buffers and the fuzzer.
    struct stat info;
    const int fd = openRegularFile(path, info, status);
    if (fd < 0) return false;
    FILE *file = ::fdopen(fd, "rb");
    if (file == nullptr) {
        ::close(fd);
        setStatus(status, CDCMTKShim_ErrorIO, 0, 0, "cannot open file");
        return false;
    }
    bytes.reserve(static_cast<size_t>(info.st_size));
    unsigned char chunk[65536];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof(chunk), file)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) {
        setStatus(status, CDCMTKShim_ErrorIO, 0, 0, "read error");
        return false;
    }
    return true;
}

MappedFile::~MappedFile() {
    if (mapping_ != nullptr) ::munmap(mapping_, size_);
}

bool MappedFile::open(const char *path, CDCMTKShim_Status *status) {
    struct stat info;
    const int fd = openRegularFile(path, info, status);
    if (fd < 0) return false;
    size_ = static_cast<size_t>(info.st_size);
    if (size_ == 0) {
        ::close(fd);
        static const unsigned char empty = 0;
        bytes_ = &empty;
        return true;
    }
    void *mapping = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (mapping == MAP_FAILED) {
        std::string msg = std::string("cannot map file: ") + std::strerror(errno);
        setStatus(status, CDCMTKShim_ErrorIO, 0, 0, msg.c_str());
        size_ = 0;
        return false;
    }
    mapping_ = mapping;
    bytes_ = static_cast<const unsigned char *>(mapping);
    return true;
}

OFString transferSyntaxOf(DcmFileFormat &fileFormat) {
    OFString uid;
    if (fileFormat.getMetaInfo() != nullptr &&
        fileFormat.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, uid).good() && !uid.empty())
        return uid;
    DcmXfer xfer(fileFormat.getDataset()->getOriginalXfer());
    const char *id = xfer.getXferID();
    return id != nullptr ? OFString(id) : OFString();
}

}  // namespace cdcmtkshim
