#include "mysqlwire/binlog/decimal_binary.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

constexpr int kDigitsPerGroup = 9;
constexpr size_t kGroupBytes = 4;
constexpr int kMaxPrecision = 65;

// Bytes that hold a group of fewer than 9 decimal digits.
constexpr size_t kPartialGroupBytes[kDigitsPerGroup] = {0, 1, 1, 2, 2,
                                                        3, 3, 4, 4};

constexpr uint32_t kPowersOfTen[kDigitsPerGroup + 1] = {
    1,      10,      100,      1000,      10000,
    100000, 1000000, 10000000, 100000000, 1000000000};

uint32_t ReadBigEndian(absl::string_view bytes) {
  uint32_t v = 0;
  for (char c : bytes) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

}  // namespace

size_t BinaryDecimalSize(int precision, int scale) {
  if (precision < 1 || precision > kMaxPrecision || scale < 0 ||
      scale > precision) {
    return 0;
  }
  const int intg = precision - scale;
  return (intg / kDigitsPerGroup) * kGroupBytes +
         kPartialGroupBytes[intg % kDigitsPerGroup] +
         (scale / kDigitsPerGroup) * kGroupBytes +
         kPartialGroupBytes[scale % kDigitsPerGroup];
}

// Binary DECIMAL(precision, scale), intg = precision - scale digits before the
// point:
//   byte<k>    leading intg % 9 digits, k from kPartialGroupBytes
//   byte<4>    each further 9 integer digits (intg / 9 groups)
//   byte<4>    each 9 fraction digits (scale / 9 groups)
//   byte<k>    trailing scale % 9 fraction digits, k from kPartialGroupBytes
// Every group is a big-endian binary number. The sign is the top bit of the
// first byte, stored inverted (1 = positive) so the bytes sort like the
// values; a negative value also has all its bytes inverted.
absl::StatusOr<std::string> BinaryDecimalToText(absl::string_view bytes,
                                                int precision, int scale) {
  const size_t size = BinaryDecimalSize(precision, scale);
  if (size == 0) {
    return ProtocolError(
        absl::StrCat("DECIMAL(", precision, ",", scale, "): invalid size"));
  }
  if (bytes.size() != size) {
    return ProtocolError(absl::StrCat("DECIMAL(", precision, ",", scale,
                                      "): ", bytes.size(), " bytes, expected ",
                                      size));
  }
  std::string buf(bytes);
  const bool negative = (static_cast<uint8_t>(buf[0]) & 0x80) == 0;
  buf[0] = static_cast<char>(static_cast<uint8_t>(buf[0]) ^ 0x80);
  if (negative) {
    for (char& c : buf) c = static_cast<char>(~static_cast<uint8_t>(c));
  }

  const int intg = precision - scale;
  const int lead_digits = intg % kDigitsPerGroup;
  const int trail_digits = scale % kDigitsPerGroup;
  WireReader r(buf);
  std::string int_digits;
  std::string frac_digits;
  bool bad_group = false;
  // Appends one group's digits, zero-padded to the group's width (leading
  // zeros of the integer part are stripped at the end).
  auto group = [&](int digits, std::string& out) {
    const size_t width =
        digits == kDigitsPerGroup ? kGroupBytes : kPartialGroupBytes[digits];
    const uint32_t v = ReadBigEndian(r.Bytes(width));
    if (v >= kPowersOfTen[digits]) bad_group = true;
    std::string text = absl::StrCat(v);
    if (text.size() < static_cast<size_t>(digits)) {
      text.insert(0, digits - text.size(), '0');
    }
    out += text;
  };
  if (lead_digits > 0) group(lead_digits, int_digits);
  for (int i = 0; i < intg / kDigitsPerGroup; ++i) {
    group(kDigitsPerGroup, int_digits);
  }
  for (int i = 0; i < scale / kDigitsPerGroup; ++i) {
    group(kDigitsPerGroup, frac_digits);
  }
  if (trail_digits > 0) group(trail_digits, frac_digits);
  // The size was checked above, so this only guards the arithmetic.
  if (absl::Status s = r.StatusAtEnd("DECIMAL"); !s.ok()) return s;
  if (bad_group) {
    return ProtocolError(absl::StrCat("DECIMAL(", precision, ",", scale,
                                      "): digit group out of range"));
  }

  const size_t first = int_digits.find_first_not_of('0');
  int_digits = first == std::string::npos ? "0" : int_digits.substr(first);
  const bool zero = int_digits == "0" &&
                    frac_digits.find_first_not_of('0') == std::string::npos;
  std::string out;
  if (negative && !zero) out += '-';
  out += int_digits;
  if (scale > 0) absl::StrAppend(&out, ".", frac_digits);
  return out;
}

}  // namespace mysqlwire::binlog
