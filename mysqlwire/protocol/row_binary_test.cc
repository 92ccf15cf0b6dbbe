#include "mysqlwire/protocol/row_binary.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
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
  std::string bytes;
  std::vector<Value> values;
};

std::vector<RowCase> CapturedRows() {
  const Value null = Value::Null();
  return {
      {"extremes",
       "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x80\xff\x00\x00\x00\x00\x00\x00"
       "\x00\x80\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x80\xff\x6b\x08\xd0"
       "\x0f\x49\x40\x00\x00\x00\x00\x00\x00\x00\x00\x43"s +
           kDecimal65_30 +
           "\x00\x0b\x0f\x27\x0c\x1f\x17\x3b\x3b\x3f\x42\x0f\x00\x0b\xf6\x07"
           "\x01"
           "\x13\x03\x0e\x07\x78\xe0\x01\x00\x08\x01\x22\x00\x00\x00\x16\x3b"
           "\x3b"
           "\x01\x01\x08\xff\xff\xff\xff\xff\xff\xff\xff\x03\x68\x00\x69\x02"
           "\x00"
           "\xff\x00\x00\x01\x62\x03\x78\x2c\x79\x08\x7b\x22\x61\x22\x3a\x20"
           "\x31"
           "\x7d\x19"s +
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
           Value::Double(0.0),
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
       "\x00\xf8\xff\xff\x03\x02\x00\x00\x00"s,
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
       "\x00\xf8\x49\xff\x03\x03\x00\x00\x00\xff\xe6\xdb\x2e\x01\x00\x00\x00"
       "\x00\x00\x00\x00\x04\xe8\x07\x02\x1d\x00\x08\x00\x22\x00\x00\x00\x16"
       "\x3b\x3b"s,
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
      {"one_e_15",
       "\x00\xf8\xf9\xff\x03\x04\x00\x00\x00\xa9\x5f\x63\x58\x00\x00\x34\x26"
       "\xf5\x6b\x0c\x43"s,
       {Value::Int64(4),
        null,
        null,
        null,
        null,
        null,
        null,
        Value::Float(1e15f),
        Value::Double(1e15),
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
      {"float_double_max",
       "\x00\xf8\xf9\xff\x03\x08\x00\x00\x00\xff\xff\x7f\x7f\xff\xff\xff\xff"
       "\xff\xff\xef\x7f"s,
       {Value::Int64(8),
        null,
        null,
        null,
        null,
        null,
        null,
        Value::Float(std::numeric_limits<float>::max()),
        Value::Double(std::numeric_limits<double>::max()),
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
  };
}

TEST(BinaryRowTest, ParsesCapturedRows) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    SCOPED_TRACE(c.name);
    std::vector<Value> row;
    absl::Status s = ParseBinaryRow(c.bytes, columns, &row);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(row.size(), c.values.size());
    for (size_t i = 0; i < row.size(); ++i) {
      EXPECT_EQ(row[i], c.values[i])
          << columns[i].name << ": " << row[i].DebugString() << " vs "
          << c.values[i].DebugString();
    }
  }
}

TEST(BinaryRowTest, SerializesToTheCapturedBytes) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<std::string> bytes = SerializeBinaryRow(c.values, columns);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(absl::CHexEscape(*bytes), absl::CHexEscape(c.bytes));
  }
}

TEST(BinaryRowTest, EveryPrefixAndAnyExtraByteIsAProtocolError) {
  const std::vector<ColumnDefinition> columns = CapturedColumns();
  for (const RowCase& c : CapturedRows()) {
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      std::vector<Value> row = {Value::Int64(7)};
      absl::Status s = ParseBinaryRow(absl::string_view(c.bytes).substr(0, n),
                                      columns, &row);
      EXPECT_TRUE(IsProtocolError(s)) << c.name << " prefix " << n << ": " << s;
      EXPECT_TRUE(row.empty());
    }
    std::vector<Value> row;
    EXPECT_TRUE(
        IsProtocolError(ParseBinaryRow(c.bytes + "\x00"s, columns, &row)))
        << c.name;
  }
}

// MariaDB 10.11 answering COM_STMT_EXECUTE of "SELECT ?, ... ?" (12
// parameters) with the bytes of statement_test.cc's kOurExecute: the server
// read every parameter as we meant it and sent it back.
TEST(BinaryRowTest, ParsesServerEchoOfOurParameters) {
  const std::vector<ColumnDefinition> columns = {
      Col("?", ColumnType::kLongLong, 0x81, kBinary, 0, 21),
      Col("?", ColumnType::kLongLong, 0xa1, kBinary, 0, 21),
      Col("?", ColumnType::kDouble, 0x81, kBinary, kNotFixed, 23),
      Col("?", ColumnType::kFloat, 0x81, kBinary, kNotFixed, 23),
      Col("?", ColumnType::kString, 0x01, kUtf8mb4, 39, 12),
      Col("?", ColumnType::kBlob, 0x81, kBinary, 39, 2),
      Col("?", ColumnType::kNull, 0x80, kBinary, 0, 0),
      Col("?", ColumnType::kNewDecimal, 0x81, kBinary, 3, 7),
      Col("?", ColumnType::kDate, 0x81, kBinary, 0, 10),
      Col("?", ColumnType::kDateTime, 0x81, kBinary, 6, 19),
      Col("?", ColumnType::kTime, 0x81, kBinary, 0, 23),
      Col("?", ColumnType::kNull, 0x80, kBinary, 0, 0),
  };
  const std::string bytes =
      "\x00\x00\x21\x00\x00\x00\x00\x00\x00\x00\x80\xff\xff\xff\xff\xff"
      "\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x60\x40\x03"
      "\x68\x00\x69\x02\x00\xff\x07\x2d\x31\x32\x2e\x33\x34\x30\x04\xe8"
      "\x07\x02\x1d\x0b\x0f\x27\x0c\x1f\x17\x3b\x3b\x3f\x42\x0f\x00\x08"
      "\x01\x22\x00\x00\x00\x16\x3b\x3b"s;
  const std::vector<Value> expected = {
      Value::Int64(std::numeric_limits<int64_t>::min()),
      Value::Uint64(std::numeric_limits<uint64_t>::max()),
      Value::Double(0.0),  // MariaDB turns -0.0 into 0.
      Value::Float(3.5f),
      Value::String("h\0i"s),
      Value::BytesOf("\x00\xff"s),
      Value::Null(),
      Value::DecimalText("-12.340"),
      Value::Of(Date{2024, 2, 29}),
      Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999}),
      Value::Of(Time{true, 838, 59, 59, 0}),
      Value::Null(),
  };
  std::vector<Value> row;
  absl::Status s = ParseBinaryRow(bytes, columns, &row);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(row, expected);
  absl::StatusOr<std::string> out = SerializeBinaryRow(expected, columns);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(absl::CHexEscape(*out), absl::CHexEscape(bytes));
}

// The same row as in row_text_test.cc's
// BitWidthNegativeTimeAndFixedScaleDouble, fetched with COM_STMT_EXECUTE.
TEST(BinaryRowTest, BitWidthNegativeTimeAndFixedScaleDouble) {
  const std::vector<ColumnDefinition> columns = {
      Col("b", ColumnType::kBit, kUnsignedFlag, kBinary, 0, 12),
      Col("t", ColumnType::kTime),
      Col("dd", ColumnType::kDouble, 0, kBinary, 2, 10)};
  const std::string bytes =
      "\x00\x00\x02\x00\x05\x08\x01\x00\x00\x00\x00\x00\x00\x01\x00\x00"
      "\x00\x00\x00\x00\xf8\x3f"s;
  const std::vector<Value> values = {
      Value::Uint64(5), Value::Of(Time{true, 0, 0, 1, 0}), Value::Double(1.5)};
  std::vector<Value> row;
  ASSERT_TRUE(ParseBinaryRow(bytes, columns, &row).ok());
  EXPECT_EQ(row, values);
  EXPECT_EQ(*SerializeBinaryRow(values, columns), bytes);
}

TEST(BinaryRowTest, HeaderMustBeZero) {
  const std::vector<ColumnDefinition> columns = {Col("a", ColumnType::kTiny)};
  std::vector<Value> row;
  ASSERT_TRUE(ParseBinaryRow("\x00\x00\x05"s, columns, &row).ok());
  EXPECT_EQ(row, std::vector<Value>{Value::Int64(5)});
  for (char header : {'\x01', '\xfe', '\xff'}) {
    std::string bytes = "\x00\x00\x05"s;
    bytes[0] = header;
    EXPECT_TRUE(IsProtocolError(ParseBinaryRow(bytes, columns, &row)));
  }
}

TEST(BinaryRowTest, NullBitmapSizeAndOffset) {
  // Bits start at offset 2: 6 columns fit in one byte, 7 need two.
  const std::vector<ColumnDefinition> six(6, Col("c", ColumnType::kTiny));
  const std::vector<ColumnDefinition> seven(7, Col("c", ColumnType::kTiny));
  const std::vector<Value> six_nulls(6, Value::Null());
  const std::vector<Value> seven_nulls(7, Value::Null());
  EXPECT_EQ(*SerializeBinaryRow(six_nulls, six), "\x00\xfc"s);
  EXPECT_EQ(*SerializeBinaryRow(seven_nulls, seven), "\x00\xfc\x01"s);
  std::vector<Value> row;
  ASSERT_TRUE(ParseBinaryRow("\x00\xfc"s, six, &row).ok());
  EXPECT_EQ(row, six_nulls);
  ASSERT_TRUE(ParseBinaryRow("\x00\xfc\x01"s, seven, &row).ok());
  EXPECT_EQ(row, seven_nulls);
  // Column 6 not NULL: its byte follows the two bitmap bytes.
  ASSERT_TRUE(ParseBinaryRow("\x00\xfc\x00\x09"s, seven, &row).ok());
  EXPECT_EQ(row[6], Value::Int64(9));
  // The zero-column row is a header and one bitmap byte.
  EXPECT_EQ(*SerializeBinaryRow({}, {}), "\x00\x00"s);
  ASSERT_TRUE(ParseBinaryRow("\x00\x00"s, {}, &row).ok());
  EXPECT_TRUE(row.empty());
}

struct CellCase {
  ColumnDefinition column;
  std::string bytes;  // The value alone, written out from the protocol docs.
  Value value;
};

std::vector<CellCase> CellCases() {
  const uint16_t u = kUnsignedFlag;
  return {
      {Col("tiny", ColumnType::kTiny), "\xff"s, Value::Int64(-1)},
      {Col("tiny", ColumnType::kTiny, u), "\xff"s, Value::Uint64(255)},
      {Col("short", ColumnType::kShort), "\x00\x80"s, Value::Int64(-32768)},
      {Col("short", ColumnType::kShort, u), "\xff\xff"s, Value::Uint64(65535)},
      {Col("year", ColumnType::kYear, u | kZerofillFlag), "\xe8\x07"s,
       Value::Uint64(2024)},
      {Col("int24", ColumnType::kInt24), "\xff\xff\xff\xff"s, Value::Int64(-1)},
      {Col("int24", ColumnType::kInt24), "\xff\xff\x7f\x00"s,
       Value::Int64(8388607)},
      {Col("int24", ColumnType::kInt24, u), "\xff\xff\xff\x00"s,
       Value::Uint64(16777215)},
      {Col("long", ColumnType::kLong), "\x00\x00\x00\x80"s,
       Value::Int64(-2147483648LL)},
      {Col("long", ColumnType::kLong, u), "\xff\xff\xff\xff"s,
       Value::Uint64(4294967295u)},
      {Col("longlong", ColumnType::kLongLong),
       "\x00\x00\x00\x00\x00\x00\x00\x80"s,
       Value::Int64(std::numeric_limits<int64_t>::min())},
      {Col("longlong", ColumnType::kLongLong),
       "\xff\xff\xff\xff\xff\xff\xff\x7f"s,
       Value::Int64(std::numeric_limits<int64_t>::max())},
      {Col("longlong", ColumnType::kLongLong, u),
       "\xff\xff\xff\xff\xff\xff\xff\xff"s,
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {Col("float", ColumnType::kFloat), "\x00\x00\xc0\x3f"s,
       Value::Float(1.5f)},
      {Col("float", ColumnType::kFloat), "\x01\x00\x00\x00"s,
       Value::Float(std::numeric_limits<float>::denorm_min())},
      {Col("double", ColumnType::kDouble), "\x00\x00\x00\x00\x00\x00\xf8\x3f"s,
       Value::Double(1.5)},
      {Col("double", ColumnType::kDouble), "\x01\x00\x00\x00\x00\x00\x00\x00"s,
       Value::Double(std::numeric_limits<double>::denorm_min())},
      {Col("decimal", ColumnType::kNewDecimal, 0, kBinary, 30),
       "\x43"s + kDecimal65_30, Value::DecimalText(kDecimal65_30)},
      {Col("decimal", ColumnType::kDecimal), "\x05-0.50"s,
       Value::DecimalText("-0.50")},
      {Col("date", ColumnType::kDate), "\x00"s, Value::Of(Date{})},
      {Col("date", ColumnType::kDate), "\x04\xe8\x07\x02\x1d"s,
       Value::Of(Date{2024, 2, 29})},
      {Col("date", ColumnType::kDate), "\x04\x00\x00\x01\x00"s,
       Value::Of(Date{0, 1, 0})},
      {Col("datetime", ColumnType::kDateTime), "\x00"s, Value::Of(DateTime{})},
      {Col("datetime", ColumnType::kDateTime), "\x04\xd0\x07\x01\x01"s,
       Value::Of(DateTime{2000, 1, 1})},
      {Col("datetime", ColumnType::kDateTime),
       "\x07\xd0\x07\x01\x01\x00\x00\x01"s,
       Value::Of(DateTime{2000, 1, 1, 0, 0, 1, 0})},
      {Col("datetime", ColumnType::kDateTime, 0, kBinary, 6),
       "\x0b\x0f\x27\x0c\x1f\x17\x3b\x3b\x3f\x42\x0f\x00"s,
       Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999})},
      {Col("datetime", ColumnType::kDateTime, 0, kBinary, 6),
       "\x0b\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00"s,
       Value::Of(DateTime{0, 0, 0, 0, 0, 0, 1})},
      {Col("timestamp", ColumnType::kTimestamp),
       "\x07\xb2\x07\x01\x01\x00\x00\x01"s,
       Value::Of(DateTime{1970, 1, 1, 0, 0, 1, 0})},
      {Col("time", ColumnType::kTime), "\x00"s, Value::Of(Time{})},
      {Col("time", ColumnType::kTime), "\x08\x00\x22\x00\x00\x00\x16\x3b\x3b"s,
       Value::Of(Time{false, 838, 59, 59, 0})},
      {Col("time", ColumnType::kTime), "\x08\x01\x22\x00\x00\x00\x16\x3b\x3b"s,
       Value::Of(Time{true, 838, 59, 59, 0})},
      {Col("time", ColumnType::kTime, 0, kBinary, 6),
       "\x0c\x01\x00\x00\x00\x00\x00\x00\x00\x3f\x42\x0f\x00"s,
       Value::Of(Time{true, 0, 0, 0, 999999})},
      {Col("time", ColumnType::kTime), "\x08\x01\x00\x00\x00\x00\x00\x00\x00"s,
       Value::Of(Time{true, 0, 0, 0, 0})},  // -00:00:00 keeps its sign.
      {Col("bit1", ColumnType::kBit, u, kBinary, 0, 1), "\x01\x01"s,
       Value::Uint64(1)},
      {Col("bit64", ColumnType::kBit, u, kBinary, 0, 64),
       "\x08\xff\xff\xff\xff\xff\xff\xff\xff"s,
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {Col("bit64", ColumnType::kBit, u, kBinary, 0, 64),
       "\x08\x00\x00\x00\x00\x00\x00\x00\x00"s, Value::Uint64(0)},
      {Col("varchar", ColumnType::kVarString, 0, kUtf8mb4), "\x00"s,
       Value::String("")},
      {Col("varchar", ColumnType::kVarString, 0, kUtf8mb4), "\x03\x00\x27\x00"s,
       Value::String("\0'\0"s)},
      {Col("varbinary", ColumnType::kVarString, kBinaryFlag, kBinary),
       "\x02\x00\xfb"s, Value::BytesOf("\x00\xfb"s)},
      {Col("text", ColumnType::kBlob, kBlobFlag, kUtf8mb4), "\x02\xc3\xa9"s,
       Value::String("\xc3\xa9")},
      {Col("enum", ColumnType::kString, kEnumFlag, kUtf8mb4), "\x01\x61"s,
       Value::String("a")},
      {Col("set", ColumnType::kString, kSetFlag, kUtf8mb4), "\x00"s,
       Value::String("")},
      {Col("json", ColumnType::kJson, kBinaryFlag, kBinary), "\x02{}"s,
       Value::String("{}")},
      {Col("geometry", ColumnType::kGeometry, kBinaryFlag, kBinary),
       "\x19"s + kPointWkb, Value::BytesOf(kPointWkb)},
  };
}

TEST(BinaryValueTest, ReadsAndWritesEveryType) {
  for (const CellCase& c : CellCases()) {
    SCOPED_TRACE(absl::StrCat(c.column.name, " ", absl::CHexEscape(c.bytes)));
    WireReader r(c.bytes);
    absl::StatusOr<Value> v = ReadBinaryValue(&r, c.column);
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(*v, c.value) << v->DebugString();
    EXPECT_TRUE(r.empty());
    std::string out;
    WireWriter w(&out);
    absl::Status s = WriteBinaryValue(c.value, c.column, &w);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(absl::CHexEscape(out), absl::CHexEscape(c.bytes));
  }
}

TEST(BinaryValueTest, EveryPrefixOfAValueIsAProtocolError) {
  for (const CellCase& c : CellCases()) {
    for (size_t n = 0; n < c.bytes.size(); ++n) {
      WireReader r(absl::string_view(c.bytes).substr(0, n));
      absl::StatusOr<Value> v = ReadBinaryValue(&r, c.column);
      EXPECT_TRUE(IsProtocolError(v.status()))
          << c.column.name << " " << absl::CHexEscape(c.bytes) << " prefix "
          << n;
    }
  }
}

TEST(BinaryValueTest, EveryKindRoundTripsThroughARow) {
  std::vector<ColumnDefinition> columns;
  std::vector<Value> row;
  for (const CellCase& c : CellCases()) {
    columns.push_back(c.column);
    row.push_back(c.value);
    columns.push_back(c.column);
    row.push_back(Value::Null());
  }
  absl::StatusOr<std::string> bytes = SerializeBinaryRow(row, columns);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  std::vector<Value> parsed;
  absl::Status s = ParseBinaryRow(*bytes, columns, &parsed);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(parsed, row);
}

TEST(BinaryValueTest, NegativeZeroDoubleKeepsItsBits) {
  const ColumnDefinition column = Col("d", ColumnType::kDouble);
  const std::string bytes = "\x00\x00\x00\x00\x00\x00\x00\x80"s;
  WireReader r(bytes);
  absl::StatusOr<Value> v = ReadBinaryValue(&r, column);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::signbit(v->as_double()));
  std::string out;
  WireWriter w(&out);
  ASSERT_TRUE(WriteBinaryValue(*v, column, &w).ok());
  EXPECT_EQ(out, bytes);
}

// Forms a writer never produces but other clients and servers send.
TEST(BinaryValueTest, ReadsNonCanonicalLengths) {
  struct Case {
    ColumnDefinition column;
    std::string bytes;
    Value value;
  };
  const Case cases[] = {
      {Col("dt", ColumnType::kDateTime),
       "\x0b\xe8\x07\x01\x02\x03\x04\x05\x00\x00\x00\x00"s,
       Value::Of(DateTime{2024, 1, 2, 3, 4, 5, 0})},
      {Col("dt", ColumnType::kDateTime), "\x07\xe8\x07\x01\x02\x00\x00\x00"s,
       Value::Of(DateTime{2024, 1, 2})},
      {Col("d", ColumnType::kDate), "\x07\xe8\x07\x01\x02\x00\x00\x00"s,
       Value::Of(Date{2024, 1, 2})},
      {Col("d", ColumnType::kDate),
       "\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"s, Value::Of(Date{})},
      {Col("t", ColumnType::kTime),
       "\x0c\x00\x01\x00\x00\x00\x01\x02\x03\x00\x00\x00\x00"s,
       Value::Of(Time{false, 25, 2, 3, 0})},
      // libmariadb 3.3 puts all hours in the hour byte (838 & 0xff = 70).
      {Col("t", ColumnType::kTime), "\x08\x01\x00\x00\x00\x00\x46\x3b\x3b"s,
       Value::Of(Time{true, 70, 59, 59, 0})},
  };
  for (const Case& c : cases) {
    WireReader r(c.bytes);
    absl::StatusOr<Value> v = ReadBinaryValue(&r, c.column);
    ASSERT_TRUE(v.ok()) << absl::CHexEscape(c.bytes) << " " << v.status();
    EXPECT_EQ(*v, c.value) << v->DebugString();
    EXPECT_TRUE(r.empty());
  }
}

TEST(BinaryValueTest, RejectsValuesNoServerSends) {
  struct Case {
    ColumnDefinition column;
    std::string bytes;
  };
  const Case cases[] = {
      {Col("dt", ColumnType::kDateTime), "\x05\xe8\x07\x01\x02\x03"s},
      {Col("dt", ColumnType::kDateTime),
       "\x0c\xe8\x07\x01\x02\x03\x04\x05\x00\x00\x00\x00\x00"s},
      {Col("dt", ColumnType::kDateTime), "\x04\xe8\x07\x0d\x01"s},
      {Col("dt", ColumnType::kDateTime), "\x04\xe8\x07\x01\x20"s},
      {Col("dt", ColumnType::kDateTime), "\x07\xe8\x07\x01\x01\x18\x00\x00"s},
      {Col("dt", ColumnType::kDateTime), "\x07\xe8\x07\x01\x01\x00\x3c\x00"s},
      {Col("dt", ColumnType::kDateTime), "\x07\xe8\x07\x01\x01\x00\x00\x3c"s},
      {Col("dt", ColumnType::kDateTime),
       "\x0b\xe8\x07\x01\x01\x00\x00\x00\x40\x42\x0f\x00"s},  // 1000000 us
      {Col("d", ColumnType::kDate), "\x07\xe8\x07\x01\x02\x03\x00\x00"s},
      {Col("t", ColumnType::kTime), "\x01\x00"s},
      {Col("t", ColumnType::kTime),
       "\x09\x00\x00\x00\x00\x00\x00\x00\x00\x00"s},
      {Col("t", ColumnType::kTime), "\x08\x02\x00\x00\x00\x00\x00\x00\x00"s},
      {Col("t", ColumnType::kTime), "\x08\x00\x00\x00\x00\x00\x00\x3c\x00"s},
      {Col("t", ColumnType::kTime), "\x08\x00\x00\x00\x00\x00\x00\x00\x3c"s},
      {Col("t", ColumnType::kTime), "\x08\x00\xff\xff\xff\xff\x17\x00\x00"s},
      {Col("b", ColumnType::kBit, kUnsignedFlag), "\x00"s},
      {Col("b", ColumnType::kBit, kUnsignedFlag),
       "\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09"s},
      {Col("n", ColumnType::kNewDecimal), "\x03\x61\x62\x63"s},
      {Col("n", ColumnType::kNewDecimal), "\x00"s},
      {Col("s", ColumnType::kVarString, 0, kUtf8mb4), "\xfb"s},
      {Col("s", ColumnType::kVarString, 0, kUtf8mb4), "\xff"s},
      {Col("s", ColumnType::kVarString, 0, kUtf8mb4),
       "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x00"s},
      {Col("null", ColumnType::kNull), ""s},
      {Col("array", ColumnType::kTypedArray), "\x00"s},
  };
  for (const Case& c : cases) {
    WireReader r(c.bytes);
    absl::StatusOr<Value> v = ReadBinaryValue(&r, c.column);
    EXPECT_TRUE(IsProtocolError(v.status()))
        << c.column.name << " " << absl::CHexEscape(c.bytes) << " -> "
        << (v.ok() ? v->DebugString() : "");
    EXPECT_NE(v.status().message().find(c.column.name), std::string::npos);
  }
}

TEST(BinaryValueTest, WriterAcceptsCompatibleKinds) {
  struct Case {
    ColumnDefinition column;
    Value value;
    std::string bytes;
  };
  const Case cases[] = {
      {Col("u", ColumnType::kTiny, kUnsignedFlag), Value::Int64(200), "\xc8"s},
      {Col("s", ColumnType::kShort), Value::Uint64(300), "\x2c\x01"s},
      {Col("s", ColumnType::kLongLong), Value::Uint64(1),
       "\x01\x00\x00\x00\x00\x00\x00\x00"s},
      {Col("d", ColumnType::kDouble), Value::Float(0.5f),
       "\x00\x00\x00\x00\x00\x00\xe0\x3f"s},
      {Col("dt", ColumnType::kDateTime), Value::Of(Date{2024, 1, 2}),
       "\x04\xe8\x07\x01\x02"s},
      {Col("t", ColumnType::kBlob, kBlobFlag, kUtf8mb4), Value::BytesOf("x"),
       "\x01x"s},
      {Col("b", ColumnType::kBlob, kBinaryFlag, kBinary), Value::String("y"),
       "\x01y"s},
      {Col("bit", ColumnType::kBit, kUnsignedFlag, kBinary, 0, 16),
       Value::Int64(3), "\x02\x00\x03"s},
      {Col("time", ColumnType::kTime), Value::Of(Time{false, 100000, 0, 0, 0}),
       "\x08\x00\x46\x10\x00\x00\x10\x00\x00"s},  // 4166 days + 16 h
  };
  for (const Case& c : cases) {
    std::string out;
    WireWriter w(&out);
    absl::Status s = WriteBinaryValue(c.value, c.column, &w);
    ASSERT_TRUE(s.ok()) << c.value.DebugString() << " " << s;
    EXPECT_EQ(absl::CHexEscape(out), absl::CHexEscape(c.bytes));
  }
}

TEST(BinaryValueTest, WriterRejectsWhatWouldCorruptTheRow) {
  struct Case {
    ColumnDefinition column;
    Value value;
  };
  const Case cases[] = {
      {Col("i", ColumnType::kLong), Value::String("1")},
      {Col("i", ColumnType::kLong), Value::Double(1)},
      {Col("i", ColumnType::kTiny), Value::Int64(128)},
      {Col("i", ColumnType::kTiny), Value::Int64(-129)},
      {Col("i", ColumnType::kTiny), Value::Uint64(128)},
      {Col("i", ColumnType::kTiny, kUnsignedFlag), Value::Int64(-1)},
      {Col("i", ColumnType::kTiny, kUnsignedFlag), Value::Uint64(256)},
      {Col("i", ColumnType::kLongLong),
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {Col("i", ColumnType::kLong), Value::Null()},
      {Col("f", ColumnType::kFloat), Value::Double(1)},
      {Col("d", ColumnType::kDouble), Value::DecimalText("1")},
      {Col("n", ColumnType::kNewDecimal), Value::DecimalText("1e5")},
      {Col("n", ColumnType::kNewDecimal), Value::String("1")},
      {Col("d", ColumnType::kDate), Value::Of(DateTime{2024, 1, 1})},
      {Col("d", ColumnType::kDate), Value::Of(Date{2024, 13, 1})},
      {Col("dt", ColumnType::kDateTime), Value::Of(DateTime{2024, 1, 1, 24})},
      {Col("dt", ColumnType::kDateTime),
       Value::Of(DateTime{2024, 1, 1, 0, 0, 0, 1000000})},
      {Col("t", ColumnType::kTime), Value::Of(Time{false, 1, 60, 0, 0})},
      {Col("t", ColumnType::kTime), Value::Of(DateTime{})},
      {Col("s", ColumnType::kVarString, 0, kUtf8mb4), Value::Int64(1)},
      {Col("b", ColumnType::kBit), Value::Int64(-1)},
      {Col("b", ColumnType::kBit), Value::String("\x01")},
      {Col("n", ColumnType::kNull), Value::Int64(1)},
      {Col("a", ColumnType::kTypedArray), Value::BytesOf("")},
  };
  for (const Case& c : cases) {
    std::string out;
    WireWriter w(&out);
    absl::Status s = WriteBinaryValue(c.value, c.column, &w);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
        << ColumnTypeName(c.column.type) << " " << c.value.DebugString();
    EXPECT_TRUE(out.empty()) << c.value.DebugString();
    absl::StatusOr<std::string> row =
        SerializeBinaryRow({Value::Int64(1), c.value},
                           {Col("id", ColumnType::kLongLong), c.column});
    if (!c.value.is_null()) {
      EXPECT_EQ(row.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_EQ(SerializeBinaryRow({Value::Int64(1)}, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mysqlwire
