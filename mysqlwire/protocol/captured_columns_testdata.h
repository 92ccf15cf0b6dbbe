// Column definitions captured from MariaDB 10.11 for the row codec tests:
// one table with a column of every type, read through both protocols.
#ifndef MYSQLWIRE_PROTOCOL_CAPTURED_COLUMNS_TESTDATA_H_
#define MYSQLWIRE_PROTOCOL_CAPTURED_COLUMNS_TESTDATA_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mysqlwire/protocol/column_definition.h"

namespace mysqlwire::testdata {

using std::string_literals::operator""s;

inline constexpr uint16_t kUtf8mb4 = 45;
constexpr uint16_t kBinary = 63;
constexpr uint8_t kNotFixed = 31;

ColumnDefinition Col(std::string name, ColumnType type, uint16_t flags = 0,
                     uint16_t charset = kBinary, uint8_t decimals = 0,
                     uint32_t length = 0) {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = std::move(name);
  c.type = type;
  c.flags = flags;
  c.character_set = charset;
  c.decimals = decimals;
  c.column_length = length;
  return c;
}

// The columns of MariaDB 10.11's `SELECT * FROM test.t` for
//   CREATE TABLE t (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED,
//     bi BIGINT, bu BIGINT UNSIGNED, m MEDIUMINT, y YEAR, f FLOAT, d DOUBLE,
//     dec1 DECIMAL(65,30), dt DATE, dtt DATETIME(6), ts TIMESTAMP(3) NULL,
//     tm TIME(6), b1 BIT(1), b64 BIT(64), vc VARCHAR(20), vb VARBINARY(20),
//     tx TEXT, bl BLOB, e ENUM('a','b'), s SET('x','y'), j JSON,
//     g GEOMETRY)
// as the server described them (flags, collations and decimals copied from
// the captured column definitions).
inline std::vector<ColumnDefinition> CapturedColumns() {
  return {
      Col("id", ColumnType::kLong, 0x5003, kBinary, 0, 11),
      Col("ti", ColumnType::kTiny, 0, kBinary, 0, 4),
      Col("tu", ColumnType::kTiny, 0x20, kBinary, 0, 3),
      Col("bi", ColumnType::kLongLong, 0, kBinary, 0, 20),
      Col("bu", ColumnType::kLongLong, 0x20, kBinary, 0, 20),
      Col("m", ColumnType::kInt24, 0, kBinary, 0, 9),
      Col("y", ColumnType::kYear, 0x60, kBinary, 0, 4),
      Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed, 12),
      Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed, 22),
      Col("dec1", ColumnType::kNewDecimal, 0, kBinary, 30, 67),
      Col("dt", ColumnType::kDate, 0x80, kBinary, 0, 10),
      Col("dtt", ColumnType::kDateTime, 0x80, kBinary, 6, 26),
      Col("ts", ColumnType::kTimestamp, 0xa0, kBinary, 3, 23),
      Col("tm", ColumnType::kTime, 0x80, kBinary, 6, 17),
      Col("b1", ColumnType::kBit, 0x20, kBinary, 0, 1),
      Col("b64", ColumnType::kBit, 0x20, kBinary, 0, 64),
      Col("vc", ColumnType::kVarString, 0, kUtf8mb4, 0, 80),
      Col("vb", ColumnType::kVarString, 0x80, kBinary, 0, 20),
      Col("tx", ColumnType::kBlob, 0x10, kUtf8mb4, 0, 0x3fffc),
      Col("bl", ColumnType::kBlob, 0x90, kBinary, 0, 0xffff),
      Col("e", ColumnType::kString, 0x100, kUtf8mb4, 0, 4),
      Col("s", ColumnType::kString, 0x800, kUtf8mb4, 0, 12),
      Col("j", ColumnType::kBlob, 0x90, kUtf8mb4, 0, 0xffffffff),
      Col("g", ColumnType::kGeometry, 0x90, kBinary, 0, 0xffffffff),
  };
}

inline const std::string kDecimal65_30 =
    "-99999999999999999999999999999999999.999999999999999999999999999999";
// POINT(1,2) as MariaDB stores it: SRID 0, then WKB.
inline const std::string kPointWkb =
    "\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f\x00"
    "\x00\x00\x00\x00\x00\x00\x40"s;

}  // namespace mysqlwire::testdata

#endif  // MYSQLWIRE_PROTOCOL_CAPTURED_COLUMNS_TESTDATA_H_
