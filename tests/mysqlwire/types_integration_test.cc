// Every column type, at its extremes and as NULL, read back through the text
// protocol (COM_QUERY) and the binary protocol (COM_STMT_EXECUTE), and written
// through binary parameters: all three must agree with the expected values.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "boost/asio/io_context.hpp"
#include "gtest/gtest.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "testing/sandbox.h"
#include "tests/support/run_sync.h"

namespace mysqlwire {
namespace {

namespace asio = boost::asio;
using mysqlgw::testing::RunSync;

struct Column {
  const char* name;
  const char* sql_type;
  const char* literal;  // SQL for the extreme value.
  Value expected;
};

std::vector<Column> Columns() {
  const std::string point_wkb = absl::HexStringToBytes(
      "00000000"                   // SRID 0
      "0101000000"                 // little-endian WKB, type 1 (POINT)
      "000000000000f03f"           // x = 1.0
      "000000000000f0bf");         // y = -1.0
  return {
      {"tiny_s", "TINYINT", "-128", Value::Int64(-128)},
      {"tiny_u", "TINYINT UNSIGNED", "255", Value::Uint64(255)},
      {"small_s", "SMALLINT", "-32768", Value::Int64(-32768)},
      {"small_u", "SMALLINT UNSIGNED", "65535", Value::Uint64(65535)},
      {"medium_s", "MEDIUMINT", "-8388608", Value::Int64(-8388608)},
      {"medium_u", "MEDIUMINT UNSIGNED", "16777215", Value::Uint64(16777215)},
      {"int_s", "INT", "-2147483648", Value::Int64(-2147483648LL)},
      {"int_u", "INT UNSIGNED", "4294967295", Value::Uint64(4294967295ULL)},
      {"big_s", "BIGINT", "-9223372036854775808",
       Value::Int64(std::numeric_limits<int64_t>::min())},
      {"big_u", "BIGINT UNSIGNED", "18446744073709551615",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {"float_c", "FLOAT", "-1.5", Value::Float(-1.5f)},
      {"double_c", "DOUBLE", "-2.2250738585072014e-308",
       Value::Double(-2.2250738585072014e-308)},
      {"dec_c", "DECIMAL(65,30)",
       "-12345678901234567890123456789012345.123456789012345678901234567890",
       Value::DecimalText(
           "-12345678901234567890123456789012345.123456789012345678901234567890")},
      {"date_c", "DATE", "'0000-00-00'", Value::Of(Date{0, 0, 0})},
      {"date2_c", "DATE", "'2024-02-29'", Value::Of(Date{2024, 2, 29})},
      {"dt_c", "DATETIME(6)", "'9999-12-31 23:59:59.999999'",
       Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999})},
      {"dtz_c", "DATETIME", "'0000-00-00 00:00:00'", Value::Of(DateTime{})},
      {"ts_c", "TIMESTAMP(6) NULL", "'2038-01-19 03:14:07.000001'",
       Value::Of(DateTime{2038, 1, 19, 3, 14, 7, 1})},
      {"time_c", "TIME(6)", "'-838:59:59.000000'",
       Value::Of(Time{true, 838, 59, 59, 0})},
      {"time2_c", "TIME(3)", "'100:00:00.5'", Value::Of(Time{false, 100, 0, 0, 500000})},
      {"year_c", "YEAR", "2155", Value::Uint64(2155)},
      {"bit1_c", "BIT(1)", "b'1'", Value::Uint64(1)},
      {"bit64_c", "BIT(64)", "b'1111111111111111111111111111111111111111111111111111111111111111'",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {"char_c", "CHAR(3)", "'abc'", Value::String("abc")},
      {"vc_c", "VARCHAR(20)", "'h\xc3\xa9llo \xf0\x9f\x98\x80'",
       Value::String("h\xc3\xa9llo \xf0\x9f\x98\x80")},
      {"text_c", "TEXT", "CONCAT('a', CHAR(0), 'b')", Value::String(std::string("a\0b", 3))},
      {"empty_c", "VARCHAR(5)", "''", Value::String("")},
      {"bin_c", "BINARY(3)", "x'00ff01'", Value::BytesOf(std::string("\x00\xff\x01", 3))},
      {"vbin_c", "VARBINARY(10)", "x''", Value::BytesOf("")},
      {"blob_c", "BLOB", "x'deadbeef'", Value::BytesOf("\xde\xad\xbe\xef")},
      {"enum_c", "ENUM('a','b')", "'b'", Value::String("b")},
      {"set_c", "SET('x','y','z')", "'x,z'", Value::String("x,z")},
      {"json_c", "JSON", "'{\"a\": [1, 2.5, null]}'", Value::String("{\"a\": [1, 2.5, null]}")},
      {"geo_c", "POINT", "ST_GeomFromText('POINT(1 -1)')", Value::BytesOf(point_wkb)},
  };
}

class TypesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = mysqlgw::testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    ConnectOptions o;
    o.host = (*server)->host;
    o.port = (*server)->port;
    o.user = (*server)->user;
    o.password = (*server)->password;
    o.database = (*server)->database;
    o.ssl_mode = SslMode::kDisable;
    conn_ = std::make_unique<Connection>(io_.get_executor());
    ASSERT_TRUE(RunSync(io_, conn_->Connect(o)).ok());
    // Zero dates need a permissive mode; times are compared in UTC.
    Exec("SET SESSION sql_mode = '', time_zone = '+00:00'");
    Exec("DROP TABLE IF EXISTS all_types");
    std::string ddl = "CREATE TABLE all_types (id INT PRIMARY KEY";
    for (const Column& c : Columns()) {
      ddl += std::string(", ") + c.name + " " + c.sql_type;
    }
    Exec(ddl + ") DEFAULT CHARSET = utf8mb4");
  }

  void Exec(const std::string& sql) {
    auto r = RunSync(io_, conn_->Query(sql));
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status();
  }

  std::string SelectList() {
    std::string list;
    for (const Column& c : Columns()) list += std::string(list.empty() ? "" : ", ") + c.name;
    return list;
  }

  void ExpectRow(const std::vector<Value>& row, bool all_null, const char* how) {
    const std::vector<Column> columns = Columns();
    ASSERT_EQ(row.size(), columns.size()) << how;
    for (size_t i = 0; i < columns.size(); ++i) {
      const Value& want = all_null ? Value::Null() : columns[i].expected;
      EXPECT_EQ(row[i], want) << how << " column " << columns[i].name << ": got "
                              << row[i].DebugString() << ", want "
                              << want.DebugString();
    }
  }

  void CheckBothProtocols(int id, bool all_null) {
    std::string sql = "SELECT " + SelectList() + " FROM all_types WHERE id = " +
                      std::to_string(id);
    auto text = RunSync(io_, conn_->Query(sql));
    ASSERT_TRUE(text.ok()) << text.status();
    ASSERT_EQ((*text)[0].rows.size(), 1u);
    ExpectRow((*text)[0].rows[0], all_null, "text protocol");

    auto st = RunSync(io_, conn_->Prepare("SELECT " + SelectList() +
                                          " FROM all_types WHERE id = ?"));
    ASSERT_TRUE(st.ok()) << st.status();
    auto bin = RunSync(io_, conn_->Execute(*st, {Value::Int64(id)}));
    ASSERT_TRUE(bin.ok()) << bin.status();
    ASSERT_EQ((*bin)[0].rows.size(), 1u);
    ExpectRow((*bin)[0].rows[0], all_null, "binary protocol");
    ASSERT_TRUE(RunSync(io_, conn_->CloseStatement(*st)).ok());
  }

  asio::io_context io_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(TypesTest, ExtremesThroughTextAndBinaryProtocols) {
  std::string insert = "INSERT INTO all_types VALUES (1";
  for (const Column& c : Columns()) insert += std::string(", ") + c.literal;
  Exec(insert + ")");
  CheckBothProtocols(1, /*all_null=*/false);
}

TEST_F(TypesTest, NullsThroughTextAndBinaryProtocols) {
  std::string insert = "INSERT INTO all_types VALUES (2";
  for (size_t i = 0; i < Columns().size(); ++i) insert += ", NULL";
  Exec(insert + ")");
  CheckBothProtocols(2, /*all_null=*/true);
}

TEST_F(TypesTest, BinaryParametersRoundTrip) {
  // Every value written as a typed parameter (geometry excepted: a
  // parameter cannot carry the internal SRID+WKB form) reads back equal.
  std::vector<Column> columns = Columns();
  std::string insert = "INSERT INTO all_types (id";
  std::string marks = "?";
  std::vector<Value> params = {Value::Int64(3)};
  for (const Column& c : columns) {
    if (std::string(c.name) == "geo_c") continue;
    insert += std::string(", ") + c.name;
    marks += ", ?";
    params.push_back(c.expected);
  }
  auto st = RunSync(io_, conn_->Prepare(insert + ") VALUES (" + marks + ")"));
  ASSERT_TRUE(st.ok()) << st.status();
  auto r = RunSync(io_, conn_->Execute(*st, params));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)[0].ok.warnings, 0);
  Exec("UPDATE all_types SET geo_c = ST_GeomFromText('POINT(1 -1)') WHERE id = 3");
  CheckBothProtocols(3, /*all_null=*/false);
}

TEST_F(TypesTest, ColumnMetadata) {
  auto r = RunSync(io_, conn_->Query("SELECT big_u AS alias, dec_c, dt_c, bin_c, vc_c "
                                     "FROM all_types t LIMIT 0"));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& cols = (*r)[0].columns;
  ASSERT_EQ(cols.size(), 5u);
  EXPECT_EQ(cols[0].name, "alias");
  EXPECT_EQ(cols[0].org_name, "big_u");
  EXPECT_EQ(cols[0].table, "t");
  EXPECT_EQ(cols[0].org_table, "all_types");
  EXPECT_EQ(cols[0].schema, "mysqlgw_test");
  EXPECT_EQ(cols[0].type, ColumnType::kLongLong);
  EXPECT_TRUE(cols[0].is_unsigned());
  EXPECT_EQ(cols[1].type, ColumnType::kNewDecimal);
  EXPECT_EQ(cols[1].decimals, 30);
  EXPECT_EQ(cols[2].type, ColumnType::kDateTime);
  EXPECT_EQ(cols[2].decimals, 6);
  EXPECT_TRUE(cols[3].is_binary());
  EXPECT_FALSE(cols[4].is_binary());
  EXPECT_EQ(cols[4].character_set, 45);  // utf8mb4_general_ci, as negotiated.
  EXPECT_EQ(cols[4].column_length, 80u);  // 20 characters x 4 bytes.
}

}  // namespace
}  // namespace mysqlwire
