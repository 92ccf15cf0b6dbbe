#include "server/convert/value_convert.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/struct.pb.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/protocol/row_text.h"

namespace mysqlgw {
namespace {

using mysqlwire::ColumnDefinition;
using mysqlwire::ColumnType;

constexpr uint32_t kMaxYear = 9999;
constexpr uint32_t kMaxTimeHours = 838;
constexpr uint32_t kMaxMicrosecond = 999999;

// Values in messages are the client's own data, but may be long or hold
// control characters: show a bounded, escaped prefix.
std::string Quote(absl::string_view s) {
  constexpr size_t kMaxShown = 40;
  if (s.size() <= kMaxShown) return absl::StrCat("\"", absl::CHexEscape(s), "\"");
  return absl::StrCat("\"", absl::CHexEscape(s.substr(0, kMaxShown)), "\"...");
}

absl::Status OutOfRange(absl::string_view kind, absl::string_view field,
                        uint32_t value, uint32_t max) {
  return absl::InvalidArgumentError(absl::StrCat(
      kind, " has ", field, " ", value, ", out of range 0..", max));
}

absl::Status CheckDate(absl::string_view kind, uint32_t year, uint32_t month,
                       uint32_t day) {
  // Zero months and days are legal: MySQL's zero and partial dates.
  if (year > kMaxYear) return OutOfRange(kind, "year", year, kMaxYear);
  if (month > 12) return OutOfRange(kind, "month", month, 12);
  if (day > 31) return OutOfRange(kind, "day", day, 31);
  return absl::OkStatus();
}

absl::Status CheckClock(absl::string_view kind, uint32_t minute, uint32_t second,
                        uint32_t microsecond) {
  if (minute > 59) return OutOfRange(kind, "minute", minute, 59);
  if (second > 59) return OutOfRange(kind, "second", second, 59);
  if (microsecond > kMaxMicrosecond) {
    return OutOfRange(kind, "microsecond", microsecond, kMaxMicrosecond);
  }
  return absl::OkStatus();
}

absl::StatusOr<mysqlwire::Value> DecimalFromProto(const std::string& text) {
  // The contract allows an optional sign; mysqlwire's encoders (and
  // IsDecimalText) take only "-", so a "+" is dropped, but only in front of
  // a digit: "+-1" must stay invalid.
  absl::string_view digits = text;
  if (digits.size() > 1 && digits[0] == '+' && absl::ascii_isdigit(digits[1])) {
    digits.remove_prefix(1);
  }
  if (!mysqlwire::IsDecimalText(digits)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decimal ", Quote(text),
        " is not an exact decimal number ([+-]digits[.digits], e.g. "
        "\"-12.340\")"));
  }
  return mysqlwire::Value::DecimalText(std::string(digits));
}

absl::Status CheckFinite(absl::string_view kind, double d) {
  if (std::isfinite(d)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(kind, " is NaN or infinite, which MySQL cannot store"));
}

// mysqlwire::Value exposes its strings only through const accessors. When
// ToProto was handed an rvalue, the string belongs to a non-const object the
// caller gave up, so casting const away to move from it is well-defined;
// for an lvalue this returns the const reference and the proto copies.
template <typename V>
decltype(auto) TakeOrRef(const std::string& s) {
  if constexpr (std::is_lvalue_reference_v<V>) {
    return s;
  } else {
    return std::move(const_cast<std::string&>(s));
  }
}

// V is `const mysqlwire::Value&` (copy) or `mysqlwire::Value` (move).
template <typename V>
void ToProtoImpl(const mysqlwire::Value& v, const ColumnDefinition& column,
                 v1::Value* out) {
  using Kind = mysqlwire::Value::Kind;
  switch (v.kind()) {
    case Kind::kNull:
      out->set_null(google::protobuf::NULL_VALUE);
      return;
    case Kind::kInt64:
      out->set_int64(v.as_int64());
      return;
    case Kind::kUint64:
      out->set_uint64(v.as_uint64());
      return;
    case Kind::kFloat:
      out->set_float_(v.as_float());
      return;
    case Kind::kDouble:
      out->set_double_(v.as_double());
      return;
    case Kind::kDecimal:
      out->set_decimal(TakeOrRef<V>(v.as_decimal()));
      return;
    case Kind::kString: {
      const std::string& s = v.as_string();
      // proto3 `string` fields must hold UTF-8, or the client's parser
      // rejects the whole message; bytes keep such text intact.
      if (!IsValidUtf8(s)) {
        out->set_bytes(TakeOrRef<V>(s));
      } else if (column.type == ColumnType::kJson) {
        out->set_json(TakeOrRef<V>(s));
      } else {
        out->set_string(TakeOrRef<V>(s));
      }
      return;
    }
    case Kind::kBytes:
      out->set_bytes(TakeOrRef<V>(v.as_bytes()));
      return;
    case Kind::kDate: {
      const mysqlwire::Date& d = v.as_date();
      v1::Date* p = out->mutable_date();
      p->set_year(d.year);
      p->set_month(d.month);
      p->set_day(d.day);
      return;
    }
    case Kind::kDateTime: {
      const mysqlwire::DateTime& dt = v.as_datetime();
      v1::DateTime* p = out->mutable_datetime();
      p->set_year(dt.year);
      p->set_month(dt.month);
      p->set_day(dt.day);
      p->set_hour(dt.hour);
      p->set_minute(dt.minute);
      p->set_second(dt.second);
      p->set_microsecond(dt.microsecond);
      return;
    }
    case Kind::kTime: {
      const mysqlwire::Time& t = v.as_time();
      v1::Time* p = out->mutable_time();
      p->set_negative(t.negative);
      p->set_hours(t.hours);
      p->set_minute(t.minute);
      p->set_second(t.second);
      p->set_microsecond(t.microsecond);
      return;
    }
  }
}

// "(n)" for a temporal column with n fraction digits. MariaDB reports 39
// ("not fixed") for some expressions; that gets no suffix.
std::string WithFsp(absl::string_view name, uint8_t decimals) {
  if (decimals == 0 || decimals > 6) return std::string(name);
  return absl::StrCat(name, "(", decimals, ")");
}

// DECIMAL(p,s) from the display length the server derives from them
// (my_decimal_precision_to_length_no_truncation in MySQL and MariaDB):
// length = p + (s > 0 ? 1 : 0) for the point + (unsigned ? 0 : 1) for the
// sign. Returns "DECIMAL" when the scale is "not fixed" (MariaDB's 39) or
// the length cannot have come from that formula.
std::string DecimalName(const ColumnDefinition& c) {
  constexpr uint8_t kMaxScale = 38;  // MariaDB's; MySQL's is 30.
  if (c.decimals > kMaxScale) return "DECIMAL";
  const uint32_t overhead = (c.decimals > 0 ? 1 : 0) + (c.is_unsigned() ? 0 : 1);
  if (c.column_length <= overhead) return "DECIMAL";
  const uint32_t precision = c.column_length - overhead;
  if (precision < c.decimals) return "DECIMAL";
  return absl::StrCat("DECIMAL(", precision, ",", c.decimals, ")");
}

// MySQL reports TINYTEXT..LONGTEXT and TINYBLOB..LONGBLOB all as type BLOB,
// with the display length of the size in bytes times the character set's
// maximum character width (1..4), capped at 2^32-1 for the LONG sizes. The
// four ranges do not overlap for any width, so the largest value each size
// can take (width 4) separates them.
absl::string_view BlobSizePrefix(const ColumnDefinition& c) {
  switch (c.type) {
    case ColumnType::kTinyBlob:
      return "TINY";
    case ColumnType::kMediumBlob:
      return "MEDIUM";
    case ColumnType::kLongBlob:
      return "LONG";
    default:
      break;
  }
  if (c.column_length <= 255u * 4) return "TINY";
  if (c.column_length <= 65535u * 4) return "";
  if (c.column_length <= 16777215u * 4) return "MEDIUM";
  return "LONG";
}

std::string TypeName(const ColumnDefinition& c) {
  const bool binary = c.is_binary();
  const absl::string_view unsigned_suffix = c.is_unsigned() ? " UNSIGNED" : "";
  switch (c.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return absl::StrCat(mysqlwire::ColumnTypeName(c.type), unsigned_suffix);
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
      return absl::StrCat(DecimalName(c), unsigned_suffix);
    case ColumnType::kYear:
      return "YEAR";
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return "DATE";
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
      return WithFsp("DATETIME", c.decimals);
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      return WithFsp("TIMESTAMP", c.decimals);
    case ColumnType::kTime:
    case ColumnType::kTime2:
      return WithFsp("TIME", c.decimals);
    case ColumnType::kString:
    case ColumnType::kVarChar:
    case ColumnType::kVarString: {
      // MySQL sends ENUM and SET columns as CHAR with a flag.
      if (c.flags & mysqlwire::kEnumFlag) return "ENUM";
      if (c.flags & mysqlwire::kSetFlag) return "SET";
      if (c.type == ColumnType::kString) return binary ? "BINARY" : "CHAR";
      return binary ? "VARBINARY" : "VARCHAR";
    }
    case ColumnType::kEnum:
      return "ENUM";
    case ColumnType::kSet:
      return "SET";
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      return absl::StrCat(BlobSizePrefix(c), binary ? "BLOB" : "TEXT");
    case ColumnType::kBit:
      // column_length counts bits for BIT.
      if (c.column_length == 0) return "BIT";
      return absl::StrCat("BIT(", c.column_length, ")");
    case ColumnType::kJson:
    case ColumnType::kGeometry:
    case ColumnType::kVector:
    case ColumnType::kNull:
    case ColumnType::kTypedArray:
      return std::string(mysqlwire::ColumnTypeName(c.type));
  }
  return std::string(mysqlwire::ColumnTypeName(c.type));
}

}  // namespace

bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* const end = p + s.size();
  while (p < end) {
    // Text is mostly ASCII: skip it eight bytes at a time.
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if (word & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char b = *p;
    if (b < 0x80) {
      ++p;
      continue;
    }
    // Ranges from the Unicode Standard, table 3-7 (well-formed sequences):
    // the second byte's range excludes overlong forms (E0, F0), surrogates
    // (ED) and code points above U+10FFFF (F4).
    int len;
    unsigned char lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b == 0xe0) lo = 0xa0;
      if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b == 0xf0) lo = 0x90;
      if (b == 0xf4) hi = 0x8f;
    } else {
      return false;  // 80..C1 (continuation or overlong lead), F5..FF.
    }
    if (end - p < len) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i < len; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
    }
    p += len;
  }
  return true;
}

absl::StatusOr<mysqlwire::Value> FromProto(const v1::Value& v) {
  using mysqlwire::Value;
  switch (v.kind_case()) {
    case v1::Value::kNull:
      return Value::Null();
    case v1::Value::kInt64:
      return Value::Int64(v.int64());
    case v1::Value::kUint64:
      return Value::Uint64(v.uint64());
    case v1::Value::kDouble:
      if (absl::Status s = CheckFinite("double", v.double_()); !s.ok()) return s;
      return Value::Double(v.double_());
    case v1::Value::kFloat:
      if (absl::Status s = CheckFinite("float", v.float_()); !s.ok()) return s;
      return Value::Float(v.float_());
    case v1::Value::kDecimal:
      return DecimalFromProto(v.decimal());
    case v1::Value::kString:
      if (!IsValidUtf8(v.string())) {
        return absl::InvalidArgumentError(
            "string is not valid UTF-8; send binary data as bytes");
      }
      return Value::String(v.string());
    case v1::Value::kJson:
      // Parsing is left to the server, which validates JSON wherever it
      // becomes a JSON value; the text must still be UTF-8 to be utf8mb4.
      if (!IsValidUtf8(v.json())) {
        return absl::InvalidArgumentError("json is not valid UTF-8");
      }
      return Value::String(v.json());
    case v1::Value::kBytes:
      return Value::BytesOf(v.bytes());
    case v1::Value::kDate: {
      const v1::Date& d = v.date();
      if (absl::Status s = CheckDate("date", d.year(), d.month(), d.day());
          !s.ok()) {
        return s;
      }
      return Value::Of(mysqlwire::Date{static_cast<uint16_t>(d.year()),
                                       static_cast<uint8_t>(d.month()),
                                       static_cast<uint8_t>(d.day())});
    }
    case v1::Value::kDatetime: {
      const v1::DateTime& dt = v.datetime();
      if (absl::Status s = CheckDate("datetime", dt.year(), dt.month(), dt.day());
          !s.ok()) {
        return s;
      }
      if (dt.hour() > 23) return OutOfRange("datetime", "hour", dt.hour(), 23);
      if (absl::Status s = CheckClock("datetime", dt.minute(), dt.second(),
                                      dt.microsecond());
          !s.ok()) {
        return s;
      }
      mysqlwire::DateTime out;
      out.year = static_cast<uint16_t>(dt.year());
      out.month = static_cast<uint8_t>(dt.month());
      out.day = static_cast<uint8_t>(dt.day());
      out.hour = static_cast<uint8_t>(dt.hour());
      out.minute = static_cast<uint8_t>(dt.minute());
      out.second = static_cast<uint8_t>(dt.second());
      out.microsecond = dt.microsecond();
      return Value::Of(out);
    }
    case v1::Value::kTime: {
      const v1::Time& t = v.time();
      if (t.hours() > kMaxTimeHours) {
        return OutOfRange("time", "hours", t.hours(), kMaxTimeHours);
      }
      if (absl::Status s =
              CheckClock("time", t.minute(), t.second(), t.microsecond());
          !s.ok()) {
        return s;
      }
      // TIME ends at 838:59:59 exactly: no fraction beyond it, either sign.
      if (t.hours() == kMaxTimeHours && t.microsecond() != 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "time has hours 838 and microsecond ", t.microsecond(),
            ", beyond 838:59:59, the largest TIME magnitude"));
      }
      mysqlwire::Time out;
      out.negative = t.negative();
      out.hours = t.hours();
      out.minute = static_cast<uint8_t>(t.minute());
      out.second = static_cast<uint8_t>(t.second());
      out.microsecond = t.microsecond();
      return Value::Of(out);
    }
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "value has no kind set (use `null` for SQL NULL)");
}

void ToProto(const mysqlwire::Value& v, const ColumnDefinition& column,
             v1::Value* out) {
  ToProtoImpl<const mysqlwire::Value&>(v, column, out);
}

void ToProto(mysqlwire::Value&& v, const ColumnDefinition& column,
             v1::Value* out) {
  ToProtoImpl<mysqlwire::Value>(v, column, out);
}

void ColumnToProto(const ColumnDefinition& c, v1::Column* out) {
  out->set_name(c.name);
  out->set_org_name(c.org_name);
  out->set_table(c.table);
  out->set_org_table(c.org_table);
  out->set_schema(c.schema);
  // proto3 enums are open and list the same wire codes, so every code
  // mysqlwire accepted survives the cast.
  out->set_type(static_cast<v1::ColumnType>(c.type));
  out->set_type_name(TypeName(c));
  out->set_nullable(!c.is_not_null());
  out->set_unsigned_(c.is_unsigned());
  out->set_binary(mysqlwire::ValueKindOf(c) == mysqlwire::Value::Kind::kBytes);
  out->set_collation_id(c.character_set);
  out->set_length(c.column_length);
  out->set_decimals(c.decimals);
  out->set_flags(c.flags);
}

size_t ApproximateSize(const v1::Row& row) {
  const size_t body = row.ByteSizeLong();
  // One byte of tag (field 1 or 2, wire type 2) plus the length varint.
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(body) + body;
}

}  // namespace mysqlgw
