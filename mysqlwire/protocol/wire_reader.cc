#include "mysqlwire/protocol/wire_reader.h"

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"

namespace mysqlwire {

bool WireReader::Need(size_t n) {
  if (!ok_) return false;
  if (data_.size() - pos_ < n) {
    ok_ = false;
    fail_pos_ = pos_;
    return false;
  }
  return true;
}

uint64_t WireReader::FixedInt(size_t width) {
  if (width == 0 || width > 8 || !Need(width)) {
    if (ok_) {
      ok_ = false;
      fail_pos_ = pos_;
    }
    return 0;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  }
  pos_ += width;
  return v;
}

uint8_t WireReader::U8() { return static_cast<uint8_t>(FixedInt(1)); }
uint16_t WireReader::U16() { return static_cast<uint16_t>(FixedInt(2)); }
uint32_t WireReader::U24() { return static_cast<uint32_t>(FixedInt(3)); }
uint32_t WireReader::U32() { return static_cast<uint32_t>(FixedInt(4)); }
uint64_t WireReader::U48() { return FixedInt(6); }
uint64_t WireReader::U64() { return FixedInt(8); }

std::optional<uint64_t> WireReader::LenencOrNull() {
  if (!Need(1)) return 0;
  uint8_t first = static_cast<uint8_t>(data_[pos_]);
  if (first < 0xfb) {
    ++pos_;
    return first;
  }
  switch (first) {
    case 0xfb:
      ++pos_;
      return std::nullopt;
    case 0xfc:
      ++pos_;
      return FixedInt(2);
    case 0xfd:
      ++pos_;
      return FixedInt(3);
    case 0xfe:
      ++pos_;
      return FixedInt(8);
    default:  // 0xff is never a length (it starts an ERR packet).
      ok_ = false;
      fail_pos_ = pos_;
      return 0;
  }
}

uint64_t WireReader::Lenenc() {
  size_t at = pos_;
  std::optional<uint64_t> v = LenencOrNull();
  if (!v.has_value()) {
    ok_ = false;
    fail_pos_ = at;
    return 0;
  }
  return *v;
}

absl::string_view WireReader::Bytes(size_t n) {
  if (!Need(n)) return {};
  absl::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

absl::string_view WireReader::LenencString() {
  uint64_t n = Lenenc();
  if (!ok_) return {};
  if (n > data_.size() - pos_) {
    ok_ = false;
    fail_pos_ = pos_;
    return {};
  }
  return Bytes(static_cast<size_t>(n));
}

absl::string_view WireReader::NulString() {
  if (!ok_) return {};
  size_t end = data_.find('\0', pos_);
  if (end == absl::string_view::npos) {
    ok_ = false;
    fail_pos_ = pos_;
    return {};
  }
  absl::string_view out = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return out;
}

absl::string_view WireReader::Rest() {
  if (!ok_) return {};
  absl::string_view out = data_.substr(pos_);
  pos_ = data_.size();
  return out;
}

void WireReader::Skip(size_t n) { Bytes(n); }

uint8_t WireReader::PeekU8() const {
  if (!ok_ || pos_ >= data_.size()) return 0;
  return static_cast<uint8_t>(data_[pos_]);
}

absl::Status WireReader::Status(absl::string_view what) const {
  if (ok_) return absl::OkStatus();
  return ProtocolError(absl::StrCat(what, ": truncated or malformed at byte ",
                                    fail_pos_, " of ", data_.size()));
}

absl::Status WireReader::StatusAtEnd(absl::string_view what) const {
  if (!ok_) return Status(what);
  if (pos_ != data_.size()) {
    return ProtocolError(absl::StrCat(what, ": ", data_.size() - pos_,
                                      " unexpected trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace mysqlwire
