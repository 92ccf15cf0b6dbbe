#include "mysqlwire/binlog/table_map.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {
namespace {

using ::mysqlwire::ColumnType;
using Strings = std::vector<std::string>;

// TABLE_MAP bodies (after the common header, without the checksum) from the
// recorded binlogs in @shared_fixtures//:binlog and from a MariaDB 10.11 with
// binlog_row_metadata=FULL.

// MariaDB 10.5, mariadb-bin.000001: toddy_test.outbox (id INT PK,
// topic VARCHAR(255) utf8mb4, event_type ENUM('BLOB','JSON','PROTOBUF'),
// event BLOB, created TIMESTAMP).
const char kMariaOutbox[] =
    "26000000000001000a746f6464795f7465737400066f7574626f780005030ffefc1106fc"
    "03f70102000401010003022d3f042202696405746f7069630a6576656e745f7479706505"
    "6576656e7407637265617465640a012d06140304424c4f42044a534f4e0850524f544f42"
    "5546080100";

// MySQL 8.0.26, binlog-invisible-columns.000001: mysql.t1 (f1 INT UNSIGNED
// INVISIBLE, f2 INT UNSIGNED INVISIBLE, f3 INT, f4 TEXT, f5 BLOB,
// f6 BIGINT UNSIGNED INVISIBLE).
const char kMySqlInvisible[] =
    "7c00000000000100056d7973716c000274310006030303fcfc080202023f0101d00304fc"
    "ff003f04120266310266320266330266340266350266360c0138";

// MySQL 8.0.28, mysql-enum-string-set.000001: mysql.t (f1 CHAR(128),
// f2 VARCHAR(300), f3 ENUM('var1','variant2','foo'),
// f4 SET('one','two','three','four'), f5 TEXT), utf8mb4_0900_ai_ci.
const char kMySqlEnumSet[] =
    "7c00000000000100056d7973716c0001740005fe0ffefefc09de00b004f701f801021f02"
    "03fcff00040f0266310266320266330266340266350a03fcff00051404036f6e65037477"
    "6f05746872656504666f757206130304766172310876617269616e743203666f6f0c01f8";

// MySQL 9.0.1, vector.binlog: dtb.bar (id SERIAL, vector_column VECTOR(2),
// foo TEXT, vector_column2 VECTOR(4)).
const char kMySqlVector[] =
    "5700000000000100036474620003626172000408f2fcf2030402040401018002053f01fc"
    "ff000d02020404240269640d766563746f725f636f6c756d6e03666f6f0e766563746f72"
    "5f636f6c756d6e320801000c01f0";

// MySQL 8.0.40 binlog_row_metadata=MINIMAL, minimal_row_metadata.000001:
// noria.t1, five columns, no names.
const char kMySqlMinimal[] =
    "6f00000000000100056e6f72696100027431000503fcfe03030302fe081e01012003043f"
    "fcff00";

// MySQL 8.0.22, json.binlog.000001: mysql.t (id INT, json_col JSON,
// name VARCHAR(100) utf8mb4, age INT).
const char kMySqlJson[] =
    "7700000000000100056d7973716c000174000403f50f03030490010e0101000203fcff00";

// MySQL 5.1.37, write-partial-row.binlog: mysql.ndb_apply_status, no
// optional metadata.
const char kMySql51[] =
    "2800000000000000056d7973716c00106e64625f6170706c795f73746174757300050308"
    "0f080802ff0000";

// MariaDB 10.11: t.ints (TINYINT, TINYINT UNSIGNED, SMALLINT, SMALLINT
// UNSIGNED, MEDIUMINT, MEDIUMINT UNSIGNED, INT, INT UNSIGNED, BIGINT, BIGINT
// UNSIGNED, FLOAT, DOUBLE, YEAR, BIT(1), BIT(5), BIT(12), BIT(64)).
const char kMariaInts[] =
    "120000000000010001740004696e747300110101020209090303080804050d1010101"
    "00a04080100050004010008ffff01010255480431027469027475027369027375026d69"
    "026d7501690269750262690262750166016401790262310262350362313203623634";

// MariaDB 10.11: t.pk (a INT, b VARCHAR(20) latin1, c INT,
// PRIMARY KEY (b(4), a)).
const char kMariaPk[] =
    "190000000000010001740002706b0003030f03021400040101000201080406016101620"
    "163090401040000";

// MariaDB 10.11: t.geo1 (a VARCHAR(5) utf8mb4, g GEOMETRY, b, c VARCHAR(5)
// utf8mb4, d VARBINARY(5), p POINT): MariaDB lists GEOMETRY columns among the
// character columns.
const char kMariaGeo1[] =
    "1b000000000001000174000467656f3100060fff0f0f0fff0a14000414001400050004"
    "3f03062d3f2d2d3f3f07020001040c016101670162016301640170";

// MariaDB 10.11: t.geo2 (a VARCHAR(5) latin1, g GEOMETRY, b VARCHAR(5)
// utf8mb4, e ENUM('x','y') latin1, s SET('p','q') utf8mb4).
const char kMariaGeo2[] =
    "1c000000000001000174000467656f3200050fff0ffefe090500041400f701f8011f0303"
    "083f2d070100040a016101670162016501730b02082d0505020170017106050201780179";

const char* const kAllBodies[] = {
    kMariaOutbox, kMySqlInvisible, kMySqlEnumSet, kMySqlVector, kMySqlMinimal,
    kMySqlJson,   kMySql51,        kMariaInts,    kMariaPk,     kMariaGeo1,
    kMariaGeo2,
};

TableMap Parse(const char* hex, ServerFlavor flavor = ServerFlavor::kUnknown) {
  absl::StatusOr<TableMap> map =
      ParseTableMap(absl::HexStringToBytes(hex), 8, flavor);
  EXPECT_TRUE(map.ok()) << map.status();
  return map.ok() ? *std::move(map) : TableMap{};
}

TEST(TableMapTest, MariaDbFullMetadata) {
  const TableMap m = Parse(kMariaOutbox);
  EXPECT_EQ(m.table_id, 0x26u);
  EXPECT_EQ(m.flags, 1);
  EXPECT_EQ(m.schema, "toddy_test");
  EXPECT_EQ(m.table, "outbox");
  EXPECT_EQ(m.types, (std::vector<ColumnType>{
                         ColumnType::kLong, ColumnType::kVarChar,
                         ColumnType::kString, ColumnType::kBlob,
                         ColumnType::kTimestamp2}));
  EXPECT_EQ(m.metadata, (std::vector<uint16_t>{0, 1020, 0xf701, 2, 0}));
  EXPECT_EQ(m.nullable, (std::vector<bool>{false, false, true, false, false}));
  EXPECT_EQ(m.RealType(2), ColumnType::kEnum);
  EXPECT_EQ(m.RealType(3), ColumnType::kBlob);
  ASSERT_TRUE(m.has_names());
  EXPECT_EQ(m.column_names,
            (Strings{"id", "topic", "event_type", "event", "created"}));
  EXPECT_EQ(m.is_unsigned, (std::vector<bool>(5, false)));
  // COLUMN_CHARSET for topic and event, ENUM_AND_SET_DEFAULT_CHARSET for
  // event_type.
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 45, 45, 63, 0}));
  EXPECT_EQ(m.enum_values[2], (Strings{"BLOB", "JSON", "PROTOBUF"}));
  EXPECT_TRUE(m.enum_values[0].empty());
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{0}));
  EXPECT_EQ(m.primary_key_prefixes, (std::vector<uint32_t>{0}));
  EXPECT_EQ(m.visible, (std::vector<bool>(5, true)));
  EXPECT_EQ(m.ColumnLabel(3), "`toddy_test`.`outbox` column 3 `event`");
}

TEST(TableMapTest, MySqlInvisibleColumns) {
  const TableMap m = Parse(kMySqlInvisible);
  EXPECT_EQ(m.column_names, (Strings{"f1", "f2", "f3", "f4", "f5", "f6"}));
  EXPECT_EQ(m.visible,
            (std::vector<bool>{false, false, true, true, true, false}));
  EXPECT_EQ(m.is_unsigned,
            (std::vector<bool>{true, true, false, false, false, true}));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 0, 0, 255, 63, 0}));
  EXPECT_TRUE(m.primary_key.empty());
}

TEST(TableMapTest, MySqlEnumSetAndLongChar) {
  const TableMap m = Parse(kMySqlEnumSet);
  EXPECT_EQ(m.RealType(0), ColumnType::kString);  // CHAR(128): 512 bytes
  EXPECT_EQ(m.metadata[0], 0xde00);
  EXPECT_EQ(m.RealType(2), ColumnType::kEnum);
  EXPECT_EQ(m.RealType(3), ColumnType::kSet);
  EXPECT_EQ(m.enum_values[2], (Strings{"var1", "variant2", "foo"}));
  EXPECT_EQ(m.set_values[3], (Strings{"one", "two", "three", "four"}));
  EXPECT_TRUE(m.set_values[2].empty());
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{255, 255, 255, 255, 255}));
  EXPECT_EQ(m.visible, (std::vector<bool>(5, true)));
}

TEST(TableMapTest, MySqlVector) {
  const TableMap m = Parse(kMySqlVector);
  EXPECT_EQ(m.types[1], ColumnType::kVector);
  EXPECT_EQ(m.metadata, (std::vector<uint16_t>{0, 4, 2, 4}));
  EXPECT_EQ(m.vector_dimensions, (std::vector<uint32_t>{0, 2, 0, 4}));
  EXPECT_EQ(m.is_unsigned, (std::vector<bool>{true, false, false, false}));
  // MySQL counts VECTOR columns as (binary) character columns: the default
  // is binary and `foo` (the second of three) is the exception.
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 63, 255, 63}));
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{0}));
  EXPECT_EQ(m.column_names,
            (Strings{"id", "vector_column", "foo", "vector_column2"}));
}

TEST(TableMapTest, MySqlMinimalMetadata) {
  const TableMap m = Parse(kMySqlMinimal);
  EXPECT_FALSE(m.has_names());
  EXPECT_EQ(m.is_unsigned,
            (std::vector<bool>{false, false, false, false, true}));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 63, 255, 0, 0}));
  EXPECT_EQ(m.nullable,
            (std::vector<bool>{false, true, true, true, true}));
}

TEST(TableMapTest, JsonIsNotACharacterColumn) {
  const TableMap m = Parse(kMySqlJson);
  EXPECT_EQ(m.types[1], ColumnType::kJson);
  EXPECT_EQ(m.metadata, (std::vector<uint16_t>{0, 4, 400, 0}));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 0, 255, 0}));
}

TEST(TableMapTest, NoOptionalMetadata) {
  const TableMap m = Parse(kMySql51);
  EXPECT_EQ(m.table_id, 0x28u);
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.schema, "mysql");
  EXPECT_EQ(m.table, "ndb_apply_status");
  EXPECT_EQ(m.metadata, (std::vector<uint16_t>{0, 0, 255, 0, 0}));
  EXPECT_EQ(m.nullable, (std::vector<bool>(5, false)));
  EXPECT_FALSE(m.has_names());
  EXPECT_EQ(m.is_unsigned, (std::vector<bool>(5, false)));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>(5, 0)));
  EXPECT_EQ(m.visible, (std::vector<bool>(5, true)));
  EXPECT_EQ(m.enum_values.size(), 5u);
  EXPECT_EQ(m.ColumnLabel(2), "`mysql`.`ndb_apply_status` column 2");
}

TEST(TableMapTest, MariaDbSignednessSkipsYearAndBit) {
  const TableMap m = Parse(kMariaInts);
  // Twelve numeric columns; YEAR and BIT are not numeric here.
  EXPECT_EQ(m.is_unsigned,
            (std::vector<bool>{false, true, false, true, false, true, false,
                               true, false, true, false, false, false, false,
                               false, false, false}));
  EXPECT_EQ(m.metadata[10], 4);        // FLOAT
  EXPECT_EQ(m.metadata[11], 8);        // DOUBLE
  EXPECT_EQ(m.metadata[13], 0x0001);   // BIT(1)
  EXPECT_EQ(m.metadata[15], 0x0104);   // BIT(12)
  EXPECT_EQ(m.metadata[16], 0x0800);   // BIT(64)
}

TEST(TableMapTest, PrimaryKeyWithPrefix) {
  const TableMap m = Parse(kMariaPk);
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(m.primary_key_prefixes, (std::vector<uint32_t>{4, 0}));
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{0, 8, 0}));
  EXPECT_EQ(m.nullable, (std::vector<bool>{false, false, true}));
}

TEST(TableMapTest, MariaDbGeometryAmongCharacterColumns) {
  for (ServerFlavor flavor : {ServerFlavor::kUnknown, ServerFlavor::kMariaDb}) {
    const TableMap m = Parse(kMariaGeo1, flavor);
    EXPECT_EQ(m.charsets, (std::vector<uint32_t>{45, 63, 45, 45, 63, 63}));
    EXPECT_EQ(m.geometry_types, (std::vector<uint32_t>{0, 0, 0, 0, 0, 1}));
  }
  // Told it is MySQL, the six ids do not fit its four character columns.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(absl::HexStringToBytes(kMariaGeo1), 8, ServerFlavor::kMySql)
          .status()));
}

TEST(TableMapTest, EnumAndSetColumnCharsets) {
  const TableMap m = Parse(kMariaGeo2);
  EXPECT_EQ(m.charsets, (std::vector<uint32_t>{8, 63, 45, 8, 45}));
  EXPECT_EQ(m.enum_values[3], (Strings{"x", "y"}));
  EXPECT_EQ(m.set_values[4], (Strings{"p", "q"}));
  EXPECT_EQ(m.column_names, (Strings{"a", "g", "b", "e", "s"}));
}

// A hand-made MySQL-style map: (a VARCHAR utf8mb4, g GEOMETRY, b VARBINARY)
// with DEFAULT_CHARSET 45 and one exception. The exception's index means b
// under MySQL's rule and g under MariaDB's.
std::string GeometryDefaultCharset(absl::string_view exceptions,
                                   absl::string_view extra = "") {
  std::string body = absl::HexStringToBytes(
      "0100000000000100"    // table id 1, flags 1
      "0164000174000"       // "d", "t"
      "3"                   // 3 columns
      "0fff0f"              // VARCHAR, GEOMETRY, VARCHAR
      "05140004050007");    // metadata 5 bytes: 20, 4, 5; nullable 0x07
  std::string field = absl::StrCat("\x2d", exceptions);
  body += "\x02";
  body += static_cast<char>(field.size());
  body += field;
  absl::StrAppend(&body, extra);
  return body;
}

TEST(TableMapTest, DefaultCharsetGeometryRule) {
  using std::string_literals::operator""s;
  // Index 1 -> 63: MySQL reads it as b (binary), MariaDB as g.
  const std::string body = GeometryDefaultCharset("\x01\x3f"s);
  absl::StatusOr<TableMap> mysql = ParseTableMap(body, 8, ServerFlavor::kMySql);
  ASSERT_TRUE(mysql.ok()) << mysql.status();
  EXPECT_EQ(mysql->charsets, (std::vector<uint32_t>{45, 0, 63}));
  absl::StatusOr<TableMap> maria =
      ParseTableMap(body, 8, ServerFlavor::kMariaDb);
  ASSERT_TRUE(maria.ok()) << maria.status();
  EXPECT_EQ(maria->charsets, (std::vector<uint32_t>{45, 63, 45}));
  // Unknown: MariaDB would have to list g as binary, which index 1 does.
  absl::StatusOr<TableMap> guess = ParseTableMap(body, 8);
  ASSERT_TRUE(guess.ok());
  EXPECT_EQ(guess->charsets, maria->charsets);
  // ... unless a MySQL-only field (COLUMN_VISIBILITY) says otherwise.
  absl::StatusOr<TableMap> visible =
      ParseTableMap(GeometryDefaultCharset("\x01\x3f"s, "\x0c\x01\xe0"s), 8);
  ASSERT_TRUE(visible.ok()) << visible.status();
  EXPECT_EQ(visible->charsets, mysql->charsets);
  // Index 2 exists only among MariaDB's three character columns.
  absl::StatusOr<TableMap> two =
      ParseTableMap(GeometryDefaultCharset("\x02\x3f\x01\x3f"s), 8);
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->charsets, (std::vector<uint32_t>{45, 63, 63}));
  // No exception at all: MariaDB would have listed the binary GEOMETRY.
  absl::StatusOr<TableMap> none = ParseTableMap(GeometryDefaultCharset(""), 8);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->charsets, (std::vector<uint32_t>{45, 0, 45}));
  // Index 2 told MySQL is out of range.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(GeometryDefaultCharset("\x02\x3f"s), 8, ServerFlavor::kMySql)
          .status()));
}

TEST(TableMapTest, OldFourByteTableId) {
  // post_header_len 6: the table id is 4 bytes; drop two of the 6-byte id.
  std::string body = absl::HexStringToBytes(kMySqlJson);
  body.erase(4, 2);
  absl::StatusOr<TableMap> m = ParseTableMap(body, 6);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->table_id, 0x77u);
  EXPECT_EQ(m->flags, 1);
  EXPECT_EQ(m->table, "t");
}

TEST(TableMapTest, LongerPostHeaderIsSkipped) {
  std::string body = absl::HexStringToBytes(kMySqlJson);
  body.insert(8, "\xee\xee");
  absl::StatusOr<TableMap> m = ParseTableMap(body, 10);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->table, "t");
  EXPECT_TRUE(IsProtocolError(ParseTableMap(body, 7).status()));
  EXPECT_TRUE(IsProtocolError(ParseTableMap(body, 0).status()));
}

TEST(TableMapTest, UnknownOptionalFieldIsSkipped) {
  using std::string_literals::operator""s;
  const std::string body =
      absl::HexStringToBytes(kMySqlJson) + "\x63\x03\x01\x02\x03"s;
  absl::StatusOr<TableMap> m = ParseTableMap(body, 8);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->charsets, (std::vector<uint32_t>{0, 0, 255, 0}));
}

TEST(TableMapTest, EveryTruncationFailsCleanly) {
  for (const char* hex : kAllBodies) {
    const std::string body = absl::HexStringToBytes(hex);
    for (size_t len = 0; len < body.size(); ++len) {
      SCOPED_TRACE(absl::StrCat(hex, " cut at ", len));
      absl::StatusOr<TableMap> m = ParseTableMap(body.substr(0, len), 8);
      // A cut between two optional fields leaves a valid map without the
      // later fields; any other cut is an error.
      if (m.ok()) {
        EXPECT_EQ(m->column_count(), Parse(hex).column_count());
        continue;
      }
      EXPECT_TRUE(IsProtocolError(m.status())) << m.status();
    }
  }
}

TEST(TableMapTest, CutsInsideTheFixedPartAlwaysFail) {
  // The nullable bitmap ends the part every map has.
  const std::string body = absl::HexStringToBytes(kMySqlJson);
  const size_t fixed_end = body.find("\x01\x01\x00", 20);  // SIGNEDNESS
  ASSERT_NE(fixed_end, std::string::npos);
  for (size_t len = 0; len < fixed_end; ++len) {
    EXPECT_FALSE(ParseTableMap(body.substr(0, len), 8).ok()) << len;
  }
}

TEST(TableMapTest, TrailingBytesThatAreNotAFieldFail) {
  for (const char* hex : kAllBodies) {
    SCOPED_TRACE(hex);
    // A field type with no length, and a length beyond the end.
    EXPECT_TRUE(IsProtocolError(
        ParseTableMap(absl::HexStringToBytes(hex) + "\x63", 8).status()));
    EXPECT_TRUE(IsProtocolError(
        ParseTableMap(absl::HexStringToBytes(hex) + "\x63\x05\x00", 8)
            .status()));
  }
}

TEST(TableMapTest, RejectsInconsistentMetadata) {
  using std::string_literals::operator""s;
  const std::string json = absl::HexStringToBytes(kMySqlJson);
  // Unknown column type 0x20.
  std::string bad_type = json;
  bad_type[20] = '\x20';
  EXPECT_TRUE(IsProtocolError(ParseTableMap(bad_type, 8).status()));
  // Metadata block one byte short / long.
  std::string short_meta = json;
  short_meta[23] = '\x02';
  EXPECT_TRUE(IsProtocolError(ParseTableMap(short_meta, 8).status()));
  // Names not NUL-terminated.
  std::string no_nul = json;
  no_nul[14] = 'x';
  EXPECT_TRUE(IsProtocolError(ParseTableMap(no_nul, 8).status()));
  // Zero columns.
  const std::string empty = absl::HexStringToBytes("77000000000001000000000000000000");
  EXPECT_FALSE(ParseTableMap(empty, 8).ok());
  // SIGNEDNESS of two bytes for two numeric columns.
  const std::string base = json.substr(0, json.size() - 8);
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(base + "\x01\x02\x00\x00"s, 8).status()));
  // COLUMN_CHARSET with two ids for one character column.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(base + "\x03\x02\x21\x21"s, 8).status()));
  // DEFAULT_CHARSET exception for a column that does not exist.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(base + "\x02\x03\x21\x01\x3f"s, 8).status()));
  // COLUMN_NAME with three names for four columns.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(base + "\x04\x06\x01\x61\x01\x62\x01\x63"s, 8).status()));
  // Primary key column 4 of 4.
  EXPECT_TRUE(
      IsProtocolError(ParseTableMap(base + "\x08\x01\x04"s, 8).status()));
  // ENUM_STR_VALUE for a table without ENUM columns.
  EXPECT_TRUE(IsProtocolError(
      ParseTableMap(base + "\x06\x03\x01\x01\x61"s, 8).status()));
  // STRING metadata naming a real type that is not STRING/ENUM/SET.
  const std::string bad_real = absl::HexStringToBytes(
      "01000000000001000164000174000001fe02f50101");
  EXPECT_TRUE(IsProtocolError(ParseTableMap(bad_real, 8).status()));
}

}  // namespace
}  // namespace mysqlwire::binlog
