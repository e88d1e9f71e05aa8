// DCMTK allocates an element's declared length before reading its value, so a
// 1 KB object declaring a 3 GB element makes it allocate 3 GB (found by the
// fuzzer), and it parses nested sequences recursively, so a small object
// nesting thousands of levels overflows the stack. This scan walks the
// element headers first and refuses both before DCMTK sees the object. It
// rejects nothing else it does not understand: on any doubt it stops and
// lets DCMTK decide.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"

#include "LengthScanner.hpp"

#include <cctype>
#include <cstring>
#include <string>
#include <vector>
#include <zlib.h>

namespace cdcmtkshim {

bool hasLongLength(uint16_t vr) {
    switch (vr) {
    case vrCode('O', 'B'): case vrCode('O', 'D'): case vrCode('O', 'F'): case vrCode('O', 'L'):
    case vrCode('O', 'V'): case vrCode('O', 'W'): case vrCode('S', 'Q'): case vrCode('S', 'V'):
    case vrCode('U', 'C'): case vrCode('U', 'N'): case vrCode('U', 'R'): case vrCode('U', 'T'):
    case vrCode('U', 'V'):
        return true;
    default:
        return false;
    }
}

namespace {

enum class Encoding { ExplicitLittle, ImplicitLittle, ExplicitBig };

class Scanner {
  public:
    Scanner(const unsigned char *data, size_t size, Encoding encoding) : data_(data), size_(size), encoding_(encoding) {}

    PreScan scan(size_t begin) {
        size_t position = begin;
        scanElements(position, size_, 0, false);
        return result_;
    }

  private:
    const unsigned char *data_;
    size_t size_;
    Encoding encoding_;
    PreScan result_ = PreScan::Plausible;
    bool gaveUp_ = false;

    static const uint32_t kUndefined = 0xFFFFFFFFu;

    uint16_t u16(size_t at) const {
        if (encoding_ == Encoding::ExplicitBig) return static_cast<uint16_t>((data_[at] << 8) | data_[at + 1]);
        return static_cast<uint16_t>(data_[at] | (data_[at + 1] << 8));
    }
    uint32_t u32(size_t at) const {
        const uint32_t b0 = data_[at], b1 = data_[at + 1], b2 = data_[at + 2], b3 = data_[at + 3];
        if (encoding_ == Encoding::ExplicitBig) return (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
        return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    }
    // Item and delimitation tags: (FFFE,xxxx) in either byte order.
    bool itemTag(size_t at, uint16_t element) const { return u16(at) == 0xFFFE && u16(at + 2) == element; }

    bool stop() const { return result_ != PreScan::Plausible || gaveUp_; }

    // `nesting` counts sequences: each level is an element list inside an item.
    void scanElements(size_t &position, size_t end, int nesting, bool untilDelimiter) {
        if (nesting > kMaxSequenceNesting) {
            result_ = PreScan::NestedTooDeeply;
            return;
        }
        while (!stop() && position + 8 <= end) {
            const uint16_t group = u16(position);
            const uint16_t element = u16(position + 2);
            if (group == 0xFFFE) {
                if (element == 0xE00D && untilDelimiter) { position += 8; return; }
                gaveUp_ = true;  // an unexpected delimiter: leave it to DCMTK
                return;
            }
            uint32_t length;
            size_t header;
            bool sequence = false;
            if (encoding_ != Encoding::ImplicitLittle) {
                const char vr0 = static_cast<char>(data_[position + 4]);
                const char vr1 = static_cast<char>(data_[position + 5]);
                if (vr0 < 'A' || vr0 > 'Z' || vr1 < 'A' || vr1 > 'Z') { gaveUp_ = true; return; }
                const uint16_t vr = vrCode(vr0, vr1);
                if (hasLongLength(vr)) {
                    if (position + 12 > end) { result_ = PreScan::Impossible; return; }
                    length = u32(position + 8);
                    header = 12;
                } else {
                    length = u16(position + 6);
                    header = 8;
                }
                sequence = vr == vrCode('S', 'Q') ||
                           (length == kUndefined && (vr == vrCode('U', 'N') || vr == vrCode('O', 'B') || vr == vrCode('O', 'W')));
                // Encapsulated pixel data holds fragments, not items of elements.
                if (group == 0x7FE0 && element == 0x0010) sequence = false;
            } else {
                length = u32(position + 4);
                header = 8;
                sequence = (length == kUndefined || DcmTag(group, element).getEVR() == EVR_SQ) &&
                           !(group == 0x7FE0 && element == 0x0010);
            }
            position += header;
            if (length == kUndefined) {
                if (!sequence) {
                    // Encapsulated pixel data: skip its fragments to the delimiter.
                    if (group == 0x7FE0 && element == 0x0010) { skipFragments(position, end); continue; }
                    gaveUp_ = true;
                    return;
                }
                scanItems(position, end, nesting + 1, true);
                continue;
            }
            if (length > end - position) { result_ = PreScan::Impossible; return; }
            if (sequence) {
                size_t inner = position;
                scanItems(inner, position + length, nesting + 1, false);
            }
            position += length;
        }
        if (untilDelimiter && !stop() && position + 8 > end && position < end) result_ = PreScan::Impossible;
    }

    void scanItems(size_t &position, size_t end, int nesting, bool untilDelimiter) {
        while (!stop() && position + 8 <= end) {
            const uint32_t length = u32(position + 4);
            if (itemTag(position, 0xE0DD)) { position += 8; return; }  // sequence delimitation
            if (!itemTag(position, 0xE000)) { gaveUp_ = true; return; }
            position += 8;
            if (length == kUndefined) {
                scanElements(position, end, nesting, true);
                continue;
            }
            if (length > end - position) { result_ = PreScan::Impossible; return; }
            size_t inner = position;
            scanElements(inner, position + length, nesting, false);
            position += length;
        }
        (void)untilDelimiter;
    }

    void skipFragments(size_t &position, size_t end) {
        while (!stop() && position + 8 <= end) {
            const uint32_t length = u32(position + 4);
            if (itemTag(position, 0xE0DD)) { position += 8; return; }
            if (!itemTag(position, 0xE000)) { gaveUp_ = true; return; }
            position += 8;
            if (length == kUndefined || length > end - position) { result_ = PreScan::Impossible; return; }
            position += length;
        }
    }
};

// Raw deflate (RFC 1951, PS3.5 A.5) inflated into `out`; false when it is
// not valid deflate or grows beyond kMaxInflatedBytes.
bool inflateRaw(const unsigned char *data, size_t size, std::vector<unsigned char> &out) {
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return false;
    stream.next_in = const_cast<unsigned char *>(data);
    stream.avail_in = static_cast<uInt>(size > 0xFFFFFFFFu ? 0xFFFFFFFFu : size);
    unsigned char chunk[65536];
    int result = Z_OK;
    while (result == Z_OK) {
        stream.next_out = chunk;
        stream.avail_out = sizeof(chunk);
        result = inflate(&stream, Z_NO_FLUSH);
        if (result != Z_OK && result != Z_STREAM_END) break;
        const size_t produced = sizeof(chunk) - stream.avail_out;
        if (out.size() + produced > kMaxInflatedBytes) { result = Z_MEM_ERROR; break; }
        out.insert(out.end(), chunk, chunk + produced);
        if (produced == 0 && stream.avail_in == 0) break;
    }
    inflateEnd(&stream);
    return result == Z_STREAM_END || (result == Z_OK && stream.avail_in == 0);
}

}  // namespace

PreScan preScan(const unsigned char *data, size_t size, bool preamble) {
    if (!preamble) {
        // A bare dataset: DCMTK guesses the encoding; guess the same way from
        // the first element's VR bytes.
        if (size < 8) return PreScan::Plausible;
        const bool explicitVR = std::isupper(data[4]) && std::isupper(data[5]);
        return Scanner(data, size, explicitVR ? Encoding::ExplicitLittle : Encoding::ImplicitLittle).scan(0);
    }
    // File Meta Information is explicit VR little endian, group 0002.
    size_t position = 132;
    std::string transferSyntax;
    while (position + 8 <= size && data[position] == 0x02 && data[position + 1] == 0x00) {
        const uint16_t element = static_cast<uint16_t>(data[position + 2] | (data[position + 3] << 8));
        const uint16_t vr = vrCode(static_cast<char>(data[position + 4]), static_cast<char>(data[position + 5]));
        size_t header = 8;
        uint32_t length = static_cast<uint32_t>(data[position + 6] | (data[position + 7] << 8));
        if (hasLongLength(vr)) {
            if (position + 12 > size) return PreScan::Plausible;
            length = static_cast<uint32_t>(data[position + 8]) | (static_cast<uint32_t>(data[position + 9]) << 8) |
                     (static_cast<uint32_t>(data[position + 10]) << 16) | (static_cast<uint32_t>(data[position + 11]) << 24);
            header = 12;
        }
        if (length > size - position - header) return PreScan::Plausible;  // DCMTK reports the broken meta header
        if (element == 0x0010) {
            transferSyntax.assign(reinterpret_cast<const char *>(data + position + header), length);
            while (!transferSyntax.empty() && (transferSyntax.back() == '\0' || transferSyntax.back() == ' '))
                transferSyntax.pop_back();
        }
        position += header + length;
    }
    if (transferSyntax == UID_LittleEndianImplicitTransferSyntax)
        return Scanner(data, size, Encoding::ImplicitLittle).scan(position);
    if (transferSyntax == UID_BigEndianExplicitTransferSyntax)
        return Scanner(data, size, Encoding::ExplicitBig).scan(position);
    if (transferSyntax == UID_DeflatedExplicitVRLittleEndianTransferSyntax) {
        std::vector<unsigned char> inflated;
        if (!inflateRaw(data + position, size - position, inflated)) return PreScan::BadDeflate;
        return Scanner(inflated.data(), inflated.size(), Encoding::ExplicitLittle).scan(0);
    }
    // Explicit VR little endian, and the encapsulated (compressed pixel data)
    // syntaxes, whose dataset is explicit VR little endian too.
    return Scanner(data, size, Encoding::ExplicitLittle).scan(position);
}

}  // namespace cdcmtkshim
