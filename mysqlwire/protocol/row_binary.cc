#include "mysqlwire/protocol/row_binary.h"

#include <bit>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/row_text.h"

namespace mysqlwire {
namespace {

absl::Status BadValue(const ColumnDefinition& column, absl::string_view why) {
  return ProtocolError(absl::StrCat("binary value of column `", column.name,
                                    "` (", ColumnTypeName(column.type),
                                    "): ", why));
}

absl::Status CannotWrite(const ColumnDefinition& column, const Value& value,
                         absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot encode ", value.DebugString(), " for column `", column.name,
      "` (", ColumnTypeName(column.type), "): ", why));
}

// Bytes an integer type occupies on the wire. MEDIUMINT travels as 4 bytes
// and YEAR as 2, as in the server's Protocol_binary.
size_t IntegerWidth(ColumnType type) {
  switch (type) {
    case ColumnType::kTiny:
      return 1;
    case ColumnType::kShort:
    case ColumnType::kYear:
      return 2;
    case ColumnType::kInt24:
    case ColumnType::kLong:
      return 4;
    case ColumnType::kLongLong:
      return 8;
    default:
      return 0;
  }
}

// Sign-extends the low `width` bytes of `v`.
int64_t SignExtend(uint64_t v, size_t width) {
  if (width >= 8) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (8 * width - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

bool ValidDate(uint32_t month, uint32_t day) {
  return month <= 12 && day <= 31;
}
bool ValidClock(uint32_t minute, uint32_t second, uint32_t micros) {
  return minute <= 59 && second <= 59 && micros <= 999999;
}

// DATE, DATETIME and TIMESTAMP:
//   int<1>  length: 0, 4, 7 or 11 (0 is the zero date)
//   int<2>  year         if length >= 4
//   int<1>  month        if length >= 4
//   int<1>  day          if length >= 4
//   int<1>  hour         if length >= 7
//   int<1>  minute       if length >= 7
//   int<1>  second       if length >= 7
//   int<4>  microsecond  if length == 11
absl::StatusOr<DateTime> ReadTemporal(WireReader* r,
                                      const ColumnDefinition& column) {
  uint8_t length = r->U8();
  DateTime dt;
  if (length >= 4) {
    dt.year = r->U16();
    dt.month = r->U8();
    dt.day = r->U8();
  }
  if (length >= 7) {
    dt.hour = r->U8();
    dt.minute = r->U8();
    dt.second = r->U8();
  }
  if (length == 11) dt.microsecond = r->U32();
  if (!r->ok()) return r->Status(absl::StrCat("column `", column.name, "`"));
  if (length != 0 && length != 4 && length != 7 && length != 11) {
    return BadValue(column, absl::StrCat("date length ", length));
  }
  if (!ValidDate(dt.month, dt.day) || dt.hour > 23 ||
      !ValidClock(dt.minute, dt.second, dt.microsecond)) {
    return BadValue(column, "date/time field out of range");
  }
  return dt;
}

// TIME:
//   int<1>  length: 0, 8 or 12 (0 is 00:00:00)
//   int<1>  is_negative (0 or 1)  if length >= 8
//   int<4>  days                  if length >= 8
//   int<1>  hour                  if length >= 8
//   int<1>  minute                if length >= 8
//   int<1>  second                if length >= 8
//   int<4>  microsecond           if length == 12
// The hour byte is not capped at 23: libmariadb puts all the hours there
// (truncated to a byte) and leaves days at 0.
absl::StatusOr<Time> ReadTime(WireReader* r, const ColumnDefinition& column) {
  uint8_t length = r->U8();
  Time t;
  uint8_t negative = 0;
  uint32_t days = 0;
  uint8_t hour = 0;
  if (length >= 8) {
    negative = r->U8();
    days = r->U32();
    hour = r->U8();
    t.minute = r->U8();
    t.second = r->U8();
  }
  if (length == 12) t.microsecond = r->U32();
  if (!r->ok()) return r->Status(absl::StrCat("column `", column.name, "`"));
  if (length != 0 && length != 8 && length != 12) {
    return BadValue(column, absl::StrCat("time length ", length));
  }
  if (negative > 1) return BadValue(column, "time sign byte not 0 or 1");
  if (!ValidClock(t.minute, t.second, t.microsecond) ||
      days > (UINT32_MAX - hour) / 24) {
    return BadValue(column, "time field out of range");
  }
  t.negative = negative == 1;
  t.hours = days * 24 + hour;
  return t;
}

void WriteDate(const Date& d, WireWriter* w) {
  if (d == Date{}) {
    w->U8(0);
    return;
  }
  w->U8(4);
  w->U16(d.year);
  w->U8(d.month);
  w->U8(d.day);
}

// The shortest length that holds the value, as the server chooses it.
void WriteDateTime(const DateTime& dt, WireWriter* w) {
  const bool has_clock = dt.hour != 0 || dt.minute != 0 || dt.second != 0;
  if (dt == DateTime{}) {
    w->U8(0);
    return;
  }
  w->U8(dt.microsecond != 0 ? 11 : has_clock ? 7 : 4);
  w->U16(dt.year);
  w->U8(dt.month);
  w->U8(dt.day);
  if (!has_clock && dt.microsecond == 0) return;
  w->U8(dt.hour);
  w->U8(dt.minute);
  w->U8(dt.second);
  if (dt.microsecond != 0) w->U32(dt.microsecond);
}

void WriteTime(const Time& t, WireWriter* w) {
  if (t == Time{}) {
    w->U8(0);
    return;
  }
  w->U8(t.microsecond != 0 ? 12 : 8);
  w->U8(t.negative ? 1 : 0);
  w->U32(t.hours / 24);
  w->U8(static_cast<uint8_t>(t.hours % 24));
  w->U8(t.minute);
  w->U8(t.second);
  if (t.microsecond != 0) w->U32(t.microsecond);
}

absl::Status CheckDateTime(const DateTime& dt, const ColumnDefinition& column,
                           const Value& value) {
  if (!ValidDate(dt.month, dt.day) || dt.hour > 23 ||
      !ValidClock(dt.minute, dt.second, dt.microsecond)) {
    return CannotWrite(column, value, "field out of range");
  }
  return absl::OkStatus();
}

DateTime AtMidnight(const Date& d) { return DateTime{d.year, d.month, d.day}; }

// Integer columns (and BIT) take Int64 or Uint64 if the number fits.
absl::Status WriteInteger(const Value& value, const ColumnDefinition& column,
                          size_t width, WireWriter* w) {
  const bool is_unsigned =
      column.is_unsigned() || column.type == ColumnType::kBit;
  bool negative = false;
  uint64_t magnitude = 0;  // Two's complement bits when negative.
  if (value.kind() == Value::Kind::kInt64) {
    negative = value.as_int64() < 0;
    magnitude = static_cast<uint64_t>(value.as_int64());
  } else if (value.kind() == Value::Kind::kUint64) {
    magnitude = value.as_uint64();
  } else {
    return CannotWrite(column, value, "needs an integer");
  }
  const int bits = static_cast<int>(8 * width);
  bool fits;
  if (is_unsigned) {
    fits = !negative && (bits == 64 || magnitude >> bits == 0);
  } else if (negative) {
    fits = bits == 64 ||
           static_cast<int64_t>(magnitude) >= -(int64_t{1} << (bits - 1));
  } else {
    fits = magnitude <= (uint64_t{1} << (bits - 1)) - 1;
  }
  if (!fits) return CannotWrite(column, value, "out of range");
  w->FixedInt(magnitude, width);
  return absl::OkStatus();
}

}  // namespace

// The binary form of a non-NULL value, by column type:
//   TINY                      int<1>
//   SHORT, YEAR               int<2>
//   INT24, LONG               int<4>
//   LONGLONG                  int<8>
//   FLOAT                     4-byte IEEE 754, little-endian
//   DOUBLE                    8-byte IEEE 754, little-endian
//   DATE, DATETIME, TIMESTAMP see ReadTemporal
//   TIME                      see ReadTime
//   DECIMAL, NEWDECIMAL       string<lenenc> of the decimal text
//   BIT                       string<lenenc> of 1..8 big-endian bytes
//   everything else           string<lenenc>
absl::StatusOr<Value> ReadBinaryValue(WireReader* r,
                                      const ColumnDefinition& column) {
  std::optional<Value::Kind> kind = ValueKindOf(column);
  if (!kind.has_value()) return BadValue(column, "unsupported type");
  // Built only on failure: this runs once per cell.
  auto truncated = [&]() {
    return r->Status(absl::StrCat("column `", column.name, "`"));
  };
  if (size_t width = IntegerWidth(column.type); width != 0) {
    uint64_t bits = r->FixedInt(width);
    if (!r->ok()) return truncated();
    if (column.is_unsigned()) return Value::Uint64(bits);
    return Value::Int64(SignExtend(bits, width));
  }
  switch (column.type) {
    case ColumnType::kFloat: {
      uint32_t bits = r->U32();
      if (!r->ok()) return truncated();
      return Value::Float(std::bit_cast<float>(bits));
    }
    case ColumnType::kDouble: {
      uint64_t bits = r->U64();
      if (!r->ok()) return truncated();
      return Value::Double(std::bit_cast<double>(bits));
    }
    case ColumnType::kNull:
      return BadValue(column, "non-NULL value in a NULL column");
    default:
      break;
  }
  switch (*kind) {
    case Value::Kind::kDate: {
      absl::StatusOr<DateTime> dt = ReadTemporal(r, column);
      if (!dt.ok()) return dt.status();
      if (dt->hour != 0 || dt->minute != 0 || dt->second != 0 ||
          dt->microsecond != 0) {
        return BadValue(column, "DATE with a time of day");
      }
      return Value::Of(Date{dt->year, dt->month, dt->day});
    }
    case Value::Kind::kDateTime: {
      absl::StatusOr<DateTime> dt = ReadTemporal(r, column);
      if (!dt.ok()) return dt.status();
      return Value::Of(*dt);
    }
    case Value::Kind::kTime: {
      absl::StatusOr<Time> t = ReadTime(r, column);
      if (!t.ok()) return t.status();
      return Value::Of(*t);
    }
    default:
      break;
  }
  // The rest are strings whose text is the same as in the text protocol.
  absl::string_view bytes = r->LenencString();
  if (!r->ok()) return truncated();
  return ValueFromText(bytes, column);
}

absl::Status WriteBinaryValue(const Value& value,
                              const ColumnDefinition& column, WireWriter* w) {
  std::optional<Value::Kind> kind = ValueKindOf(column);
  if (!kind.has_value()) return CannotWrite(column, value, "unsupported type");
  if (value.is_null()) {
    return CannotWrite(column, value, "NULL goes in the NULL bitmap");
  }
  if (size_t width = IntegerWidth(column.type); width != 0) {
    return WriteInteger(value, column, width, w);
  }
  const Value::Kind got = value.kind();
  switch (column.type) {
    case ColumnType::kFloat:
      if (got != Value::Kind::kFloat) break;
      w->U32(std::bit_cast<uint32_t>(value.as_float()));
      return absl::OkStatus();
    case ColumnType::kDouble:
      if (got == Value::Kind::kFloat) {
        w->U64(std::bit_cast<uint64_t>(static_cast<double>(value.as_float())));
        return absl::OkStatus();
      }
      if (got != Value::Kind::kDouble) break;
      w->U64(std::bit_cast<uint64_t>(value.as_double()));
      return absl::OkStatus();
    case ColumnType::kBit: {
      if (got != Value::Kind::kUint64 &&
          !(got == Value::Kind::kInt64 && value.as_int64() >= 0)) {
        break;
      }
      uint64_t v = got == Value::Kind::kUint64
                       ? value.as_uint64()
                       : static_cast<uint64_t>(value.as_int64());
      w->LenencString(ValueToText(Value::Uint64(v), column));
      return absl::OkStatus();
    }
    case ColumnType::kNull:
      return CannotWrite(column, value, "a NULL column holds only NULL");
    default:
      break;
  }
  switch (*kind) {
    case Value::Kind::kDecimal:
      if (got != Value::Kind::kDecimal) break;
      if (!IsDecimalText(value.as_decimal())) {
        return CannotWrite(column, value, "invalid DECIMAL text");
      }
      w->LenencString(value.as_decimal());
      return absl::OkStatus();
    case Value::Kind::kDate:
      if (got != Value::Kind::kDate) break;
      if (!ValidDate(value.as_date().month, value.as_date().day)) {
        return CannotWrite(column, value, "field out of range");
      }
      WriteDate(value.as_date(), w);
      return absl::OkStatus();
    case Value::Kind::kDateTime: {
      DateTime dt;
      if (got == Value::Kind::kDateTime) {
        dt = value.as_datetime();
      } else if (got == Value::Kind::kDate) {
        dt = AtMidnight(value.as_date());
      } else {
        break;
      }
      if (absl::Status s = CheckDateTime(dt, column, value); !s.ok()) return s;
      WriteDateTime(dt, w);
      return absl::OkStatus();
    }
    case Value::Kind::kTime:
      if (got != Value::Kind::kTime) break;
      if (!ValidClock(value.as_time().minute, value.as_time().second,
                      value.as_time().microsecond)) {
        return CannotWrite(column, value, "field out of range");
      }
      WriteTime(value.as_time(), w);
      return absl::OkStatus();
    case Value::Kind::kString:
    case Value::Kind::kBytes:
      if (got == Value::Kind::kString) {
        w->LenencString(value.as_string());
        return absl::OkStatus();
      }
      if (got == Value::Kind::kBytes) {
        w->LenencString(value.as_bytes());
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return CannotWrite(column, value, "value kind does not match the column");
}

// Protocol::BinaryResultsetRow:
//   int<1>                 0x00 header
//   binary<(n + 9) / 8>    NULL bitmap; column i is bit (i + 2)
//   for each non-NULL column: its value (see ReadBinaryValue)
absl::Status ParseBinaryRow(absl::string_view payload,
                            absl::Span<const ColumnDefinition> columns,
                            std::vector<Value>* out) {
  constexpr absl::string_view kWhat = "binary row";
  out->clear();
  WireReader r(payload);
  uint8_t header = r.U8();
  absl::string_view bitmap = r.Bytes((columns.size() + 9) / 8);
  if (!r.ok()) return r.Status(kWhat);
  if (header != 0x00) {
    return ProtocolError(
        absl::StrCat(kWhat, ": header 0x", absl::Hex(header), ", expected 0"));
  }
  std::vector<Value> row;
  row.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const size_t bit = i + 2;
    if ((static_cast<uint8_t>(bitmap[bit / 8]) >> (bit % 8)) & 1) {
      row.push_back(Value::Null());
      continue;
    }
    absl::StatusOr<Value> v = ReadBinaryValue(&r, columns[i]);
    if (!v.ok()) return v.status();
    row.push_back(*std::move(v));
  }
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  *out = std::move(row);
  return absl::OkStatus();
}

absl::StatusOr<std::string> SerializeBinaryRow(
    absl::Span<const Value> row, absl::Span<const ColumnDefinition> columns) {
  if (row.size() != columns.size()) {
    return absl::InvalidArgumentError(absl::StrCat("binary row of ", row.size(),
                                                   " values for ",
                                                   columns.size(), " columns"));
  }
  std::string out;
  WireWriter w(&out);
  w.U8(0x00);
  const size_t bitmap_at = out.size();
  w.Zeros((row.size() + 9) / 8);
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i].is_null()) {
      const size_t bit = i + 2;
      out[bitmap_at + bit / 8] = static_cast<char>(
          static_cast<uint8_t>(out[bitmap_at + bit / 8]) | (1u << (bit % 8)));
      continue;
    }
    if (absl::Status s = WriteBinaryValue(row[i], columns[i], &w); !s.ok()) {
      return s;
    }
  }
  return out;
}

}  // namespace mysqlwire
