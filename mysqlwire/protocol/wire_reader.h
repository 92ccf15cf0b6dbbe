// Bounds-checked reader over one packet payload. Every read either succeeds
// and advances, or fails and leaves the reader in a sticky failed state, so a
// codec can chain reads and check once; it can never read past the buffer.
#ifndef MYSQLWIRE_PROTOCOL_WIRE_READER_H_
#define MYSQLWIRE_PROTOCOL_WIRE_READER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

class WireReader {
 public:
  explicit WireReader(absl::string_view data) : data_(data) {}

  // Fixed-width little-endian integers (int<1>, int<2>, int<3>, int<4>,
  // int<6>, int<8> in the protocol docs).
  uint8_t U8();
  uint16_t U16();
  uint32_t U24();
  uint32_t U32();
  uint64_t U48();
  uint64_t U64();
  uint64_t FixedInt(size_t width);  // width in 1..8

  // int<lenenc>. `LenencOrNull` returns nullopt for the 0xFB NULL marker
  // (text result rows); plain `Lenenc` treats 0xFB as malformed.
  uint64_t Lenenc();
  std::optional<uint64_t> LenencOrNull();

  // string<fix>, string<lenenc>, string<NUL>, string<EOF>.
  absl::string_view Bytes(size_t n);
  absl::string_view LenencString();
  absl::string_view NulString();
  absl::string_view Rest();

  void Skip(size_t n);
  uint8_t PeekU8() const;  // Returns 0 when empty; check remaining() first.

  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  bool ok() const { return ok_; }

  // OK if every read succeeded; otherwise a protocol error naming `what` and
  // the offset of the first failed read.
  absl::Status Status(absl::string_view what) const;
  // As Status(), and additionally fails if bytes remain unread.
  absl::Status StatusAtEnd(absl::string_view what) const;

 private:
  bool Need(size_t n);

  absl::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
  size_t fail_pos_ = 0;
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_WIRE_READER_H_
