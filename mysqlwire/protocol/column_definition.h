// Result set metadata: the column count packet that opens a result set and
// the Protocol::ColumnDefinition41 packet sent once per column (and once per
// parameter after COM_STMT_PREPARE).
#ifndef MYSQLWIRE_PROTOCOL_COLUMN_DEFINITION_H_
#define MYSQLWIRE_PROTOCOL_COLUMN_DEFINITION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

struct ColumnDefinition {
  std::string catalog;  // Always "def".
  std::string schema;
  std::string table;           // Alias of the table, if any.
  std::string org_table;       // Physical table name.
  std::string name;            // Alias of the column, if any.
  std::string org_name;        // Physical column name.
  uint16_t character_set = 0;  // Collation id; 63 means binary.
  uint32_t column_length = 0;  // Maximum display length (bits for BIT).
  ColumnType type = ColumnType::kNull;
  uint16_t flags = 0;  // kNotNullFlag, kUnsignedFlag, ... (column_type.h).
  // Fraction digits. 31 and up mean "not fixed": FLOAT/DOUBLE without a
  // scale (31) and, in MariaDB, expressions of unknown precision (39).
  uint8_t decimals = 0;

  bool is_unsigned() const { return (flags & kUnsignedFlag) != 0; }
  // The binary character set, not the BINARY flag: MariaDB sets the BINARY
  // flag on JSON columns whose character set is utf8mb4.
  bool is_binary() const { return character_set == kBinaryCollation; }
  bool is_not_null() const { return (flags & kNotNullFlag) != 0; }

  friend bool operator==(const ColumnDefinition&,
                         const ColumnDefinition&) = default;
};

// Parses a Protocol::ColumnDefinition41 payload. The fixed-length block must
// announce exactly 0x0c bytes (MariaDB's extended metadata would change the
// layout, and we never negotiate MARIADB_CLIENT_EXTENDED_METADATA). The only
// bytes tolerated after the block are one lenenc default value, which
// COM_FIELD_LIST responses carry; it is validated and dropped. Unknown type
// codes are protocol errors.
absl::StatusOr<ColumnDefinition> ParseColumnDefinition(
    absl::string_view payload);

// Encodes `column` as a Protocol::ColumnDefinition41 payload (no default
// value), as a server sends it for a result set column.
std::string SerializeColumnDefinition(const ColumnDefinition& column);

// Parses the first packet of a result set: the number of columns, as one
// lenenc integer filling the whole payload. Zero is rejected (a payload
// starting with 0x00 is an OK packet and must be dispatched before this), as
// is the metadata-follows byte that only CLIENT_OPTIONAL_RESULTSET_METADATA
// would add. The count is not bounded here: do not preallocate by it.
absl::StatusOr<uint64_t> ParseColumnCount(absl::string_view payload);

// The column count packet under MariaDB's MARIADB_CLIENT_CACHE_METADATA:
//   int<lenenc> column count | int<1> metadata follows (0 or 1)
// With 0 the column definitions are skipped and the client reuses the ones
// it last received for that prepared statement.
struct ColumnCountWithFlag {
  uint64_t count = 0;
  bool metadata_follows = true;
};
absl::StatusOr<ColumnCountWithFlag> ParseColumnCountWithMetadataFlag(absl::string_view payload);

// Encodes the column count packet.
std::string SerializeColumnCount(uint64_t count);

// True for the type codes defined in ColumnType. The type is a plain byte on
// the wire: anything else must be refused before it is cast, or later
// switches would see a value no case handles.
bool IsKnownColumnType(uint8_t code);

// The kind of Value that non-NULL cells of `column` decode to, in both the
// text and the binary protocol:
//   TINYINT..BIGINT, MEDIUMINT, YEAR  kInt64, or kUint64 with kUnsignedFlag
//   BIT                               kUint64 (big-endian bytes as a number)
//   FLOAT / DOUBLE                    kFloat / kDouble
//   DECIMAL, NEWDECIMAL               kDecimal
//   DATE                              kDate
//   DATETIME, TIMESTAMP               kDateTime
//   TIME                              kTime
//   JSON                              kString (always utf8mb4 text)
//   GEOMETRY, VECTOR                  kBytes
//   CHAR/VARCHAR/TEXT/BLOB/ENUM/SET   kBytes if the character set is binary
//                                     (63), else kString. MySQL sends TEXT as
//                                     type BLOB and ENUM/SET as type STRING,
//                                     so the type code alone cannot decide.
//   NULL                              kNull (every cell must be NULL)
// nullopt for type codes that never carry result values (TYPED_ARRAY).
std::optional<Value::Kind> ValueKindOf(const ColumnDefinition& column);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_COLUMN_DEFINITION_H_
