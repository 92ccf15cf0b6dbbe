// Appends protocol primitives to a payload buffer.
#ifndef MYSQLWIRE_PROTOCOL_WIRE_WRITER_H_
#define MYSQLWIRE_PROTOCOL_WIRE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mysqlwire {

class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}

  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { FixedInt(v, 2); }
  void U24(uint32_t v) { FixedInt(v, 3); }
  void U32(uint32_t v) { FixedInt(v, 4); }
  void U64(uint64_t v) { FixedInt(v, 8); }
  void FixedInt(uint64_t v, size_t width) {
    for (size_t i = 0; i < width; ++i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void Lenenc(uint64_t v);
  void Bytes(absl::string_view s) { out_->append(s.data(), s.size()); }
  void LenencString(absl::string_view s) {
    Lenenc(s.size());
    Bytes(s);
  }
  void NulString(absl::string_view s) {
    Bytes(s);
    out_->push_back('\0');
  }
  void Zeros(size_t n) { out_->append(n, '\0'); }

  std::string* buffer() { return out_; }

 private:
  std::string* out_;
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_WIRE_WRITER_H_
