#include "clients/cpp/value_text.h"

#include <cmath>
#include <string>

#include "clients/cpp/params.h"
#include "gtest/gtest.h"

namespace mysqlgw::client {
namespace {

TEST(FormatValueTest, Scalars) {
  EXPECT_EQ(FormatValue(Param::Null()), "NULL");
  EXPECT_EQ(FormatValue(v1::Value()), "NULL");
  EXPECT_EQ(FormatValue(Param::Int(-42)), "-42");
  EXPECT_EQ(FormatValue(Param::Int(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(FormatValue(Param::Uint(UINT64_MAX)), "18446744073709551615");
  EXPECT_EQ(FormatValue(Param::Decimal("-12.340")), "-12.340");
  EXPECT_EQ(FormatValue(Param::String("héllo")), "héllo");
  EXPECT_EQ(FormatValue(Param::Json("{\"a\": 1}")), "{\"a\": 1}");
}

TEST(FormatValueTest, BytesAsHex) {
  EXPECT_EQ(FormatValue(Param::Bytes(std::string("\x00\xff", 2))), "0x00FF");
  EXPECT_EQ(FormatValue(Param::Bytes("AZ")), "0x415A");
  EXPECT_EQ(FormatValue(Param::Bytes("")), "0x");
}

TEST(FormatValueTest, DatesAndTimes) {
  EXPECT_EQ(FormatValue(Param::Date(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(FormatValue(Param::Date(0, 0, 0)), "0000-00-00");
  EXPECT_EQ(FormatValue(Param::Date(999, 1, 1)), "0999-01-01");
  EXPECT_EQ(FormatValue(Param::DateTime(2024, 1, 2, 3, 4, 5)), "2024-01-02 03:04:05");
  EXPECT_EQ(FormatValue(Param::DateTime(2024, 1, 2, 3, 4, 5, 123456)),
            "2024-01-02 03:04:05.123456");
  EXPECT_EQ(FormatValue(Param::DateTime(2024, 1, 2, 3, 4, 5, 500000), 3),
            "2024-01-02 03:04:05.500");
  EXPECT_EQ(FormatValue(Param::DateTime(2024, 1, 2, 3, 4, 5), 6), "2024-01-02 03:04:05.000000");
  EXPECT_EQ(FormatValue(Param::Time(0, 0, 0)), "00:00:00");
  EXPECT_EQ(FormatValue(Param::Time(100, 0, 0, 0, true)), "-100:00:00");
  EXPECT_EQ(FormatValue(Param::Time(838, 59, 59, 250000), 2), "838:59:59.25");
  EXPECT_EQ(FormatValue(Param::Time(1, 2, 3, 4)), "01:02:03.000004");
}

TEST(FormatValueTest, ColumnDecimalsChooseFractionDigits) {
  v1::Column dt3;
  dt3.set_type(v1::COLUMN_TYPE_DATETIME);
  dt3.set_decimals(3);
  EXPECT_EQ(FormatValue(Param::DateTime(2024, 1, 2, 3, 4, 5), dt3), "2024-01-02 03:04:05.000");
  v1::Column not_fixed;  // 31: "not fixed", e.g. an expression.
  not_fixed.set_decimals(31);
  EXPECT_EQ(FormatValue(Param::Time(1, 0, 0, 5), not_fixed), "01:00:00.000005");
}

// Expected texts are what MariaDB 10.11 prints for the same values.
TEST(FormatDoubleTest, LikeTheServer) {
  EXPECT_EQ(FormatDouble(2.5), "2.5");
  EXPECT_EQ(FormatDouble(-0.5), "-0.5");
  EXPECT_EQ(FormatDouble(0.0), "0");
  EXPECT_EQ(FormatDouble(-0.0), "0");
  EXPECT_EQ(FormatDouble(100), "100");
  EXPECT_EQ(FormatDouble(1e14), "100000000000000");
  EXPECT_EQ(FormatDouble(1e15), "1e15");
  EXPECT_EQ(FormatDouble(1.5e15), "1.5e15");
  EXPECT_EQ(FormatDouble(123456789012345.0), "123456789012345");
  EXPECT_EQ(FormatDouble(1234567890123456.0), "1.234567890123456e15");
  EXPECT_EQ(FormatDouble(1e20), "1e20");
  EXPECT_EQ(FormatDouble(1e100), "1e100");
  EXPECT_EQ(FormatDouble(1e-5), "0.00001");
  EXPECT_EQ(FormatDouble(1e-7), "0.0000001");
  EXPECT_EQ(FormatDouble(1e-15), "0.000000000000001");
  EXPECT_EQ(FormatDouble(1e-16), "1e-16");
  EXPECT_EQ(FormatDouble(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatDouble(1.0 / 3 * 1e14), "33333333333333.332");
  EXPECT_EQ(FormatDouble(1.0 / 3 * 1e16), "3.333333333333333e15");
  EXPECT_EQ(FormatDouble(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatDouble(1.7976931348623157e308), "1.7976931348623157e308");
  EXPECT_EQ(FormatDouble(5e-324), "5e-324");
  EXPECT_EQ(FormatDouble(123.456), "123.456");
  EXPECT_EQ(FormatDouble(NAN), "nan");
  EXPECT_EQ(FormatDouble(-INFINITY), "-inf");
}

TEST(FormatFloatTest, SixSignificantDigitsLikeTheServer) {
  EXPECT_EQ(FormatFloat(1.5f), "1.5");
  EXPECT_EQ(FormatFloat(0.1f), "0.1");
  EXPECT_EQ(FormatFloat(1.2345678f), "1.23457");
  EXPECT_EQ(FormatFloat(123456789.0f), "123457000");
  EXPECT_EQ(FormatFloat(16777217.0f), "16777200");
  EXPECT_EQ(FormatFloat(1e20f), "1e20");
  EXPECT_EQ(FormatFloat(3.4e38f), "3.4e38");
  EXPECT_EQ(FormatFloat(1e-5f), "0.00001");
  EXPECT_EQ(FormatFloat(1e-10f), "0.0000000001");
  EXPECT_EQ(FormatFloat(-2.5f), "-2.5");
  EXPECT_EQ(FormatValue(Param::Float(0.5f)), "0.5");
  EXPECT_EQ(FormatValue(Param::Double(2.5)), "2.5");
}

TEST(IsNumericColumnTest, LikeMysqlIsNum) {
  auto numeric = [](v1::ColumnType t) {
    v1::Column c;
    c.set_type(t);
    return IsNumericColumn(c);
  };
  for (v1::ColumnType t : {v1::COLUMN_TYPE_DECIMAL, v1::COLUMN_TYPE_TINY, v1::COLUMN_TYPE_SHORT,
                           v1::COLUMN_TYPE_LONG, v1::COLUMN_TYPE_FLOAT, v1::COLUMN_TYPE_DOUBLE,
                           v1::COLUMN_TYPE_NULL, v1::COLUMN_TYPE_LONGLONG, v1::COLUMN_TYPE_INT24,
                           v1::COLUMN_TYPE_YEAR, v1::COLUMN_TYPE_NEWDECIMAL}) {
    EXPECT_TRUE(numeric(t)) << t;
  }
  for (v1::ColumnType t :
       {v1::COLUMN_TYPE_TIMESTAMP, v1::COLUMN_TYPE_DATE, v1::COLUMN_TYPE_DATETIME,
        v1::COLUMN_TYPE_TIME, v1::COLUMN_TYPE_VARCHAR, v1::COLUMN_TYPE_VAR_STRING,
        v1::COLUMN_TYPE_BLOB, v1::COLUMN_TYPE_JSON, v1::COLUMN_TYPE_BIT, v1::COLUMN_TYPE_STRING}) {
    EXPECT_FALSE(numeric(t)) << t;
  }
}

}  // namespace
}  // namespace mysqlgw::client
