#include "mysqlwire/binlog/json_binary.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include "absl/base/casts.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mysqlwire/binlog/decimal_binary.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

// Value type bytes of the binary format (see the format description in
// MySQL's json_binary.h):
//   doc       ::= type value
//   object    ::= element-count size key-entry* value-entry* key* value*
//   array     ::= element-count size value-entry* value*
//   key-entry ::= key-offset key-length(uint16)
//   value-entry ::= type offset-or-inlined-value
// count, size and offsets are uint16 in the small and uint32 in the large
// containers; offsets are relative to the start of the container (the byte
// after its type byte).
enum : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUint16 = 0x06,
  kInt32 = 0x07,
  kUint32 = 0x08,
  kInt64 = 0x09,
  kUint64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

enum : uint8_t { kLiteralNull = 0, kLiteralTrue = 1, kLiteralFalse = 2 };

// MySQL column types (enum_field_types) that opaque values print specially.
enum : uint8_t {
  kFieldTimestamp = 7,
  kFieldDate = 10,
  kFieldTime = 11,
  kFieldDatetime = 12,
  kFieldNewDecimal = 246,
  kFieldVarString = 253,
};

// An honest document never prints more than about 6 bytes of text per input
// byte (a control character in a string becomes \u00xx); the cap only stops
// crafted containers whose entries all point at one shared sub-value, which
// would otherwise print 2^depth copies of it.
constexpr size_t kOutputBytesPerInputByte = 16;
constexpr size_t kOutputSlack = 64 * 1024;

// MySQL's base64 breaks its output into lines of this many characters.
constexpr size_t kBase64LineLength = 76;

absl::Status Malformed(absl::string_view what) {
  return ProtocolError(absl::StrCat("binary JSON: ", what));
}

// data-length ::= 7 bits per byte, least significant group first, the high
// bit set on every byte but the last. A length is at most 32 bits, hence at
// most 5 bytes.
absl::Status ReadVarLength(WireReader& reader, uint32_t* length) {
  uint64_t value = 0;
  for (int i = 0; i < 5; ++i) {
    const uint8_t byte = reader.U8();
    if (!reader.ok()) return Malformed("truncated data length");
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (value > UINT32_MAX) return Malformed("data length above 32 bits");
      *length = static_cast<uint32_t>(value);
      return absl::OkStatus();
    }
  }
  return Malformed("data length longer than 5 bytes");
}

// Json_decimal's opaque layout: one byte of precision, one of scale, then
// the binary decimal exactly as a DECIMAL(precision, scale) column stores it
// (decimal_binary.h). MySQL prints it with all `scale` fraction digits.
absl::Status AppendDecimal(absl::string_view data, std::string* out) {
  WireReader reader(data);
  const int precision = reader.U8();
  const int scale = reader.U8();
  if (!reader.ok()) return Malformed("truncated decimal");
  absl::StatusOr<std::string> text =
      BinaryDecimalToText(reader.Rest(), precision, scale);
  if (!text.ok()) {
    return Malformed(absl::StrCat("decimal: ", text.status().message()));
  }
  out->append(*text);
  return absl::OkStatus();
}

// DATE, TIME, DATETIME and TIMESTAMP values are stored as the 8-byte
// little-endian "packed" integers of MySQL's TIME_to_longlong_*_packed():
// the low 24 bits are microseconds, above them
//   TIME:      hour(10 bits) minute(6) second(6)
//   DATETIME:  (year * 13 + month)(17+ bits) day(5) hour(5) minute(6)
//              second(6)
// and a negative TIME is the negated packed value. MySQL prints them with
// my_TIME_to_str(..., 6): dates without a time part, the others with six
// fraction digits. Fields MySQL could never have written are rejected.
absl::Status AppendTemporal(uint8_t field_type, absl::string_view data,
                            std::string* out) {
  if (data.size() != 8) {
    return Malformed(absl::StrCat("temporal value of type ",
                                  static_cast<int>(field_type), " has ",
                                  data.size(), " bytes, not 8"));
  }
  WireReader reader(data);
  const int64_t packed = static_cast<int64_t>(reader.U64());
  const bool negative = packed < 0;
  // Unsigned negation is well defined even for INT64_MIN.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(packed)
                                      : static_cast<uint64_t>(packed);
  const uint64_t micros = magnitude & 0xffffff;
  const uint64_t int_part = magnitude >> 24;
  if (micros > 999999) return Malformed("temporal microseconds out of range");

  std::string text;
  if (field_type == kFieldTime) {
    const uint64_t hour = int_part >> 12;
    const uint64_t minute = (int_part >> 6) & 0x3f;
    const uint64_t second = int_part & 0x3f;
    if (hour > 1023 || minute > 59 || second > 59) {
      return Malformed("TIME value out of range");
    }
    text = absl::StrFormat("%s%02u:%02u:%02u.%06u", negative ? "-" : "", hour,
                           minute, second, micros);
  } else {
    if (negative) return Malformed("negative date");
    const uint64_t ymd = int_part >> 17;
    const uint64_t hms = int_part & 0x1ffff;
    const uint64_t day = ymd & 0x1f;
    const uint64_t year_month = ymd >> 5;
    const uint64_t year = year_month / 13;
    const uint64_t month = year_month % 13;
    const uint64_t hour = hms >> 12;
    const uint64_t minute = (hms >> 6) & 0x3f;
    const uint64_t second = hms & 0x3f;
    if (year > 9999 || hour > 23 || minute > 59 || second > 59) {
      return Malformed("DATETIME value out of range");
    }
    if (field_type == kFieldDate) {
      // MySQL ignores any time part of a DATE.
      text = absl::StrFormat("%04u-%02u-%02u", year, month, day);
    } else {
      text = absl::StrFormat("%04u-%02u-%02u %02u:%02u:%02u.%06u", year, month,
                             day, hour, minute, second, micros);
    }
  }
  AppendJsonString(text, out);
  return absl::OkStatus();
}

// "base64:typeN:<base64>", N the MySQL column type. MySQL's base64_encode()
// puts a newline after every 76 characters; the quoting then escapes it.
void AppendOpaqueBase64(uint8_t field_type, absl::string_view data,
                        std::string* out) {
  const std::string encoded = absl::Base64Escape(data);
  std::string text =
      absl::StrCat("base64:type", static_cast<int>(field_type), ":");
  for (size_t i = 0; i < encoded.size(); i += kBase64LineLength) {
    if (i > 0) text.push_back('\n');
    text.append(encoded, i, kBase64LineLength);
  }
  AppendJsonString(text, out);
}

// Literals and 16-bit integers are stored in the value entry itself; so are
// 32-bit integers in large containers, whose entries have 4 bytes of room.
bool IsInlined(uint8_t type, bool large) {
  switch (type) {
    case kLiteral:
    case kInt16:
    case kUint16:
      return true;
    case kInt32:
    case kUint32:
      return large;
    default:
      return false;
  }
}

class Decoder {
 public:
  explicit Decoder(size_t max_output) : max_output_(max_output) {}

  // Appends the value of binary type `type` whose bytes start at `data`.
  // `data` ends where the enclosing container (or the document) ends, so no
  // part of the value can be read from outside it. `depth` counts the
  // containers enclosing the value.
  absl::Status Value(uint8_t type, absl::string_view data, int depth,
                     std::string* out) {
    switch (type) {
      case kSmallObject:
      case kLargeObject:
      case kSmallArray:
      case kLargeArray:
        return Container(type, data, depth, out);
      default:
        return Scalar(type, data, out);
    }
  }

 private:
  absl::Status Container(uint8_t type, absl::string_view data, int depth,
                         std::string* out) {
    // The check comes before the recursion it guards: hostile input decides
    // how deep the recursion would go.
    if (depth + 1 > kJsonMaxDepth) {
      return Malformed(absl::StrCat("nested deeper than ", kJsonMaxDepth));
    }
    const bool large = type == kLargeObject || type == kLargeArray;
    const bool is_object = type == kSmallObject || type == kLargeObject;
    const size_t offset_size = large ? 4 : 2;
    const size_t key_entry_size = offset_size + 2;
    const size_t value_entry_size = 1 + offset_size;

    WireReader header(data);
    const uint64_t count = header.FixedInt(offset_size);
    const uint64_t size = header.FixedInt(offset_size);
    if (!header.ok()) return Malformed("truncated container header");
    if (size > data.size()) {
      return Malformed(
          absl::StrCat("container of ", size, " bytes has only ", data.size()));
    }
    // count < 2^32 and the entry sizes are small, so this cannot overflow.
    const uint64_t keys_start = 2 * offset_size;
    const uint64_t values_start =
        keys_start + (is_object ? count * key_entry_size : 0);
    const uint64_t header_size = values_start + count * value_entry_size;
    if (header_size > size) {
      return Malformed(
          absl::StrCat(count, " entries do not fit in ", size, " bytes"));
    }
    const absl::string_view body = data.substr(0, size);

    out->push_back(is_object ? '{' : '[');
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) absl::StrAppend(out, kJsonElementSeparator);
      if (is_object) {
        WireReader entry(body.substr(keys_start + i * key_entry_size));
        const uint64_t key_offset = entry.FixedInt(offset_size);
        const uint64_t key_length = entry.U16();
        if (!entry.ok()) return Malformed("truncated key entry");
        // Keys sit between the header and the values; an offset into the
        // header would be a crafted overlap.
        if (key_offset < header_size || key_offset > size ||
            key_length > size - key_offset) {
          return Malformed(absl::StrCat("key ", i, " at ", key_offset, "+",
                                        key_length, " outside its object"));
        }
        AppendJsonString(body.substr(key_offset, key_length), out);
        absl::StrAppend(out, kJsonKeySeparator);
      }
      WireReader entry(body.substr(values_start + i * value_entry_size));
      const uint8_t value_type = entry.U8();
      const absl::string_view slot = entry.Bytes(offset_size);
      if (!entry.ok()) return Malformed("truncated value entry");
      absl::Status status;
      if (IsInlined(value_type, large)) {
        status = Scalar(value_type, slot, out);
      } else {
        WireReader slot_reader(slot);
        const uint64_t value_offset = slot_reader.FixedInt(offset_size);
        // Every value needs at least one byte, so an offset equal to the
        // size is already outside.
        if (value_offset < header_size || value_offset >= size) {
          return Malformed(absl::StrCat("value ", i, " at ", value_offset,
                                        " outside its container"));
        }
        status = Value(value_type, body.substr(value_offset), depth + 1, out);
      }
      if (!status.ok()) return status;
      if (out->size() > max_output_) {
        return Malformed("text far larger than the document (shared values?)");
      }
    }
    out->push_back(is_object ? '}' : ']');
    return absl::OkStatus();
  }

  absl::Status Scalar(uint8_t type, absl::string_view data, std::string* out) {
    WireReader reader(data);
    switch (type) {
      case kLiteral: {
        const uint8_t literal = reader.U8();
        if (!reader.ok()) break;
        switch (literal) {
          case kLiteralNull:
            out->append("null");
            return absl::OkStatus();
          case kLiteralTrue:
            out->append("true");
            return absl::OkStatus();
          case kLiteralFalse:
            out->append("false");
            return absl::OkStatus();
          default:
            return Malformed(
                absl::StrCat("unknown literal ", static_cast<int>(literal)));
        }
      }
      case kInt16: {
        const auto value = static_cast<int16_t>(reader.U16());
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kUint16: {
        const uint16_t value = reader.U16();
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kInt32: {
        const auto value = static_cast<int32_t>(reader.U32());
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kUint32: {
        const uint32_t value = reader.U32();
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kInt64: {
        const auto value = static_cast<int64_t>(reader.U64());
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kUint64: {
        const uint64_t value = reader.U64();
        if (!reader.ok()) break;
        absl::StrAppend(out, value);
        return absl::OkStatus();
      }
      case kDouble: {
        // float8store(): the IEEE 754 bits, little-endian.
        const double value = absl::bit_cast<double>(reader.U64());
        if (!reader.ok()) break;
        if (!std::isfinite(value)) return Malformed("non-finite double");
        AppendJsonDouble(value, out);
        return absl::OkStatus();
      }
      case kString: {
        uint32_t length = 0;
        if (absl::Status status = ReadVarLength(reader, &length);
            !status.ok()) {
          return status;
        }
        const absl::string_view bytes = reader.Bytes(length);
        if (!reader.ok()) break;
        AppendJsonString(bytes, out);
        return absl::OkStatus();
      }
      case kOpaque: {
        const uint8_t field_type = reader.U8();
        if (!reader.ok()) break;
        uint32_t length = 0;
        if (absl::Status status = ReadVarLength(reader, &length);
            !status.ok()) {
          return status;
        }
        const absl::string_view bytes = reader.Bytes(length);
        if (!reader.ok()) break;
        switch (field_type) {
          case kFieldNewDecimal:
            return AppendDecimal(bytes, out);
          case kFieldDate:
          case kFieldTime:
          case kFieldDatetime:
          case kFieldTimestamp:
            return AppendTemporal(field_type, bytes, out);
          case kFieldVarString:
            AppendJsonString(bytes, out);
            return absl::OkStatus();
          default:
            AppendOpaqueBase64(field_type, bytes, out);
            return absl::OkStatus();
        }
      }
      default:
        return Malformed(
            absl::StrCat("unknown value type ", static_cast<int>(type)));
    }
    return Malformed(
        absl::StrCat("truncated value of type ", static_cast<int>(type)));
  }

  size_t max_output_;
};

}  // namespace


void AppendJsonDouble(double value, std::string* out) {
  // std::to_chars without a precision gives the shortest digits that read
  // back to the same double, as dtoa() mode 4 does inside my_gcvt() when
  // the field is wide enough for 17 digits (MySQL passes 34).
  char buffer[64];
  const std::to_chars_result result = std::to_chars(
      buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  if (result.ec != std::errc()) {
    out->append("0.0");  // Cannot happen: 64 bytes fit any double.
    return;
  }
  // Form: [-]d[.ddd]e(+|-)dd
  absl::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t e = text.find('e');
  if (e == absl::string_view::npos || e == 0 || e + 2 >= text.size()) {
    out->append("0.0");  // Cannot happen for a finite double.
    return;
  }
  std::string digits(1, text[0]);
  if (e > 2) absl::StrAppend(&digits, text.substr(2, e - 2));
  int exponent = 0;
  const char* exp_begin = text.data() + e + 2;  // after 'e' and its sign
  std::from_chars(exp_begin, text.data() + text.size(), exponent);
  if (text[e + 1] == '-') exponent = -exponent;

  // my_gcvt() speaks of `decpt`, the position of the decimal point relative
  // to the first digit. MAX_DECPT_FOR_F_FORMAT (15) bounds the fixed form.
  const int decpt = exponent + 1;
  const int len = static_cast<int>(digits.size());
  std::string formatted;
  if (negative) formatted.push_back('-');
  if (decpt >= -14 && (decpt <= 15 || len > decpt)) {
    if (decpt <= 0) {
      formatted.append("0.");
      formatted.append(static_cast<size_t>(-decpt), '0');
      formatted.append(digits);
    } else if (decpt < len) {
      formatted.append(digits, 0, static_cast<size_t>(decpt));
      formatted.push_back('.');
      formatted.append(digits, static_cast<size_t>(decpt));
    } else {
      formatted.append(digits);
      formatted.append(static_cast<size_t>(decpt - len), '0');
    }
  } else {
    formatted.push_back(digits[0]);
    if (len > 1) {
      formatted.push_back('.');
      formatted.append(digits, 1);
    }
    formatted.push_back('e');
    absl::StrAppend(&formatted, decpt - 1);  // "-" only when negative
  }
  if (formatted.find_first_of(".e") == std::string::npos) {
    formatted.append(".0");
  }
  out->append(formatted);
}

absl::StatusOr<std::string> JsonBinaryToText(absl::string_view binary) {
  if (binary.empty()) return std::string("null");
  Decoder decoder(kOutputSlack + kOutputBytesPerInputByte * binary.size());
  std::string text;
  absl::Status status = decoder.Value(static_cast<uint8_t>(binary[0]),
                                      binary.substr(1), /*depth=*/0, &text);
  if (!status.ok()) return status;
  return text;
}

}  // namespace mysqlwire::binlog
