#include "clients/cpp/cli/json_text.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "clients/cpp/params.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

TEST(JsonStringTest, Escaping) {
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("plain text"), "\"plain text\"");
  EXPECT_EQ(JsonString("quote\" backslash\\ slash/"), "\"quote\\\" backslash\\\\ slash/\"");
  EXPECT_EQ(JsonString("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
  EXPECT_EQ(JsonString(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\\u007f\"");
  // Unicode passes through as UTF-8, including U+2028 and 4-byte forms.
  EXPECT_EQ(JsonString("héllo 日本 \xe2\x80\xa8 \xf0\x9f\x98\x80"),
            "\"héllo 日本 \xe2\x80\xa8 \xf0\x9f\x98\x80\"");
}

TEST(JsonStringTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(JsonString("a\xff"
                       "b"),
            "\"a\\ufffdb\"");
  EXPECT_EQ(JsonString("\xc3"), "\"\\ufffd\"");                                   // Truncated.
  EXPECT_EQ(JsonString("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                        // Overlong.
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");             // Surrogate.
  EXPECT_EQ(JsonString("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF.
}

TEST(JsonValueTest, EveryKind) {
  const v1::Column none;
  EXPECT_EQ(JsonValue(Param::Null(), none), "null");
  EXPECT_EQ(JsonValue(v1::Value(), none), "null");
  EXPECT_EQ(JsonValue(Param::Int(-42), none), "-42");
  EXPECT_EQ(JsonValue(Param::Int(9007199254740991), none), "9007199254740991");
  EXPECT_EQ(JsonValue(Param::Int(-9007199254740991), none), "-9007199254740991");
  EXPECT_EQ(JsonValue(Param::Int(9007199254740992), none), "\"9007199254740992\"");
  EXPECT_EQ(JsonValue(Param::Int(INT64_MIN), none), "\"-9223372036854775808\"");
  EXPECT_EQ(JsonValue(Param::Uint(9007199254740991u), none), "9007199254740991");
  EXPECT_EQ(JsonValue(Param::Uint(UINT64_MAX), none), "\"18446744073709551615\"");
  EXPECT_EQ(JsonValue(Param::Double(2.5), none), "2.5");
  EXPECT_EQ(JsonValue(Param::Double(0.1), none), "0.1");
  EXPECT_EQ(JsonValue(Param::Double(1e300), none), "1e+300");
  EXPECT_EQ(JsonValue(Param::Double(NAN), none), "\"NaN\"");
  EXPECT_EQ(JsonValue(Param::Double(-INFINITY), none), "\"-Infinity\"");
  EXPECT_EQ(JsonValue(Param::Float(0.1f), none), "0.1");
  EXPECT_EQ(JsonValue(Param::Decimal("1.50"), none), "\"1.50\"");
  EXPECT_EQ(JsonValue(Param::String("a\"b"), none), "\"a\\\"b\"");
  EXPECT_EQ(JsonValue(Param::Json("{\"a\": 1}"), none), "\"{\\\"a\\\": 1}\"");
  EXPECT_EQ(JsonValue(Param::Bytes(std::string("\x00\xff", 2)), none), "\"AP8=\"");
  EXPECT_EQ(JsonValue(Param::Bytes(""), none), "\"\"");
  EXPECT_EQ(JsonValue(Param::Date(2024, 1, 2), none), "\"2024-01-02\"");
  EXPECT_EQ(JsonValue(Param::Time(100, 0, 0, 0, true), none), "\"-100:00:00\"");
  v1::Column dt3;
  dt3.set_type(v1::COLUMN_TYPE_DATETIME);
  dt3.set_decimals(3);
  EXPECT_EQ(JsonValue(Param::DateTime(2024, 1, 2, 3, 4, 5, 120000), dt3),
            "\"2024-01-02 03:04:05.120\"");
}

TEST(JsonRowTest, ColumnNamesAsKeysInOrder) {
  std::vector<v1::Column> columns(3);
  columns[0].set_name("id");
  columns[1].set_name("na\"me");
  columns[2].set_name("n");
  v1::Row row;
  *row.add_values() = Param::Int(1);
  *row.add_values() = Param::String("x\ny");
  *row.add_values() = Param::Null();
  EXPECT_EQ(JsonRow(columns, row), "{\"id\":1,\"na\\\"me\":\"x\\ny\",\"n\":null}");
  EXPECT_EQ(JsonRow({}, v1::Row()), "{}");
}

TEST(JsonOutcomeTest, Fields) {
  v1::StatementOutcome outcome;
  outcome.set_affected_rows(3);
  outcome.set_last_insert_id(7);
  outcome.set_warnings(1);
  outcome.set_info("Records: 3  Duplicates: 0  Warnings: 1");
  EXPECT_EQ(JsonOutcome(outcome),
            "{\"affected_rows\":3,\"last_insert_id\":7,\"warnings\":1,"
            "\"info\":\"Records: 3  Duplicates: 0  Warnings: 1\"}");
}

}  // namespace
}  // namespace mysqlgw::client::cli
