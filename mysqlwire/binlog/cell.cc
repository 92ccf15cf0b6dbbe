#include "mysqlwire/binlog/cell.h"

#include <bit>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "mysqlwire/binlog/decimal_binary.h"
#include "mysqlwire/binlog/json_binary.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

constexpr uint32_t kBinaryCharset = 63;

// Offsets that make the packed temporal formats sort as unsigned bytes: the
// stored number is the signed value plus half the range.
constexpr int64_t kTime2IntOffset = 0x800000;          // 3-byte integer part
constexpr int64_t kTime2Offset = 0x800000000000;       // all 6 bytes
constexpr int64_t kDateTime2IntOffset = 0x8000000000;  // 5-byte integer part

// Builds the errors of one cell. The label (table, column, type) is only
// formatted when a cell fails: DecodeCell runs once per cell of every row.
class CellError {
 public:
  CellError(const TableMap& map, size_t column, ColumnType type)
      : map_(map), column_(column), type_(type) {}

  absl::Status operator()(absl::string_view why) const {
    return ProtocolError(absl::StrCat("binlog row of ", map_.ColumnLabel(column_),
                                      " (", ColumnTypeName(type_), "): ", why));
  }
  absl::Status Truncated(const WireReader& r) const {
    return r.Status(absl::StrCat("binlog row of ", map_.ColumnLabel(column_),
                                 " (", ColumnTypeName(type_), ")"));
  }

 private:
  const TableMap& map_;
  size_t column_;
  ColumnType type_;
};

uint64_t ReadBigEndian(WireReader& r, size_t n) {
  uint64_t v = 0;
  for (char c : r.Bytes(n)) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

int64_t SignExtend(uint64_t v, size_t width) {
  if (width >= 8) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (8 * width - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

bool ValidClock(uint32_t minute, uint32_t second, uint32_t micros) {
  return minute <= 59 && second <= 59 && micros <= 999999;
}
bool ValidDate(uint32_t month, uint32_t day) { return month <= 12 && day <= 31; }

// The fractional seconds that follow TIME2, DATETIME2 and TIMESTAMP2, by the
// column's fractional digits (fsp):
//   fsp 0      nothing
//   fsp 1, 2   int<1> big-endian, hundredths of a second
//   fsp 3, 4   int<2> big-endian, 1/10000 s
//   fsp 5, 6   int<3> big-endian, microseconds
// Returns the raw number and its byte width; microseconds = raw * scale.
struct Fraction {
  size_t width = 0;
  uint32_t scale = 1;
  uint32_t limit = 1;  // raw must be below this
};
Fraction FractionOf(uint16_t fsp) {
  switch (fsp) {
    case 1:
    case 2:
      return {1, 10000, 100};
    case 3:
    case 4:
      return {2, 100, 10000};
    case 5:
    case 6:
      return {3, 1, 1000000};
    default:
      return {};
  }
}

// TIME2:
//   byte<3>    big-endian, integer part + 0x800000:
//                bit 23 sign (1 = non-negative), bit 22 unused,
//                bits 12-21 hours, 6-11 minutes, 0-5 seconds
//   byte<k>    fraction (see FractionOf), with fsp 5-6 the 6 bytes form one
//              big-endian number offset by 0x800000000000
// A negative value is stored as the two's complement of the whole packed
// number (integer part << 24 | microseconds), so a negative time with a
// fraction has an integer part one lower and a complemented fraction.
absl::StatusOr<Value> ReadTime2(WireReader& r, uint16_t fsp,
                                const CellError& error) {
  int64_t packed;  // Signed (integer part << 24) + microseconds.
  if (fsp >= 5) {
    packed = static_cast<int64_t>(ReadBigEndian(r, 6)) - kTime2Offset;
  } else {
    int64_t int_part = static_cast<int64_t>(ReadBigEndian(r, 3)) - kTime2IntOffset;
    const Fraction f = FractionOf(fsp);
    int64_t frac = static_cast<int64_t>(ReadBigEndian(r, f.width));
    if (f.width > 0 && int_part < 0 && frac != 0) {
      int_part += 1;
      frac -= int64_t{1} << (8 * f.width);
    }
    packed = int_part * (int64_t{1} << 24) + frac * f.scale;
  }
  if (!r.ok()) return error.Truncated(r);
  Time t;
  t.negative = packed < 0;
  const uint64_t magnitude =
      t.negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  const uint64_t hms = magnitude >> 24;
  t.microsecond = static_cast<uint32_t>(magnitude & 0xffffff);
  t.hours = static_cast<uint32_t>((hms >> 12) & 0x3ff);
  t.minute = static_cast<uint8_t>((hms >> 6) & 0x3f);
  t.second = static_cast<uint8_t>(hms & 0x3f);
  if (!ValidClock(t.minute, t.second, t.microsecond) || (hms >> 22) != 0) {
    return error("field out of range");
  }
  return Value::Of(t);
}

// DATETIME2:
//   byte<5>    big-endian, integer part + 0x8000000000:
//                bit 39 sign (always 1: non-negative), bits 22-38
//                year * 13 + month, 17-21 day, 12-16 hour, 6-11 minute,
//                0-5 second
//   byte<k>    fraction (see FractionOf)
absl::StatusOr<Value> ReadDateTime2(WireReader& r, uint16_t fsp,
                                    const CellError& error) {
  const int64_t int_part =
      static_cast<int64_t>(ReadBigEndian(r, 5)) - kDateTime2IntOffset;
  const Fraction f = FractionOf(fsp);
  const uint64_t frac = ReadBigEndian(r, f.width);
  if (!r.ok()) return error.Truncated(r);
  if (int_part < 0) return error("negative DATETIME");
  if (frac >= f.limit) return error("fraction out of range");
  const uint64_t v = static_cast<uint64_t>(int_part);
  const uint64_t year_month = v >> 22;
  DateTime dt;
  dt.year = static_cast<uint16_t>(year_month / 13);
  dt.month = static_cast<uint8_t>(year_month % 13);
  dt.day = static_cast<uint8_t>((v >> 17) & 0x1f);
  dt.hour = static_cast<uint8_t>((v >> 12) & 0x1f);
  dt.minute = static_cast<uint8_t>((v >> 6) & 0x3f);
  dt.second = static_cast<uint8_t>(v & 0x3f);
  dt.microsecond = static_cast<uint32_t>(frac * f.scale);
  if (year_month / 13 > 9999 || dt.hour > 23 ||
      !ValidClock(dt.minute, dt.second, dt.microsecond)) {
    return error("field out of range");
  }
  return Value::Of(dt);
}

Value FromUnixSeconds(uint32_t seconds, uint32_t micros) {
  if (seconds == 0 && micros == 0) return Value::Of(DateTime{});
  const absl::CivilSecond cs =
      absl::ToCivilSecond(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  DateTime dt;
  dt.year = static_cast<uint16_t>(cs.year());
  dt.month = static_cast<uint8_t>(cs.month());
  dt.day = static_cast<uint8_t>(cs.day());
  dt.hour = static_cast<uint8_t>(cs.hour());
  dt.minute = static_cast<uint8_t>(cs.minute());
  dt.second = static_cast<uint8_t>(cs.second());
  dt.microsecond = micros;
  return Value::Of(dt);
}

// The maximum byte length of a STRING column, from its metadata (see
// TableMap::RealType for where bits 8-9 hide).
uint32_t StringMaxLength(uint16_t meta) {
  if (meta < 256) return meta;
  const uint32_t first = meta >> 8;
  const uint32_t second = meta & 0xff;
  if ((first & 0x30) != 0x30) return second | (((first & 0x30) ^ 0x30) << 4);
  return second;
}

// VARCHAR, VAR_STRING and STRING:
//   int<1> length (int<2> when the column's maximum exceeds 255 bytes)
//   byte<length>
absl::StatusOr<absl::string_view> ReadShortString(WireReader& r,
                                                  uint32_t max_length,
                                                  const CellError& error) {
  const uint32_t length = max_length > 255 ? r.U16() : r.U8();
  absl::string_view bytes = r.Bytes(length);
  if (!r.ok()) return error.Truncated(r);
  if (length > max_length) {
    return error(absl::StrCat("length ", length, " above the maximum ",
                              max_length));
  }
  return bytes;
}

// BLOB family, GEOMETRY, JSON, VECTOR:
//   int<meta>  length, meta = 1..4 bytes
//   byte<length>
absl::StatusOr<absl::string_view> ReadBlob(WireReader& r, uint16_t pack_length,
                                           const CellError& error) {
  if (pack_length < 1 || pack_length > 4) {
    return error(absl::StrCat("length prefix of ", pack_length, " bytes"));
  }
  const uint64_t length = r.FixedInt(pack_length);
  absl::string_view bytes = r.Bytes(static_cast<size_t>(length));
  if (!r.ok()) return error.Truncated(r);
  return bytes;
}

Value TextOrBytes(absl::string_view bytes, uint32_t charset) {
  if (charset == 0 || charset == kBinaryCharset) {
    return Value::BytesOf(std::string(bytes));
  }
  return Value::String(std::string(bytes));
}

}  // namespace

// A cell of a non-NULL value, by real type (all integers little-endian
// unless marked big-endian):
//   TINY, SHORT, INT24, LONG, LONGLONG   int<1>, <2>, <3>, <4>, <8>
//   FLOAT, DOUBLE                        4-/8-byte IEEE 754, little-endian
//   YEAR                                 int<1>: 0, or year - 1900
//   NEWDECIMAL                           binary decimal (decimal_binary.h)
//   DATE                                 int<3>: day | month << 5 | year << 9
//   TIME                                 int<3> signed: +-(h*10000 + m*100 + s)
//   TIME2                                see ReadTime2
//   DATETIME                             int<8>: YYYYMMDDhhmmss in decimal
//   DATETIME2                            see ReadDateTime2
//   TIMESTAMP                            int<4>: seconds since the epoch
//   TIMESTAMP2                           byte<4> big-endian seconds since the
//                                        epoch, then the fraction
//   BIT                                  bytes*8 + bits, big-endian, in
//                                        bytes + (bits ? 1 : 0) bytes
//   ENUM                                 int<1|2> (metadata low byte): index
//   SET                                  int<1..8> (metadata low byte): mask
//   VARCHAR, VAR_STRING, STRING          see ReadShortString
//   BLOB, GEOMETRY, JSON, VECTOR         see ReadBlob
absl::StatusOr<Value> DecodeCell(WireReader& r, const TableMap& map,
                                 size_t column) {
  if (column >= map.column_count() || map.metadata.size() != map.column_count()) {
    return ProtocolError(absl::StrCat("binlog row of `", map.schema, "`.`",
                                      map.table, "`: no column ", column));
  }
  const ColumnType type = map.RealType(column);
  const uint16_t meta = map.metadata[column];
  const CellError error(map, column, type);
  const bool is_unsigned =
      column < map.is_unsigned.size() && map.is_unsigned[column];
  const uint32_t charset =
      column < map.charsets.size() ? map.charsets[column] : 0;

  size_t int_width = 0;
  switch (type) {
    case ColumnType::kTiny:
      int_width = 1;
      break;
    case ColumnType::kShort:
      int_width = 2;
      break;
    case ColumnType::kInt24:
      int_width = 3;
      break;
    case ColumnType::kLong:
      int_width = 4;
      break;
    case ColumnType::kLongLong:
      int_width = 8;
      break;
    default:
      break;
  }
  if (int_width != 0) {
    const uint64_t bits = r.FixedInt(int_width);
    if (!r.ok()) return error.Truncated(r);
    if (is_unsigned) return Value::Uint64(bits);
    return Value::Int64(SignExtend(bits, int_width));
  }

  switch (type) {
    case ColumnType::kFloat: {
      const uint32_t bits = r.U32();
      if (!r.ok()) return error.Truncated(r);
      return Value::Float(std::bit_cast<float>(bits));
    }
    case ColumnType::kDouble: {
      const uint64_t bits = r.U64();
      if (!r.ok()) return error.Truncated(r);
      return Value::Double(std::bit_cast<double>(bits));
    }
    case ColumnType::kYear: {
      const uint8_t y = r.U8();
      if (!r.ok()) return error.Truncated(r);
      return Value::Uint64(y == 0 ? 0 : 1900u + y);
    }
    case ColumnType::kNewDecimal: {
      const int precision = meta >> 8;
      const int scale = meta & 0xff;
      const size_t size = BinaryDecimalSize(precision, scale);
      if (size == 0) {
        return error(absl::StrCat("invalid precision ", precision, " scale ",
                                  scale));
      }
      absl::string_view bytes = r.Bytes(size);
      if (!r.ok()) return error.Truncated(r);
      absl::StatusOr<std::string> text =
          BinaryDecimalToText(bytes, precision, scale);
      if (!text.ok()) return error(text.status().message());
      return Value::DecimalText(*std::move(text));
    }
    case ColumnType::kDate: {
      const uint32_t v = r.U24();
      if (!r.ok()) return error.Truncated(r);
      Date d;
      d.day = static_cast<uint8_t>(v & 0x1f);
      d.month = static_cast<uint8_t>((v >> 5) & 0x0f);
      d.year = static_cast<uint16_t>(v >> 9);
      if (!ValidDate(d.month, d.day) || d.year > 9999) {
        return error("field out of range");
      }
      return Value::Of(d);
    }
    case ColumnType::kTime: {
      const int64_t v = SignExtend(r.U24(), 3);
      if (!r.ok()) return error.Truncated(r);
      const uint64_t magnitude = static_cast<uint64_t>(v < 0 ? -v : v);
      Time t;
      t.negative = v < 0;
      t.hours = static_cast<uint32_t>(magnitude / 10000);
      t.minute = static_cast<uint8_t>(magnitude / 100 % 100);
      t.second = static_cast<uint8_t>(magnitude % 100);
      if (!ValidClock(t.minute, t.second, 0)) return error("field out of range");
      return Value::Of(t);
    }
    case ColumnType::kTime2:
      if (meta > 6) return error(absl::StrCat("fractional digits ", meta));
      return ReadTime2(r, meta, error);
    case ColumnType::kDateTime: {
      const uint64_t v = r.U64();
      if (!r.ok()) return error.Truncated(r);
      const uint64_t date = v / 1000000;
      const uint64_t clock = v % 1000000;
      DateTime dt;
      dt.day = static_cast<uint8_t>(date % 100);
      dt.month = static_cast<uint8_t>(date / 100 % 100);
      dt.hour = static_cast<uint8_t>(clock / 10000);
      dt.minute = static_cast<uint8_t>(clock / 100 % 100);
      dt.second = static_cast<uint8_t>(clock % 100);
      if (date / 10000 > 9999 || !ValidDate(dt.month, dt.day) || dt.hour > 23 ||
          !ValidClock(dt.minute, dt.second, 0)) {
        return error("field out of range");
      }
      dt.year = static_cast<uint16_t>(date / 10000);
      return Value::Of(dt);
    }
    case ColumnType::kDateTime2:
      if (meta > 6) return error(absl::StrCat("fractional digits ", meta));
      return ReadDateTime2(r, meta, error);
    case ColumnType::kTimestamp: {
      const uint32_t seconds = r.U32();
      if (!r.ok()) return error.Truncated(r);
      return FromUnixSeconds(seconds, 0);
    }
    case ColumnType::kTimestamp2: {
      if (meta > 6) return error(absl::StrCat("fractional digits ", meta));
      const uint32_t seconds = static_cast<uint32_t>(ReadBigEndian(r, 4));
      const Fraction f = FractionOf(meta);
      const uint64_t frac = ReadBigEndian(r, f.width);
      if (!r.ok()) return error.Truncated(r);
      if (frac >= f.limit) return error("fraction out of range");
      return FromUnixSeconds(seconds, static_cast<uint32_t>(frac * f.scale));
    }
    case ColumnType::kBit: {
      const uint32_t extra_bits = meta & 0xff;
      const uint32_t whole_bytes = meta >> 8;
      const size_t width = whole_bytes + (extra_bits != 0 ? 1 : 0);
      if (extra_bits > 7 || width == 0 || width > 8) {
        return error(absl::StrCat("metadata 0x", absl::Hex(meta)));
      }
      const uint64_t v = ReadBigEndian(r, width);
      if (!r.ok()) return error.Truncated(r);
      return Value::Uint64(v);
    }
    case ColumnType::kEnum: {
      const size_t width = meta & 0xff;
      if (width != 1 && width != 2) {
        return error(absl::StrCat("index of ", width, " bytes"));
      }
      const uint64_t index = r.FixedInt(width);
      if (!r.ok()) return error.Truncated(r);
      const std::vector<std::string>* names =
          column < map.enum_values.size() && !map.enum_values[column].empty()
              ? &map.enum_values[column]
              : nullptr;
      if (names == nullptr) return Value::Uint64(index);
      if (index == 0) return Value::String("");
      if (index > names->size()) {
        return error(absl::StrCat("index ", index, " of ", names->size(),
                                  " values"));
      }
      return Value::String((*names)[index - 1]);
    }
    case ColumnType::kSet: {
      const size_t width = meta & 0xff;
      if (width < 1 || width > 8) {
        return error(absl::StrCat("bitmask of ", width, " bytes"));
      }
      const uint64_t mask = r.FixedInt(width);
      if (!r.ok()) return error.Truncated(r);
      const std::vector<std::string>* names =
          column < map.set_values.size() && !map.set_values[column].empty()
              ? &map.set_values[column]
              : nullptr;
      if (names == nullptr) return Value::Uint64(mask);
      if (names->size() < 64 && (mask >> names->size()) != 0) {
        return error(absl::StrCat("bitmask 0x", absl::Hex(mask), " for ",
                                  names->size(), " members"));
      }
      std::string text;
      for (size_t i = 0; i < names->size() && i < 64; ++i) {
        if ((mask >> i) & 1) {
          if (!text.empty()) text += ',';
          text += (*names)[i];
        }
      }
      return Value::String(std::move(text));
    }
    case ColumnType::kVarChar:
    case ColumnType::kVarString: {
      absl::StatusOr<absl::string_view> bytes = ReadShortString(r, meta, error);
      if (!bytes.ok()) return bytes.status();
      return TextOrBytes(*bytes, charset);
    }
    case ColumnType::kString: {
      absl::StatusOr<absl::string_view> bytes =
          ReadShortString(r, StringMaxLength(meta), error);
      if (!bytes.ok()) return bytes.status();
      return TextOrBytes(*bytes, charset);
    }
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob: {
      absl::StatusOr<absl::string_view> bytes = ReadBlob(r, meta, error);
      if (!bytes.ok()) return bytes.status();
      return TextOrBytes(*bytes, charset);
    }
    case ColumnType::kGeometry: {
      absl::StatusOr<absl::string_view> bytes = ReadBlob(r, meta, error);
      if (!bytes.ok()) return bytes.status();
      return Value::BytesOf(std::string(*bytes));
    }
    case ColumnType::kVector: {
      absl::StatusOr<absl::string_view> bytes = ReadBlob(r, meta, error);
      if (!bytes.ok()) return bytes.status();
      if (bytes->size() % 4 != 0) {
        return error(absl::StrCat(bytes->size(),
                                  " bytes, not a whole number of floats"));
      }
      return Value::BytesOf(std::string(*bytes));
    }
    case ColumnType::kJson: {
      absl::StatusOr<absl::string_view> bytes = ReadBlob(r, meta, error);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<std::string> text = JsonBinaryToText(*bytes);
      if (!text.ok()) return error(text.status().message());
      return Value::String(*std::move(text));
    }
    default:
      break;
  }
  return error("type not supported in row events");
}

}  // namespace mysqlwire::binlog
