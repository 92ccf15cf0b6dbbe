// TABLE_MAP_EVENT: the column types and metadata that every following rows
// event of the same table id is decoded with, plus the optional metadata
// (binlog_row_metadata=MINIMAL/FULL on MySQL 8.0+, MariaDB 10.5+): signedness,
// character sets, column names, ENUM/SET strings, primary key, visibility.
#ifndef MYSQLWIRE_BINLOG_TABLE_MAP_H_
#define MYSQLWIRE_BINLOG_TABLE_MAP_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlwire::binlog {

using ::mysqlwire::ColumnType;

// Optional metadata field types (Table_map_log_event::Optional_metadata_field_type).
enum class OptionalMetadataType : uint8_t {
  kSignedness = 1,
  kDefaultCharset = 2,
  kColumnCharset = 3,
  kColumnName = 4,
  kSetStrValue = 5,
  kEnumStrValue = 6,
  kGeometryType = 7,
  kSimplePrimaryKey = 8,
  kPrimaryKeyWithPrefix = 9,
  kEnumAndSetDefaultCharset = 10,
  kEnumAndSetColumnCharset = 11,
  kColumnVisibility = 12,
  kVectorDimensionality = 13,
};

// Which server wrote a TABLE_MAP event. It matters for one detail only:
// MariaDB counts GEOMETRY columns among the "character columns" that
// DEFAULT_CHARSET and COLUMN_CHARSET list, MySQL does not (MySQL 9 counts
// VECTOR columns instead, which MariaDB does not have). kUnknown infers it
// from the event (see ParseTableMap).
enum class ServerFlavor : uint8_t { kUnknown, kMySql, kMariaDb };

struct TableMap {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string schema;
  std::string table;

  // One entry per column, in table order.
  std::vector<ColumnType> types;
  // The per-column metadata as a number, combined from its 0-2 bytes the way
  // MySQL's table_def does (and mysqlbinlog prints as "meta="):
  //   FLOAT, DOUBLE                 pack length (4, 8)
  //   BLOB, GEOMETRY, JSON, VECTOR  bytes of the length prefix (1..4)
  //   TIME2, DATETIME2, TIMESTAMP2  fractional digits (0..6)
  //   VARCHAR, VAR_STRING           maximum length in bytes
  //   NEWDECIMAL                    precision << 8 | scale
  //   BIT                           bytes << 8 | extra bits
  //   STRING, ENUM, SET             real type << 8 | length (see RealType)
  //   everything else               0
  std::vector<uint16_t> metadata;
  std::vector<bool> nullable;

  // Optional metadata, expanded to one entry per column where the wire format
  // lists only some columns. Every vector below except column_names always
  // has one entry per column; a field the event did not carry leaves its
  // default: is_unsigned false (decode as signed), charsets 0 (unknown),
  // enum_values/set_values empty, geometry_types 0, visible true,
  // vector_dimensions 0. column_names is empty unless the event had names.
  std::vector<bool> is_unsigned;        // Numeric columns only.
  std::vector<uint32_t> charsets;       // Collation ids; 0 unknown.
  std::vector<std::string> column_names;
  std::vector<std::vector<std::string>> enum_values;
  std::vector<std::vector<std::string>> set_values;
  std::vector<uint32_t> geometry_types;
  // Primary key column indexes in key order, and for each the prefix length
  // in characters (0: the whole column).
  std::vector<uint32_t> primary_key;
  std::vector<uint32_t> primary_key_prefixes;
  std::vector<bool> visible;
  std::vector<uint32_t> vector_dimensions;

  size_t column_count() const { return types.size(); }
  bool has_names() const { return !column_names.empty(); }

  // The type that decides decoding. MYSQL_TYPE_STRING columns carry ENUM, SET
  // or a real STRING in their metadata's high byte; every other type is
  // returned as is.
  ColumnType RealType(size_t column) const;

  // For messages: "`db`.`t` column 3 `name`" (without the name when unknown).
  std::string ColumnLabel(size_t column) const;
};

// Parses a TABLE_MAP body: the event bytes after the 19-byte common header,
// without the checksum. `post_header_len` comes from the format description:
// 6 means the old 4-byte table id, 8 (standard) a 6-byte table id; both are
// followed by 2 bytes of flags, and any longer post-header is skipped.
//
// Metadata bytes that do not add up to the declared block, unknown column
// types, and optional metadata that does not fit its columns are protocol
// errors. Unknown optional metadata types are skipped by their length.
//
// `flavor` settles which columns DEFAULT_CHARSET / COLUMN_CHARSET describe
// (see ServerFlavor); pass it when the FORMAT_DESCRIPTION's server version is
// known. It only matters for tables with GEOMETRY columns. With kUnknown it is
// inferred, in this order: COLUMN_VISIBILITY, VECTOR_DIMENSIONALITY or a
// VECTOR column mean MySQL; COLUMN_CHARSET must list exactly one id per
// character column, which fits only one of the two counts; a DEFAULT_CHARSET
// exception index beyond MySQL's count means MariaDB, and so does a non-binary
// default with every GEOMETRY column listed as binary (63) at its MariaDB
// index, since MariaDB always lists them then; otherwise MySQL. The one
// ambiguous case, a MySQL table whose binary column has the index a GEOMETRY
// column would have on MariaDB, is read the MariaDB way.
absl::StatusOr<TableMap> ParseTableMap(
    absl::string_view body, uint8_t post_header_len,
    ServerFlavor flavor = ServerFlavor::kUnknown);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_TABLE_MAP_H_
