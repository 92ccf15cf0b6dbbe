#include "mysqlwire/binlog/table_map.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

constexpr absl::string_view kWhat = "TABLE_MAP event";

absl::Status Malformed(const TableMap& map, absl::string_view why) {
  return ProtocolError(absl::StrCat(kWhat, " of `", map.schema, "`.`",
                                    map.table, "`: ", why));
}

// Reads one column's metadata from the metadata block. The byte count and
// the way bytes combine into one number depend on the type:
//   FLOAT, DOUBLE, BLOB family, GEOMETRY, JSON, VECTOR,
//   TIME2, DATETIME2, TIMESTAMP2     int<1>
//   VARCHAR, VAR_STRING              int<2> little-endian
//   BIT                              int<1> bits % 8, int<1> bytes
//                                    -> bytes << 8 | bits
//   NEWDECIMAL                       int<1> precision, int<1> scale
//                                    -> precision << 8 | scale
//   STRING, ENUM, SET                int<1> real type (+ length bits),
//                                    int<1> length -> first << 8 | second
//   everything else                  nothing
uint16_t ReadColumnMetadata(ColumnType type, WireReader& r) {
  switch (type) {
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
    case ColumnType::kJson:
    case ColumnType::kVector:
    case ColumnType::kTime2:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp2:
      return r.U8();
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
    case ColumnType::kBit:
      // BIT's two bytes are (bits, bytes): little-endian order gives
      // bytes << 8 | bits, the same number VARCHAR's int<2> read gives.
      return r.U16();
    case ColumnType::kNewDecimal:
    case ColumnType::kString:
    case ColumnType::kEnum:
    case ColumnType::kSet: {
      const uint16_t first = r.U8();
      const uint16_t second = r.U8();
      return static_cast<uint16_t>(first << 8 | second);
    }
    default:
      return 0;
  }
}

bool IsNumeric(ColumnType type) {
  switch (type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kNewDecimal:
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      return true;
    default:
      return false;
  }
}

// The columns that DEFAULT_CHARSET / COLUMN_CHARSET describe, by real type.
bool IsCharacter(ColumnType real, bool mariadb) {
  switch (real) {
    case ColumnType::kString:
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kVector:  // MySQL 9; MariaDB has no such type code.
      return true;
    case ColumnType::kGeometry:
      return mariadb;
    default:
      return false;
  }
}

bool IsEnumOrSet(ColumnType real) {
  return real == ColumnType::kEnum || real == ColumnType::kSet;
}

std::vector<size_t> ColumnsWhere(const TableMap& map, auto&& pred) {
  std::vector<size_t> out;
  for (size_t i = 0; i < map.column_count(); ++i) {
    if (pred(map.RealType(i))) out.push_back(i);
  }
  return out;
}

// A bitmap of one bit per listed column, most significant bit first (the
// order optional metadata uses, unlike the row bitmaps).
absl::Status ReadMsbBitmap(const TableMap& map, absl::string_view value,
                           const std::vector<size_t>& columns,
                           absl::string_view field, std::vector<bool>& out) {
  if (value.size() != (columns.size() + 7) / 8) {
    return Malformed(map, absl::StrCat(field, " of ", value.size(),
                                       " bytes for ", columns.size(),
                                       " columns"));
  }
  for (size_t k = 0; k < columns.size(); ++k) {
    const uint8_t byte = static_cast<uint8_t>(value[k / 8]);
    out[columns[k]] = ((byte >> (7 - k % 8)) & 1) != 0;
  }
  return absl::OkStatus();
}

// COLUMN_CHARSET / ENUM_AND_SET_COLUMN_CHARSET:
//   int<lenenc>  collation id, once per listed column
absl::StatusOr<std::vector<uint32_t>> ReadCharsetList(absl::string_view value) {
  WireReader r(value);
  std::vector<uint32_t> ids;
  while (r.ok() && !r.empty()) ids.push_back(static_cast<uint32_t>(r.Lenenc()));
  if (!r.ok()) return r.Status("charset list");
  return ids;
}

// DEFAULT_CHARSET / ENUM_AND_SET_DEFAULT_CHARSET:
//   int<lenenc>  default collation id
//   repeated to the end, for columns whose collation differs:
//     int<lenenc>  index among the listed columns (not the table's)
//     int<lenenc>  collation id
struct DefaultCharset {
  uint32_t default_id = 0;
  std::vector<std::pair<uint64_t, uint32_t>> exceptions;
};
absl::StatusOr<DefaultCharset> ReadDefaultCharset(absl::string_view value) {
  WireReader r(value);
  DefaultCharset out;
  out.default_id = static_cast<uint32_t>(r.Lenenc());
  while (r.ok() && !r.empty()) {
    const uint64_t index = r.Lenenc();
    const uint32_t id = static_cast<uint32_t>(r.Lenenc());
    out.exceptions.emplace_back(index, id);
  }
  if (!r.ok()) return r.Status("default charset");
  return out;
}

absl::Status ApplyDefaultCharset(TableMap& map, const DefaultCharset& dc,
                                 const std::vector<size_t>& columns,
                                 absl::string_view field) {
  for (size_t c : columns) map.charsets[c] = dc.default_id;
  for (const auto& [index, id] : dc.exceptions) {
    if (index >= columns.size()) {
      return Malformed(map, absl::StrCat(field, " names column index ", index,
                                         " of ", columns.size()));
    }
    map.charsets[columns[index]] = id;
  }
  return absl::OkStatus();
}

absl::Status ApplyCharsetList(TableMap& map, const std::vector<uint32_t>& ids,
                              const std::vector<size_t>& columns,
                              absl::string_view field) {
  if (ids.size() != columns.size()) {
    return Malformed(map, absl::StrCat(field, " lists ", ids.size(),
                                       " charsets for ", columns.size(),
                                       " columns"));
  }
  for (size_t k = 0; k < ids.size(); ++k) map.charsets[columns[k]] = ids[k];
  return absl::OkStatus();
}

// SET_STR_VALUE / ENUM_STR_VALUE, once per listed column:
//   int<lenenc>             number of values
//   string<lenenc> * that   the values, in definition order
absl::Status ReadStringLists(TableMap& map, absl::string_view value,
                             const std::vector<size_t>& columns,
                             absl::string_view field,
                             std::vector<std::vector<std::string>>& out) {
  WireReader r(value);
  size_t k = 0;
  while (r.ok() && !r.empty()) {
    if (k >= columns.size()) {
      return Malformed(map, absl::StrCat(field, " lists more than ",
                                         columns.size(), " columns"));
    }
    const uint64_t count = r.Lenenc();
    // Each value takes at least one byte: a count beyond that is corrupt, and
    // checking first keeps a bad count from reserving memory.
    if (!r.ok() || count > r.remaining()) break;
    std::vector<std::string> values;
    values.reserve(count);
    for (uint64_t v = 0; v < count && r.ok(); ++v) {
      values.emplace_back(r.LenencString());
    }
    out[columns[k++]] = std::move(values);
  }
  if (!r.ok() || !r.empty()) return Malformed(map, absl::StrCat(field, " truncated"));
  if (k != columns.size()) {
    return Malformed(map, absl::StrCat(field, " lists ", k, " columns of ",
                                       columns.size()));
  }
  return absl::OkStatus();
}

// GEOMETRY_TYPE / VECTOR_DIMENSIONALITY:
//   int<lenenc>  one number per listed column
absl::Status ReadNumberList(TableMap& map, absl::string_view value,
                            const std::vector<size_t>& columns,
                            absl::string_view field,
                            std::vector<uint32_t>& out) {
  WireReader r(value);
  size_t k = 0;
  while (r.ok() && !r.empty()) {
    const uint64_t n = r.Lenenc();
    if (!r.ok()) break;
    if (k >= columns.size()) {
      return Malformed(map, absl::StrCat(field, " lists more than ",
                                         columns.size(), " columns"));
    }
    out[columns[k++]] = static_cast<uint32_t>(n);
  }
  if (!r.ok()) return Malformed(map, absl::StrCat(field, " truncated"));
  if (k != columns.size()) {
    return Malformed(map, absl::StrCat(field, " lists ", k, " columns of ",
                                       columns.size()));
  }
  return absl::OkStatus();
}

// SIMPLE_PRIMARY_KEY:        int<lenenc> column index, repeated
// PRIMARY_KEY_WITH_PREFIX:   (int<lenenc> column index,
//                             int<lenenc> prefix length or 0), repeated
absl::Status ReadPrimaryKey(TableMap& map, absl::string_view value,
                            bool with_prefix) {
  WireReader r(value);
  map.primary_key.clear();
  map.primary_key_prefixes.clear();
  while (r.ok() && !r.empty()) {
    const uint64_t index = r.Lenenc();
    const uint64_t prefix = with_prefix ? r.Lenenc() : 0;
    if (!r.ok()) break;
    if (index >= map.column_count()) {
      return Malformed(map, absl::StrCat("primary key names column ", index,
                                         " of ", map.column_count()));
    }
    map.primary_key.push_back(static_cast<uint32_t>(index));
    map.primary_key_prefixes.push_back(static_cast<uint32_t>(prefix));
  }
  if (!r.ok()) return Malformed(map, "primary key truncated");
  return absl::OkStatus();
}

// Decides whether GEOMETRY columns count as character columns when the caller
// did not say which server wrote the event; see ParseTableMap in the header.
bool InferMariaDb(const TableMap& map,
                  const std::optional<DefaultCharset>& default_charset,
                  const std::optional<std::vector<uint32_t>>& column_charset,
                  bool mysql_only_field_seen) {
  const std::vector<size_t> geometry = ColumnsWhere(
      map, [](ColumnType t) { return t == ColumnType::kGeometry; });
  const bool has_vector =
      !ColumnsWhere(map, [](ColumnType t) { return t == ColumnType::kVector; })
           .empty();
  if (geometry.empty() || mysql_only_field_seen || has_vector) return false;
  const std::vector<size_t> mysql_chars =
      ColumnsWhere(map, [](ColumnType t) { return IsCharacter(t, false); });
  const std::vector<size_t> maria_chars =
      ColumnsWhere(map, [](ColumnType t) { return IsCharacter(t, true); });
  if (column_charset.has_value()) {
    return column_charset->size() == maria_chars.size();
  }
  if (default_charset.has_value()) {
    for (const auto& [index, id] : default_charset->exceptions) {
      if (index >= mysql_chars.size()) return true;
    }
    // MariaDB lists every GEOMETRY column (always binary) unless binary is
    // the default.
    constexpr uint32_t kBinary = 63;
    if (default_charset->default_id != kBinary) {
      for (size_t g : geometry) {
        const size_t index = static_cast<size_t>(
            std::find(maria_chars.begin(), maria_chars.end(), g) -
            maria_chars.begin());
        bool listed = false;
        for (const auto& [i, id] : default_charset->exceptions) {
          listed = listed || (i == index && id == kBinary);
        }
        if (!listed) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

ColumnType TableMap::RealType(size_t column) const {
  const ColumnType type = types[column];
  if (type != ColumnType::kString) return type;
  const uint16_t meta = metadata[column];
  if (meta < 256) return type;
  const uint8_t first = static_cast<uint8_t>(meta >> 8);
  // A CHAR longer than 255 bytes hides bits 8-9 of its length in bits 4-5 of
  // the first byte (XOR-ed into 0xfe); those never look like a type code
  // because both bits of a type code's 0x30 are set.
  if ((first & 0x30) != 0x30) return ColumnType::kString;
  return static_cast<ColumnType>(first);
}

std::string TableMap::ColumnLabel(size_t column) const {
  std::string out =
      absl::StrCat("`", schema, "`.`", table, "` column ", column);
  if (column < column_names.size()) {
    absl::StrAppend(&out, " `", column_names[column], "`");
  }
  return out;
}

// TABLE_MAP_EVENT body:
//   int<6>          table id (int<4> when post_header_len == 6)
//   int<2>          flags
//   byte<...>       rest of a post-header longer than 8 (skipped)
//   int<1>          schema name length
//   string          schema name, then 0x00
//   int<1>          table name length
//   string          table name, then 0x00
//   int<lenenc>     column count n
//   byte<n>         column types
//   int<lenenc>     metadata block length
//   byte<...>       metadata block (see ReadColumnMetadata)
//   byte<(n+7)/8>   nullable bitmap, bit i (LSB first) for column i
//   to the end, optional metadata fields:
//     int<1>          field type (OptionalMetadataType)
//     int<lenenc>     field length
//     byte<length>    field value
absl::StatusOr<TableMap> ParseTableMap(absl::string_view body,
                                       uint8_t post_header_len,
                                       ServerFlavor flavor) {
  if (post_header_len != 6 && post_header_len < 8) {
    return ProtocolError(absl::StrCat(kWhat, ": post-header length ",
                                      post_header_len, ", expected 6 or 8"));
  }
  WireReader r(body);
  TableMap map;
  map.table_id = post_header_len == 6 ? r.U32() : r.U48();
  map.flags = r.U16();
  if (post_header_len > 8) r.Skip(post_header_len - 8);
  const uint8_t schema_len = r.U8();
  map.schema = std::string(r.Bytes(schema_len));
  const uint8_t schema_nul = r.U8();
  const uint8_t table_len = r.U8();
  map.table = std::string(r.Bytes(table_len));
  const uint8_t table_nul = r.U8();
  if (!r.ok()) return r.Status(kWhat);
  if (schema_nul != 0 || table_nul != 0) {
    return Malformed(map, "name not NUL-terminated");
  }

  const uint64_t n = r.Lenenc();
  const absl::string_view type_bytes = r.Bytes(n);
  const uint64_t meta_len = r.Lenenc();
  const absl::string_view meta_block = r.Bytes(meta_len);
  const absl::string_view null_bitmap = r.Bytes((type_bytes.size() + 7) / 8);
  if (!r.ok()) return r.Status(absl::StrCat(kWhat, " of `", map.schema, "`.`",
                                            map.table, "`"));
  if (n == 0) return Malformed(map, "no columns");

  map.types.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t code = static_cast<uint8_t>(type_bytes[i]);
    if (!IsKnownColumnType(code)) {
      return Malformed(map, absl::StrCat("column ", i, " has unknown type 0x",
                                         absl::Hex(code)));
    }
    map.types.push_back(static_cast<ColumnType>(code));
  }
  WireReader meta(meta_block);
  map.metadata.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    map.metadata.push_back(ReadColumnMetadata(map.types[i], meta));
  }
  if (!meta.ok() || !meta.empty()) {
    return Malformed(map, absl::StrCat("metadata block of ", meta_len,
                                       " bytes does not match the column types"));
  }
  for (size_t i = 0; i < n; ++i) {
    const ColumnType real = map.RealType(i);
    if (map.types[i] == ColumnType::kString && real != ColumnType::kString &&
        !IsEnumOrSet(real)) {
      return Malformed(map, absl::StrCat("column ", i, " has STRING metadata 0x",
                                         absl::Hex(map.metadata[i])));
    }
  }
  map.nullable.resize(n);
  for (size_t i = 0; i < n; ++i) {
    map.nullable[i] = ((static_cast<uint8_t>(null_bitmap[i / 8]) >> (i % 8)) & 1) != 0;
  }

  map.is_unsigned.assign(n, false);
  map.charsets.assign(n, 0);
  map.enum_values.assign(n, {});
  map.set_values.assign(n, {});
  map.geometry_types.assign(n, 0);
  map.visible.assign(n, true);
  map.vector_dimensions.assign(n, 0);

  // Charset fields are applied after the loop: which columns they describe
  // may depend on the flavor, which later fields can reveal.
  std::optional<DefaultCharset> default_charset;
  std::optional<std::vector<uint32_t>> column_charset;
  std::optional<absl::string_view> signedness;
  bool mysql_only_field_seen = false;
  while (r.ok() && !r.empty()) {
    const uint8_t field_type = r.U8();
    const uint64_t field_len = r.Lenenc();
    const absl::string_view value = r.Bytes(field_len);
    if (!r.ok()) break;
    absl::Status s;
    switch (static_cast<OptionalMetadataType>(field_type)) {
      case OptionalMetadataType::kSignedness:
        // Applied after the loop: MariaDB gives YEAR columns a bit too.
        signedness = value;
        break;
      case OptionalMetadataType::kDefaultCharset: {
        absl::StatusOr<DefaultCharset> dc = ReadDefaultCharset(value);
        if (!dc.ok()) return Malformed(map, "DEFAULT_CHARSET truncated");
        default_charset = *std::move(dc);
        break;
      }
      case OptionalMetadataType::kColumnCharset: {
        absl::StatusOr<std::vector<uint32_t>> ids = ReadCharsetList(value);
        if (!ids.ok()) return Malformed(map, "COLUMN_CHARSET truncated");
        column_charset = *std::move(ids);
        break;
      }
      case OptionalMetadataType::kColumnName: {
        WireReader names(value);
        std::vector<std::string> out;
        while (names.ok() && !names.empty() && out.size() < n) {
          out.emplace_back(names.LenencString());
        }
        if (!names.ok() || !names.empty() || out.size() != n) {
          return Malformed(map, "COLUMN_NAME does not list every column");
        }
        map.column_names = std::move(out);
        break;
      }
      case OptionalMetadataType::kSetStrValue:
        s = ReadStringLists(
            map, value,
            ColumnsWhere(map, [](ColumnType t) { return t == ColumnType::kSet; }),
            "SET_STR_VALUE", map.set_values);
        break;
      case OptionalMetadataType::kEnumStrValue:
        s = ReadStringLists(
            map, value,
            ColumnsWhere(map, [](ColumnType t) { return t == ColumnType::kEnum; }),
            "ENUM_STR_VALUE", map.enum_values);
        break;
      case OptionalMetadataType::kGeometryType:
        s = ReadNumberList(map, value,
                           ColumnsWhere(map,
                                        [](ColumnType t) {
                                          return t == ColumnType::kGeometry;
                                        }),
                           "GEOMETRY_TYPE", map.geometry_types);
        break;
      case OptionalMetadataType::kSimplePrimaryKey:
        s = ReadPrimaryKey(map, value, /*with_prefix=*/false);
        break;
      case OptionalMetadataType::kPrimaryKeyWithPrefix:
        s = ReadPrimaryKey(map, value, /*with_prefix=*/true);
        break;
      case OptionalMetadataType::kEnumAndSetDefaultCharset: {
        absl::StatusOr<DefaultCharset> dc = ReadDefaultCharset(value);
        if (!dc.ok()) {
          return Malformed(map, "ENUM_AND_SET_DEFAULT_CHARSET truncated");
        }
        s = ApplyDefaultCharset(map, *dc, ColumnsWhere(map, IsEnumOrSet),
                                "ENUM_AND_SET_DEFAULT_CHARSET");
        break;
      }
      case OptionalMetadataType::kEnumAndSetColumnCharset: {
        absl::StatusOr<std::vector<uint32_t>> ids = ReadCharsetList(value);
        if (!ids.ok()) {
          return Malformed(map, "ENUM_AND_SET_COLUMN_CHARSET truncated");
        }
        s = ApplyCharsetList(map, *ids, ColumnsWhere(map, IsEnumOrSet),
                             "ENUM_AND_SET_COLUMN_CHARSET");
        break;
      }
      case OptionalMetadataType::kColumnVisibility: {
        std::vector<size_t> all(n);
        for (size_t i = 0; i < n; ++i) all[i] = i;
        s = ReadMsbBitmap(map, value, all, "COLUMN_VISIBILITY", map.visible);
        mysql_only_field_seen = true;
        break;
      }
      case OptionalMetadataType::kVectorDimensionality:
        s = ReadNumberList(
            map, value,
            ColumnsWhere(map, [](ColumnType t) { return t == ColumnType::kVector; }),
            "VECTOR_DIMENSIONALITY", map.vector_dimensions);
        mysql_only_field_seen = true;
        break;
      default:
        // A newer server's field: its length lets us step over it.
        break;
    }
    if (!s.ok()) return s;
  }
  if (!r.ok()) return Malformed(map, "optional metadata truncated");

  bool mariadb = false;
  switch (flavor) {
    case ServerFlavor::kMySql:
      mariadb = false;
      break;
    case ServerFlavor::kMariaDb:
      mariadb = true;
      break;
    default:
      mariadb = InferMariaDb(map, default_charset, column_charset, mysql_only_field_seen);
      break;
  }
  if (signedness.has_value()) {
    // MariaDB counts YEAR among the numeric columns (its bit is always set);
    // MySQL does not.
    const std::vector<size_t> numeric = ColumnsWhere(map, [mariadb](ColumnType t) {
      return IsNumeric(t) || (mariadb && t == ColumnType::kYear);
    });
    if (absl::Status s = ReadMsbBitmap(map, *signedness, numeric, "SIGNEDNESS", map.is_unsigned);
        !s.ok()) {
      return s;
    }
  }

  if (default_charset.has_value() || column_charset.has_value()) {
    const std::vector<size_t> chars = ColumnsWhere(
        map, [mariadb](ColumnType t) { return IsCharacter(t, mariadb); });
    if (default_charset.has_value()) {
      if (absl::Status s = ApplyDefaultCharset(map, *default_charset, chars,
                                               "DEFAULT_CHARSET");
          !s.ok()) {
        return s;
      }
    }
    if (column_charset.has_value()) {
      if (absl::Status s =
              ApplyCharsetList(map, *column_charset, chars, "COLUMN_CHARSET");
          !s.ok()) {
        return s;
      }
    }
  }
  return map;
}

}  // namespace mysqlwire::binlog
