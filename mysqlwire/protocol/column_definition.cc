#include "mysqlwire/protocol/column_definition.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

// The length that the fixed-length fields block announces in every
// ColumnDefinition41 we accept.
constexpr uint64_t kFixedFieldsLength = 0x0c;

}  // namespace

// Protocol::ColumnDefinition41:
//   string<lenenc>  catalog ("def")
//   string<lenenc>  schema
//   string<lenenc>  table
//   string<lenenc>  org_table
//   string<lenenc>  name
//   string<lenenc>  org_name
//   int<lenenc>     length of the fixed-length fields, always 0x0c
//   int<2>          character_set
//   int<4>          column_length
//   int<1>          type
//   int<2>          flags
//   int<1>          decimals
//   int<2>          filler (0x00 0x00; not checked, carries no meaning)
//   [string<lenenc> default value: COM_FIELD_LIST only; 0xfb when NULL]
absl::StatusOr<ColumnDefinition> ParseColumnDefinition(
    absl::string_view payload) {
  constexpr absl::string_view kWhat = "column definition";
  WireReader r(payload);
  ColumnDefinition c;
  c.catalog = std::string(r.LenencString());
  c.schema = std::string(r.LenencString());
  c.table = std::string(r.LenencString());
  c.org_table = std::string(r.LenencString());
  c.name = std::string(r.LenencString());
  c.org_name = std::string(r.LenencString());
  uint64_t fixed_length = r.Lenenc();
  if (!r.ok()) return r.Status(kWhat);
  if (fixed_length != kFixedFieldsLength) {
    return ProtocolError(absl::StrCat(
        kWhat, ": fixed-length fields block of ", fixed_length,
        " bytes, expected 12 (extended metadata is not negotiated)"));
  }
  c.character_set = r.U16();
  c.column_length = r.U32();
  uint8_t type = r.U8();
  c.flags = r.U16();
  c.decimals = r.U8();
  r.Skip(2);
  if (!r.ok()) return r.Status(kWhat);
  if (!IsKnownColumnType(type)) {
    return ProtocolError(
        absl::StrCat(kWhat, ": unknown column type 0x", absl::Hex(type)));
  }
  c.type = static_cast<ColumnType>(type);
  if (!r.empty()) {
    // A COM_FIELD_LIST default value; anything else is not ColumnDefinition41.
    std::optional<uint64_t> length = r.LenencOrNull();
    if (length.has_value()) r.Skip(*length);
    if (!r.ok()) return r.Status(absl::StrCat(kWhat, " default value"));
  }
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return c;
}

std::string SerializeColumnDefinition(const ColumnDefinition& column) {
  std::string out;
  WireWriter w(&out);
  w.LenencString(column.catalog);
  w.LenencString(column.schema);
  w.LenencString(column.table);
  w.LenencString(column.org_table);
  w.LenencString(column.name);
  w.LenencString(column.org_name);
  w.Lenenc(kFixedFieldsLength);
  w.U16(column.character_set);
  w.U32(column.column_length);
  w.U8(static_cast<uint8_t>(column.type));
  w.U16(column.flags);
  w.U8(column.decimals);
  w.Zeros(2);
  return out;
}

// Column count packet:
//   int<lenenc>  column_count (>= 1)
absl::StatusOr<uint64_t> ParseColumnCount(absl::string_view payload) {
  constexpr absl::string_view kWhat = "column count";
  WireReader r(payload);
  uint64_t count = r.Lenenc();
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  if (count == 0) return ProtocolError(absl::StrCat(kWhat, ": zero columns"));
  return count;
}

absl::StatusOr<ColumnCountWithFlag> ParseColumnCountWithMetadataFlag(
    absl::string_view payload) {
  constexpr absl::string_view kWhat = "column count";
  WireReader r(payload);
  ColumnCountWithFlag out;
  out.count = r.Lenenc();
  const uint8_t flag = r.U8();
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  if (out.count == 0) return ProtocolError(absl::StrCat(kWhat, ": zero columns"));
  if (flag > 1) return ProtocolError(absl::StrCat(kWhat, ": metadata flag ", flag));
  out.metadata_follows = flag == 1;
  return out;
}

std::string SerializeColumnCount(uint64_t count) {
  std::string out;
  WireWriter(&out).Lenenc(count);
  return out;
}

bool IsKnownColumnType(uint8_t code) {
  switch (static_cast<ColumnType>(code)) {
    case ColumnType::kDecimal:
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kNull:
    case ColumnType::kTimestamp:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
    case ColumnType::kDate:
    case ColumnType::kTime:
    case ColumnType::kDateTime:
    case ColumnType::kYear:
    case ColumnType::kNewDate:
    case ColumnType::kVarChar:
    case ColumnType::kBit:
    case ColumnType::kTimestamp2:
    case ColumnType::kDateTime2:
    case ColumnType::kTime2:
    case ColumnType::kTypedArray:
    case ColumnType::kVector:
    case ColumnType::kJson:
    case ColumnType::kNewDecimal:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kVarString:
    case ColumnType::kString:
    case ColumnType::kGeometry:
      return true;
  }
  return false;
}

std::optional<Value::Kind> ValueKindOf(const ColumnDefinition& column) {
  switch (column.type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kYear:
      return column.is_unsigned() ? Value::Kind::kUint64 : Value::Kind::kInt64;
    case ColumnType::kBit:
      return Value::Kind::kUint64;
    case ColumnType::kFloat:
      return Value::Kind::kFloat;
    case ColumnType::kDouble:
      return Value::Kind::kDouble;
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
      return Value::Kind::kDecimal;
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return Value::Kind::kDate;
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      return Value::Kind::kDateTime;
    case ColumnType::kTime:
    case ColumnType::kTime2:
      return Value::Kind::kTime;
    case ColumnType::kJson:
      return Value::Kind::kString;
    case ColumnType::kGeometry:
    case ColumnType::kVector:
      return Value::Kind::kBytes;
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
      return column.is_binary() ? Value::Kind::kBytes : Value::Kind::kString;
    case ColumnType::kNull:
      return Value::Kind::kNull;
    case ColumnType::kTypedArray:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace mysqlwire
