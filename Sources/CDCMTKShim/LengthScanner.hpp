// The pre-scan every object gets before DCMTK parses it. Internal to the shim.
#ifndef CDCMTKSHIM_LENGTH_SCANNER_HPP
#define CDCMTKSHIM_LENGTH_SCANNER_HPP

#include <cstddef>
#include <cstdint>

namespace cdcmtkshim {

// A VR's two letters as one number: every element's VR is tested against
// up to 13 VRs, and as strings that test costs 8 % of the reader's CPU.
constexpr uint16_t vrCode(char first, char second) {
    return static_cast<uint16_t>((static_cast<unsigned char>(first) << 8) | static_cast<unsigned char>(second));
}

// Explicit VRs with a reserved field and a 4-byte length (PS3.5 7.1.2):
// the one rule for the dataset's pre-scan and the File Meta walk.
bool hasLongLength(uint16_t vr);

// Sequence levels DCMTK is allowed to parse. DCMTK reads nested sequences
// recursively on the caller's stack; about 5,600 levels overflow it. A CT
// dose report nests about 10 (the reader follows content 64 deep), so 128
// is far beyond any real object and far below what the stack holds.
constexpr int kMaxSequenceNesting = 128;

// Inflated size a deflated dataset may reach before it is refused: the
// pre-scan inflates it to check its lengths and nesting, and DCMTK would
// inflate it whole as well.
constexpr size_t kMaxInflatedBytes = size_t(256) << 20;

enum class PreScan {
    // Nothing impossible found (or nothing the scan understands): DCMTK decides.
    Plausible,
    // An element declares more bytes than its container holds.
    Impossible,
    // Sequences nested deeper than kMaxSequenceNesting.
    NestedTooDeeply,
    // A deflated dataset that inflates beyond kMaxInflatedBytes, or does not inflate.
    BadDeflate,
};

// Scans the element headers of a Part-10 stream (or bare dataset) in
// explicit or implicit VR little endian, explicit VR big endian or
// deflated explicit VR little endian, without allocating what they declare.
PreScan preScan(const unsigned char *data, size_t size, bool hasPreamble);

}  // namespace cdcmtkshim

#endif
