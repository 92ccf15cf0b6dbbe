#include "mysqlwire/protocol/row_text.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/captured_columns_testdata.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/value.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

using namespace testdata;  // Col(), CapturedColumns() and the constants.

struct RowCase {
  std::string name;
  std::string bytes;  // Captured from MariaDB 10.11.
  std::vector<Value> values;
};

std::vector<RowCase> CapturedRows() {
  const Value null = Value::Null();
  return {
      {"extremes",
       "\x01\x31\x04\x2d\x31\x32\x38\x03\x32\x35\x35\x14\x2d\x39\x32\x32\x33"
       "\x33\x37\x32\x30\x33\x36\x38\x35\x34\x37\x37\x35\x38\x30\x38\x14\x31"
       "\x38\x34\x34\x36\x37\x34\x34\x30\x37\x33\x37\x30\x39\x35\x35\x31\x36"
       "\x31\x35\x08\x2d\x38\x33\x38\x38\x36\x30\x38\x04\x32\x31\x35\x35\x07"
       "\x33\x2e\x31\x34\x31\x35\x39\x01\x30\x43"s +
           kDecimal65_30 +
           "\x0a\x30\x30\x30\x30\x2d\x30\x30\x2d\x30\x30\x1a\x39\x39\x39\x39"
           "\x2d"
           "\x31\x32\x2d\x33\x31\x20\x32\x33\x3a\x35\x39\x3a\x35\x39\x2e\x39"
           "\x39"
           "\x39\x39\x39\x39\x17\x32\x30\x33\x38\x2d\x30\x31\x2d\x31\x39\x20"
           "\x30"
           "\x33\x3a\x31\x34\x3a\x30\x37\x2e\x31\x32\x33\x11\x2d\x38\x33\x38"
           "\x3a"
           "\x35\x39\x3a\x35\x39\x2e\x30\x30\x30\x30\x30\x30\x01\x01\x08\xff"
           "\xff"
           "\xff\xff\xff\xff\xff\xff\x03\x68\x00\x69\x02\x00\xff\x00\x00\x01"
           "\x62"
           "\x03\x78\x2c\x79\x08\x7b\x22\x61\x22\x3a\x20\x31\x7d\x19"s +
           kPointWkb,
       {
           Value::Int64(1),
           Value::Int64(-128),
           Value::Uint64(255),
           Value::Int64(std::numeric_limits<int64_t>::min()),
           Value::Uint64(std::numeric_limits<uint64_t>::max()),
           Value::Int64(-8388608),
           Value::Uint64(2155),
           Value::Float(3.14159f),
           Value::Double(0.0),  // Inserted as -0.0; MariaDB stores 0.
           Value::DecimalText(kDecimal65_30),
           Value::Of(Date{}),
           Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999}),
           Value::Of(DateTime{2038, 1, 19, 3, 14, 7, 123000}),
           Value::Of(Time{true, 838, 59, 59, 0}),
           Value::Uint64(1),
           Value::Uint64(std::numeric_limits<uint64_t>::max()),
           Value::String("h\0i"s),
           Value::BytesOf("\x00\xff"s),
           Value::String(""),
           Value::BytesOf(""),
           Value::String("b"),
           Value::String("x,y"),
           Value::String("{\"a\": 1}"),
           Value::BytesOf(kPointWkb),
       }},
      {"all_null",
       "\x01\x32\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb"
       "\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb"s,
       {Value::Int64(2),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null}},
      {"small_numbers_zero_datetime",
       "\x01\x33\xfb\xfb\xfb\xfb\xfb\xfb\x0c\x30\x2e\x30\x30\x30\x30\x30\x30"
       "\x30\x30\x30\x31\x06\x35\x65\x2d\x33\x32\x34\xfb\x0a\x32\x30\x32\x34"
       "\x2d\x30\x32\x2d\x32\x39\x1a\x30\x30\x30\x30\x2d\x30\x30\x2d\x30\x30"
       "\x20\x30\x30\x3a\x30\x30\x3a\x30\x30\x2e\x30\x30\x30\x30\x30\x30\xfb"
       "\x10\x38\x33\x38\x3a\x35\x39\x3a\x35\x39\x2e\x30\x30\x30\x30\x30\x30"
       "\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb\xfb"s,
       {Value::Int64(3),
        null,
        null,
        null,
        null,
        null,
        null,
        Value::Float(1e-10f),
        Value::Double(4.9406564584124654e-324),
        null,
        Value::Of(Date{2024, 2, 29}),
        Value::Of(DateTime{}),
        null,
        Value::Of(Time{false, 838, 59, 59, 0}),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null}},
  };
}

TEST(TextRowTest, ParsesCapturedRows) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    SCOPED_TRACE(c.name);
    std::vector<Value> row;
    absl::Status s = ParseTextRow(c.bytes, columns, &row);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(row.size(), c.values.size());
    for (size_t i = 0; i < row.size(); ++i) {
      EXPECT_EQ(row[i], c.values[i])
          << columns[i].name << ": " << row[i].DebugString() << " vs "
          << c.values[i].DebugString();
    }
  }
}

TEST(TextRowTest, SerializesToTheCapturedBytes) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(absl::CHexEscape(SerializeTextRow(c.values, columns)),
              absl::CHexEscape(c.bytes));
  }
}

TEST(TextRowTest, EveryPrefixAndAnyExtraByteIsAProtocolError) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      std::vector<Value> row = {Value::Int64(7)};
      absl::Status s =
          ParseTextRow(absl::string_view(c.bytes).substr(0, n), columns, &row);
      EXPECT_TRUE(IsProtocolError(s)) << c.name << " prefix " << n << ": " << s;
      EXPECT_TRUE(row.empty());
    }
    for (const std::string& extra : {"\x00"s, "\xfb"s, "\x01x"s}) {
      std::vector<Value> row;
      EXPECT_TRUE(IsProtocolError(ParseTextRow(c.bytes + extra, columns, &row)))
          << c.name;
    }
  }
}

// MariaDB 10.11, SELECT b, t, dd FROM bt for CREATE TABLE bt (b BIT(12),
// t TIME, dd DOUBLE(10,2)) holding (b'101', '-00:00:01', 1.5).
TEST(TextRowTest, BitWidthNegativeTimeAndFixedScaleDouble) {
  const std::vector<ColumnDefinition> columns = {
      Col("b", ColumnType::kBit, kUnsignedFlag, kBinary, 0, 12),
      Col("t", ColumnType::kTime),
      Col("dd", ColumnType::kDouble, 0, kBinary, 2, 10)};
  const std::string bytes =
      "\x02\x00\x05\x09\x2d\x30\x30\x3a\x30\x30\x3a\x30\x31\x04\x31\x2e"
      "\x35\x30"s;
  const std::vector<Value> values = {
      Value::Uint64(5), Value::Of(Time{true, 0, 0, 1, 0}), Value::Double(1.5)};
  std::vector<Value> row;
  ASSERT_TRUE(ParseTextRow(bytes, columns, &row).ok());
  EXPECT_EQ(row, values);
  EXPECT_EQ(SerializeTextRow(values, columns), bytes);
}

TEST(TextRowTest, EmptyStringIsNotNull) {
  const std::vector<ColumnDefinition> columns = {
      Col("a", ColumnType::kVarString, 0, kUtf8mb4),
      Col("b", ColumnType::kVarString, 0, kUtf8mb4),
      Col("c", ColumnType::kBlob, 0, kBinary)};
  std::vector<Value> row;
  ASSERT_TRUE(ParseTextRow("\x00\xfb\x00"s, columns, &row).ok());
  EXPECT_EQ(row, (std::vector<Value>{Value::String(""), Value::Null(),
                                     Value::BytesOf("")}));
  EXPECT_EQ(SerializeTextRow(row, columns), "\x00\xfb\x00"s);
}

TEST(TextRowTest, ConversionErrorNamesTheColumn) {
  const std::vector<ColumnDefinition> columns = {
      Col("ok", ColumnType::kLong), Col("broken_col", ColumnType::kLong)};
  std::vector<Value> row;
  absl::Status s = ParseTextRow("\x01\x31\x03\x31\x2e\x35"s, columns, &row);
  EXPECT_TRUE(IsProtocolError(s));
  EXPECT_NE(s.message().find("broken_col"), std::string::npos) << s;
  EXPECT_TRUE(row.empty());
}

TEST(TextRowTest, MoreCellsThanColumnsIsAnError) {
  std::vector<Value> row;
  EXPECT_TRUE(IsProtocolError(
      ParseTextRow("\x01\x31\x01\x32"s, {Col("a", ColumnType::kLong)}, &row)));
  EXPECT_TRUE(IsProtocolError(ParseTextRow("\x01\x31"s, {}, &row)));
  EXPECT_TRUE(ParseTextRow(""s, {}, &row).ok());
}

TEST(TextRowTest, LongCellsUseWideLengths) {
  const std::vector<ColumnDefinition> columns = {
      Col("t", ColumnType::kBlob, 0x10, kUtf8mb4)};
  const std::string text(70000, 'q');
  const std::string bytes = SerializeTextRow({Value::String(text)}, columns);
  EXPECT_EQ(bytes.substr(0, 4), "\xfd\x70\x11\x01"s);  // 70000 = 0x011170
  std::vector<Value> row;
  ASSERT_TRUE(ParseTextRow(bytes, columns, &row).ok());
  EXPECT_EQ(row[0].as_string(), text);
}

struct TextCase {
  ColumnDefinition column;
  std::string text;
  Value value;
};

// Text -> value for every kind, and back to the same text.
TEST(ValueFromTextTest, ConvertsAndRoundTrips) {
  const uint16_t u = kUnsignedFlag;
  const TextCase cases[] = {
      {Col("i", ColumnType::kLongLong), "-9223372036854775808",
       Value::Int64(std::numeric_limits<int64_t>::min())},
      {Col("i", ColumnType::kLongLong), "9223372036854775807",
       Value::Int64(std::numeric_limits<int64_t>::max())},
      {Col("i", ColumnType::kLongLong, u), "18446744073709551615",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {Col("i", ColumnType::kLongLong, u), "0", Value::Uint64(0)},
      {Col("i", ColumnType::kTiny), "-1", Value::Int64(-1)},
      {Col("y", ColumnType::kYear, u | kZerofillFlag), "2155",
       Value::Uint64(2155)},
      {Col("y", ColumnType::kYear), "1901", Value::Int64(1901)},
      {Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed), "3.40282e38",
       Value::Float(3.40282e38f)},
      {Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed), "16777200",
       Value::Float(16777200.0f)},
      {Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed), "1e-45",
       Value::Float(std::numeric_limits<float>::denorm_min())},
      {Col("f", ColumnType::kFloat, 0, kBinary, 2), "1.50", Value::Float(1.5f)},
      {Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed), "5e-324",
       Value::Double(std::numeric_limits<double>::denorm_min())},
      {Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed),
       "1.7976931348623157e308",
       Value::Double(std::numeric_limits<double>::max())},
      {Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed),
       "0.30000000000000004", Value::Double(0.1 + 0.2)},
      {Col("d", ColumnType::kDouble, 0, kBinary, 3), "-2.250",
       Value::Double(-2.25)},
      {Col("n", ColumnType::kNewDecimal, 0, kBinary, 30), kDecimal65_30,
       Value::DecimalText(kDecimal65_30)},
      {Col("n", ColumnType::kNewDecimal), "-0.00", Value::DecimalText("-0.00")},
      {Col("n", ColumnType::kDecimal), "12", Value::DecimalText("12")},
      {Col("dt", ColumnType::kDate), "0000-00-00", Value::Of(Date{})},
      {Col("dt", ColumnType::kDate), "2024-00-00", Value::Of(Date{2024, 0, 0})},
      {Col("dt", ColumnType::kNewDate), "1000-01-01",
       Value::Of(Date{1000, 1, 1})},
      {Col("dtt", ColumnType::kDateTime), "0000-00-00 00:00:00",
       Value::Of(DateTime{})},
      {Col("dtt", ColumnType::kDateTime, 0, kBinary, 6),
       "9999-12-31 23:59:59.999999",
       Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999})},
      {Col("dtt", ColumnType::kDateTime, 0, kBinary, 1),
       "2024-02-29 12:00:00.5",
       Value::Of(DateTime{2024, 2, 29, 12, 0, 0, 500000})},
      {Col("ts", ColumnType::kTimestamp, 0, kBinary, 4),
       "1970-01-01 00:00:01.0001",
       Value::Of(DateTime{1970, 1, 1, 0, 0, 1, 100})},
      {Col("tm", ColumnType::kTime), "-838:59:59",
       Value::Of(Time{true, 838, 59, 59, 0})},
      {Col("tm", ColumnType::kTime, 0, kBinary, 6), "838:59:59.000000",
       Value::Of(Time{false, 838, 59, 59, 0})},
      {Col("tm", ColumnType::kTime, 0, kBinary, 6), "-838:59:59.000000",
       Value::Of(Time{true, 838, 59, 59, 0})},
      {Col("tm", ColumnType::kTime), "100:00:00",
       Value::Of(Time{false, 100, 0, 0, 0})},
      {Col("tm", ColumnType::kTime), "-00:00:01",
       Value::Of(Time{true, 0, 0, 1, 0})},
      {Col("tm", ColumnType::kTime, 0, kBinary, 2), "00:00:00.01",
       Value::Of(Time{false, 0, 0, 0, 10000})},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 1), "\x01"s, Value::Uint64(1)},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 1), "\x00"s, Value::Uint64(0)},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 10), "\x02\x01"s,
       Value::Uint64(0x201)},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 64),
       "\x80\x00\x00\x00\x00\x00\x00\x01"s, Value::Uint64(0x8000000000000001)},
      {Col("s", ColumnType::kString, kEnumFlag, kUtf8mb4), "b",
       Value::String("b")},
      {Col("s", ColumnType::kString, kBinaryFlag, kBinary), "\x00\x01"s,
       Value::BytesOf("\x00\x01"s)},
      {Col("j", ColumnType::kJson, kBinaryFlag, kBinary), "[1]",
       Value::String("[1]")},
      {Col("t", ColumnType::kBlob, kBlobFlag, kUtf8mb4), "\xc3\xa9\x00"s,
       Value::String("\xc3\xa9\x00"s)},
      {Col("g", ColumnType::kGeometry, 0, kUtf8mb4), "\x01\x02"s,
       Value::BytesOf("\x01\x02"s)},
  };
  for (const TextCase& c : cases) {
    SCOPED_TRACE(absl::StrCat(ColumnTypeName(c.column.type), " '",
                              absl::CHexEscape(c.text), "'"));
    absl::StatusOr<Value> v = ValueFromText(c.text, c.column);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, c.value) << v->DebugString();
    EXPECT_EQ(ValueToText(*v, c.column), c.text);
  }
}

TEST(ValueFromTextTest, NegativeZeroKeepsItsSign) {
  const ColumnDefinition d =
      Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed);
  EXPECT_EQ(ValueToText(Value::Double(-0.0), d), "-0");
  absl::StatusOr<Value> v = ValueFromText("-0", d);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::signbit(v->as_double()));
  EXPECT_EQ(v->as_double(), 0.0);
  const ColumnDefinition f =
      Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed);
  absl::StatusOr<Value> fv = ValueFromText("-0", f);
  ASSERT_TRUE(fv.ok());
  EXPECT_TRUE(std::signbit(fv->as_float()));
}

struct BadTextCase {
  ColumnDefinition column;
  std::string text;
};

TEST(ValueFromTextTest, RejectsTextThatDoesNotFitTheType) {
  const uint16_t u = kUnsignedFlag;
  const BadTextCase cases[] = {
      {Col("i", ColumnType::kLong), ""},
      {Col("i", ColumnType::kLong), "-"},
      {Col("i", ColumnType::kLong), "+1"},
      {Col("i", ColumnType::kLong), " 1"},
      {Col("i", ColumnType::kLong), "1 "},
      {Col("i", ColumnType::kLong), "1.5"},
      {Col("i", ColumnType::kLong), "0x10"},
      {Col("i", ColumnType::kLongLong), "9223372036854775808"},
      {Col("i", ColumnType::kLongLong), "-9223372036854775809"},
      {Col("i", ColumnType::kLongLong, u), "-1"},
      {Col("i", ColumnType::kLongLong, u), "18446744073709551616"},
      {Col("f", ColumnType::kFloat), "1e39"},
      {Col("f", ColumnType::kFloat), "1e-50"},
      {Col("f", ColumnType::kFloat), "inf"},
      {Col("d", ColumnType::kDouble), "nan"},
      {Col("d", ColumnType::kDouble), "-inf"},
      {Col("d", ColumnType::kDouble), "1e309"},
      {Col("d", ColumnType::kDouble), ".5"},
      {Col("d", ColumnType::kDouble), "1."},
      {Col("d", ColumnType::kDouble), "1e"},
      {Col("d", ColumnType::kDouble), "1e+"},
      {Col("d", ColumnType::kDouble), "--1"},
      {Col("d", ColumnType::kDouble), "0x1p3"},
      {Col("d", ColumnType::kDouble), ""},
      {Col("n", ColumnType::kNewDecimal), ""},
      {Col("n", ColumnType::kNewDecimal), "-"},
      {Col("n", ColumnType::kNewDecimal), "1."},
      {Col("n", ColumnType::kNewDecimal), ".5"},
      {Col("n", ColumnType::kNewDecimal), "1e5"},
      {Col("n", ColumnType::kNewDecimal), "+1"},
      {Col("n", ColumnType::kNewDecimal), "1.2.3"},
      {Col("n", ColumnType::kNewDecimal), "1,5"},
      {Col("dt", ColumnType::kDate), "2024-1-01"},
      {Col("dt", ColumnType::kDate), "2024-13-01"},
      {Col("dt", ColumnType::kDate), "2024-01-32"},
      {Col("dt", ColumnType::kDate), "2024-01-01 "},
      {Col("dt", ColumnType::kDate), "20240101"},
      {Col("dt", ColumnType::kDate), "0000-00-00 00:00:00"},
      {Col("dt", ColumnType::kDate), ""},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01"},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01 24:00:00"},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01 00:60:00"},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01 00:00:60"},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01 00:00:00."},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01 00:00:00.1234567"},
      {Col("dtt", ColumnType::kDateTime), "2024-01-01T00:00:00"},
      {Col("dtt", ColumnType::kTimestamp), "2024-01-01 0:00:00"},
      {Col("tm", ColumnType::kTime), ""},
      {Col("tm", ColumnType::kTime), "-"},
      {Col("tm", ColumnType::kTime), "1:2:3"},
      {Col("tm", ColumnType::kTime), "00:60:00"},
      {Col("tm", ColumnType::kTime), "00:00:60"},
      {Col("tm", ColumnType::kTime), "00:00:00."},
      {Col("tm", ColumnType::kTime), "00:00:00.0000000"},
      {Col("tm", ColumnType::kTime), "--1:00:00"},
      {Col("tm", ColumnType::kTime), "4294967296:00:00"},
      {Col("tm", ColumnType::kTime), "12345678901:00:00"},
      {Col("tm", ColumnType::kTime), "1 00:00:00"},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 8), ""},
      {Col("b", ColumnType::kBit, u, kBinary, 0, 64), "123456789"},
      {Col("n", ColumnType::kNull), "x"},
      {Col("a", ColumnType::kTypedArray), "x"},
  };
  for (const BadTextCase& c : cases) {
    absl::StatusOr<Value> v = ValueFromText(c.text, c.column);
    EXPECT_TRUE(IsProtocolError(v.status()))
        << ColumnTypeName(c.column.type) << " '" << c.text << "' -> "
        << (v.ok() ? v->DebugString() : "");
    EXPECT_NE(v.status().message().find("`" + c.column.name + "`"),
              std::string::npos);
  }
}

// MariaDB 10.11's text for DOUBLE and FLOAT columns, read with the mariadb
// client: each must read back and print as the same text.
TEST(FloatingTextTest, ReproducesServerText) {
  const char* kDoubles[] = {"0",
                            "100000000000000",
                            "123456789012345",
                            "1.234567890123456e15",
                            "1.2345678901234568e16",
                            "1e15",
                            "-1e15",
                            "1e16",
                            "1e100",
                            "1.5e15",
                            "-150000000000000",
                            "999999999999999.5",
                            "0.000001",
                            "0.00000015",
                            "0.000000000000001",
                            "0.000012345",
                            "-0.0000000001",
                            "0.0000000000125",
                            "1e-16",
                            "1.2e-17",
                            "1.234e-18",
                            "1e-30",
                            "0.00000000012345678901234568",
                            "0.000000000000012345678901234567",
                            "0.333333333",
                            "0.1",
                            "0.30000000000000004",
                            "2.2250738585072014e-308",
                            "5e-324",
                            "1.7976931348623157e308",
                            "123456789.125",
                            "12345678.9"};
  for (const char* text : kDoubles) {
    double d = 0;
    absl::StatusOr<Value> v = ValueFromText(
        text, Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed));
    ASSERT_TRUE(v.ok()) << text;
    d = v->as_double();
    EXPECT_EQ(FormatDoubleText(d), text);
  }
  // MariaDB prints FLOAT with 6 significant digits; each such text names one
  // float whose shortest form is that text again.
  const char* kFloats[] = {"123457000000000",
                           "1.23457e15",
                           "1e16",
                           "0.000001",
                           "0.00000015",
                           "0.000000000000001",
                           "0.000012345",
                           "-0.0000000001",
                           "0.00000000001",
                           "0.0000000000125",
                           "1.5e15",
                           "-150000000000000",
                           "0.3",
                           "0.333333",
                           "6666670000",
                           "0.0000123457",
                           "1.17549e-38",
                           "123457",
                           "1234570",
                           "0.123457",
                           "0.000000000001",
                           "1e-16",
                           "1.234e-18",
                           "0.000000000123457",
                           "0.0000000000000123457",
                           "12345700",
                           "-123457000000000",
                           "16777200",
                           "3.40282e38",
                           "3.14159",
                           "-1e15",
                           "1e-45"};
  for (const char* text : kFloats) {
    absl::StatusOr<Value> v = ValueFromText(
        text, Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed));
    ASSERT_TRUE(v.ok()) << text;
    EXPECT_EQ(FormatFloatText(v->as_float()), text);
  }
}

TEST(FloatingTextTest, FixedScaleColumnsPrintTheirDecimals) {
  EXPECT_EQ(ValueToText(Value::Double(1.5),
                        Col("d", ColumnType::kDouble, 0, kBinary, 2)),
            "1.50");
  EXPECT_EQ(ValueToText(Value::Float(2.0f),
                        Col("f", ColumnType::kFloat, 0, kBinary, 0)),
            "2");
  EXPECT_EQ(ValueToText(Value::Double(1e20),
                        Col("d", ColumnType::kDouble, 0, kBinary, 1)),
            "100000000000000000000.0");
}

TEST(ValueToTextTest, FractionDigitsFollowTheColumn) {
  const DateTime dt{2024, 1, 2, 3, 4, 5, 123456};
  EXPECT_EQ(ValueToText(Value::Of(dt), Col("a", ColumnType::kDateTime)),
            "2024-01-02 03:04:05");
  EXPECT_EQ(ValueToText(Value::Of(dt),
                        Col("a", ColumnType::kDateTime, 0, kBinary, 3)),
            "2024-01-02 03:04:05.123");
  // Expressions of unknown precision show all six digits, if any.
  EXPECT_EQ(ValueToText(Value::Of(dt),
                        Col("a", ColumnType::kDateTime, 0, kBinary, 39)),
            "2024-01-02 03:04:05.123456");
  EXPECT_EQ(ValueToText(Value::Of(DateTime{2024, 1, 2}),
                        Col("a", ColumnType::kDateTime, 0, kBinary, 39)),
            "2024-01-02 00:00:00");
  EXPECT_EQ(ValueToText(Value::Of(Time{true, 1, 2, 3, 400000}),
                        Col("t", ColumnType::kTime, 0, kBinary, 1)),
            "-01:02:03.4");
}

TEST(ValueToTextTest, BitWidthComesFromTheColumnButNeverTruncates) {
  const ColumnDefinition bit12 =
      Col("b", ColumnType::kBit, kUnsignedFlag, kBinary, 0, 12);
  EXPECT_EQ(ValueToText(Value::Uint64(5), bit12), "\x00\x05"s);
  EXPECT_EQ(ValueToText(Value::Uint64(0x10000), bit12), "\x01\x00\x00"s);
  EXPECT_EQ(ValueToText(Value::Uint64(0), Col("b", ColumnType::kBit)), "\x00"s);
}

// Every kind through SerializeTextRow and back, against bytes written out by
// hand.
TEST(TextRowTest, EveryKindAgainstHandWrittenBytes) {
  const std::vector<ColumnDefinition> columns = {
      Col("null", ColumnType::kLong),
      Col("i64", ColumnType::kLongLong),
      Col("u64", ColumnType::kLongLong, kUnsignedFlag),
      Col("f", ColumnType::kFloat, 0, kBinary, kNotFixed),
      Col("d", ColumnType::kDouble, 0, kBinary, kNotFixed),
      Col("dec", ColumnType::kNewDecimal, 0, kBinary, 2),
      Col("s", ColumnType::kVarString, 0, kUtf8mb4),
      Col("b", ColumnType::kBlob, kBinaryFlag, kBinary),
      Col("date", ColumnType::kDate),
      Col("dt", ColumnType::kDateTime, 0, kBinary, 6),
      Col("tm", ColumnType::kTime, 0, kBinary, 0),
      Col("bit", ColumnType::kBit, kUnsignedFlag, kBinary, 0, 1),
  };
  const std::vector<Value> row = {
      Value::Null(),
      Value::Int64(-42),
      Value::Uint64(42),
      Value::Float(0.5f),
      Value::Double(-1e300),
      Value::DecimalText("3.14"),
      Value::String("it's"),
      Value::BytesOf("\x00\xfb"s),
      Value::Of(Date{2024, 12, 31}),
      Value::Of(DateTime{2000, 1, 1, 0, 0, 0, 1}),
      Value::Of(Time{true, 1, 0, 0, 0}),
      Value::Uint64(1),
  };
  const std::string expected =
      "\xfb"
      "\x03-42"
      "\x02"
      "42"
      "\x03"
      "0.5"
      "\x06-1e300"
      "\x04"
      "3.14"
      "\x04it's"
      "\x02\x00\xfb"
      "\x0a"
      "2024-12-31"
      "\x1a"
      "2000-01-01 00:00:00.000001"
      "\x09-01:00:00"
      "\x01\x01"s;
  EXPECT_EQ(absl::CHexEscape(SerializeTextRow(row, columns)),
            absl::CHexEscape(expected));
  std::vector<Value> parsed;
  absl::Status s = ParseTextRow(expected, columns, &parsed);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(parsed, row);
}

}  // namespace
}  // namespace mysqlwire
