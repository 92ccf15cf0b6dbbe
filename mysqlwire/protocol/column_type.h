// Column type codes and flags as they appear on the wire (result set column
// definitions, binary protocol parameters and binlog TABLE_MAP events).
#ifndef MYSQLWIRE_PROTOCOL_COLUMN_TYPE_H_
#define MYSQLWIRE_PROTOCOL_COLUMN_TYPE_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mysqlwire {

enum class ColumnType : uint8_t {
  kDecimal = 0x00,
  kTiny = 0x01,
  kShort = 0x02,
  kLong = 0x03,
  kFloat = 0x04,
  kDouble = 0x05,
  kNull = 0x06,
  kTimestamp = 0x07,
  kLongLong = 0x08,
  kInt24 = 0x09,
  kDate = 0x0a,
  kTime = 0x0b,
  kDateTime = 0x0c,
  kYear = 0x0d,
  kNewDate = 0x0e,
  kVarChar = 0x0f,
  kBit = 0x10,
  kTimestamp2 = 0x11,
  kDateTime2 = 0x12,
  kTime2 = 0x13,
  kTypedArray = 0x14,
  kVector = 0xf2,
  kJson = 0xf5,
  kNewDecimal = 0xf6,
  kEnum = 0xf7,
  kSet = 0xf8,
  kTinyBlob = 0xf9,
  kMediumBlob = 0xfa,
  kLongBlob = 0xfb,
  kBlob = 0xfc,
  kVarString = 0xfd,
  kString = 0xfe,
  kGeometry = 0xff,
};

// Column definition flags.
inline constexpr uint16_t kNotNullFlag = 1;
inline constexpr uint16_t kPriKeyFlag = 2;
inline constexpr uint16_t kUniqueKeyFlag = 4;
inline constexpr uint16_t kMultipleKeyFlag = 8;
inline constexpr uint16_t kBlobFlag = 16;
inline constexpr uint16_t kUnsignedFlag = 32;
inline constexpr uint16_t kZerofillFlag = 64;
inline constexpr uint16_t kBinaryFlag = 128;
inline constexpr uint16_t kEnumFlag = 256;
inline constexpr uint16_t kAutoIncrementFlag = 512;
inline constexpr uint16_t kTimestampFlag = 1024;
inline constexpr uint16_t kSetFlag = 2048;

// The collation id of binary strings (BINARY, VARBINARY, BLOB, GEOMETRY).
inline constexpr uint16_t kBinaryCollation = 63;

// The SQL-ish name of a type code, for messages and metadata ("BIGINT").
absl::string_view ColumnTypeName(ColumnType type);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_COLUMN_TYPE_H_
