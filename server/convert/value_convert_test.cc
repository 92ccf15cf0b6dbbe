#include "server/convert/value_convert.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.pb.h"
#include "mysqlgw/v1/value.pb.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/value.h"

namespace mysqlgw {
namespace {

using ::google::protobuf::TextFormat;
using ::google::protobuf::util::MessageDifferencer;
using ::mysqlwire::ColumnDefinition;
using ::mysqlwire::ColumnType;
using ::testing::HasSubstr;
using std::string_literals::operator""s;

v1::Value Parse(const std::string& text) {
  v1::Value v;
  EXPECT_TRUE(TextFormat::ParseFromString(text, &v)) << text;
  return v;
}

ColumnDefinition Column(ColumnType type, uint16_t charset = 63,
                        uint16_t flags = 0, uint32_t length = 0,
                        uint8_t decimals = 0) {
  ColumnDefinition c;
  c.type = type;
  c.character_set = charset;
  c.flags = flags;
  c.column_length = length;
  c.decimals = decimals;
  return c;
}

constexpr uint16_t kUtf8mb4 = 255;  // utf8mb4_0900_ai_ci

// ---------------------------------------------------------------------------
// IsValidUtf8

TEST(IsValidUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("a\0b"s));  // NUL is a character.
  EXPECT_TRUE(IsValidUtf8("h\xc3\xa9llo"));            // é
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));            // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));        // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));        // U+10FFFF
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf"));            // U+D7FF
  EXPECT_TRUE(IsValidUtf8("\xee\x80\x80"));            // U+E000
  EXPECT_TRUE(IsValidUtf8("0123456789abcdef\xc3\xa9"));  // After the fast path.
}

TEST(IsValidUtf8Test, RejectsMalformedSequences) {
  const std::vector<std::string> bad = {
      "\x80",              // Lone continuation byte.
      "\xc0\x80",          // Overlong NUL.
      "\xc1\xbf",          // Overlong.
      "\xe0\x80\x80",      // Overlong 3-byte.
      "\xe0\x9f\xbf",      // Overlong 3-byte.
      "\xed\xa0\x80",      // Surrogate U+D800.
      "\xed\xbf\xbf",      // Surrogate U+DFFF.
      "\xf0\x80\x80\x80",  // Overlong 4-byte.
      "\xf0\x8f\xbf\xbf",  // Overlong 4-byte.
      "\xf4\x90\x80\x80",  // U+110000.
      "\xf5\x80\x80\x80",  // Lead byte beyond U+10FFFF.
      "\xff",
      "\xe2\x82",          // Truncated.
      "\xf0\x9f\x98",      // Truncated.
      "\xc3",              // Truncated at the end.
      "\xc3\x28",          // Bad continuation.
      "\xe2\x28\xa1",      // Bad continuation.
      "\xf0\x9f\x28\x80",  // Bad third byte.
  };
  for (const std::string& s : bad) {
    EXPECT_FALSE(IsValidUtf8(s)) << absl::CHexEscape(s);
  }
}

TEST(IsValidUtf8Test, FindsABadByteAtEveryOffsetOfLongAscii) {
  // The ASCII fast path reads eight bytes at a time; a bad byte must be
  // found wherever it falls relative to those words.
  for (size_t pos = 0; pos < 40; ++pos) {
    std::string s(40, 'a');
    s[pos] = '\xff';
    EXPECT_FALSE(IsValidUtf8(s)) << pos;
    s[pos] = 'b';
    EXPECT_TRUE(IsValidUtf8(s)) << pos;
  }
}

// ---------------------------------------------------------------------------
// FromProto: values that convert

struct FromProtoCase {
  std::string name;
  std::string proto;  // Text format of a v1::Value.
  mysqlwire::Value expected;
};

std::vector<FromProtoCase> ValidParameters() {
  using mysqlwire::Value;
  return {
      {"Null", "null: NULL_VALUE", Value::Null()},
      {"Int64Zero", "int64: 0", Value::Int64(0)},
      {"Int64Min", "int64: -9223372036854775808",
       Value::Int64(std::numeric_limits<int64_t>::min())},
      {"Int64Max", "int64: 9223372036854775807",
       Value::Int64(std::numeric_limits<int64_t>::max())},
      {"Uint64Max", "uint64: 18446744073709551615",
       Value::Uint64(std::numeric_limits<uint64_t>::max())},
      {"Double", "double: 0.1", Value::Double(0.1)},
      {"DoubleMax", "double: 1.7976931348623157e308",
       Value::Double(std::numeric_limits<double>::max())},
      {"DoubleDenormal", "double: 5e-324",
       Value::Double(std::numeric_limits<double>::denorm_min())},
      {"Float", "float: 1.5", Value::Float(1.5f)},
      {"Decimal", "decimal: \"-12.3400\"", Value::DecimalText("-12.3400")},
      {"DecimalInteger", "decimal: \"42\"", Value::DecimalText("42")},
      {"DecimalPlusDropped", "decimal: \"+1.50\"", Value::DecimalText("1.50")},
      {"DecimalLong",
       "decimal: \"12345678901234567890123456789012345.123456789012345678901234567890\"",
       Value::DecimalText(
           "12345678901234567890123456789012345.123456789012345678901234567890")},
      {"StringEmpty", "string: \"\"", Value::String("")},
      {"StringUtf8", "string: \"h\\303\\251llo \\360\\237\\230\\200\"",
       Value::String("h\xc3\xa9llo \xf0\x9f\x98\x80")},
      {"StringWithNul", "string: \"a\\000b\"", Value::String("a\0b"s)},
      {"Json", "json: \"{\\\"a\\\": [1, 2]}\"", Value::String("{\"a\": [1, 2]}")},
      {"JsonNotParsed", "json: \"{not json\"", Value::String("{not json")},
      {"Bytes", "bytes: \"\\000\\377\\300\\200\"",
       Value::BytesOf("\x00\xff\xc0\x80"s)},
      {"BytesEmpty", "bytes: \"\"", Value::BytesOf("")},
      {"Date", "date { year: 2024 month: 2 day: 29 }",
       Value::Of(mysqlwire::Date{2024, 2, 29})},
      {"DateMax", "date { year: 9999 month: 12 day: 31 }",
       Value::Of(mysqlwire::Date{9999, 12, 31})},
      {"ZeroDate", "date {}", Value::Of(mysqlwire::Date{})},
      {"PartialDate", "date { year: 2024 }",
       Value::Of(mysqlwire::Date{2024, 0, 0})},
      {"DateTime",
       "datetime { year: 2024 month: 1 day: 2 hour: 3 minute: 4 second: 5 "
       "microsecond: 6 }",
       Value::Of(mysqlwire::DateTime{2024, 1, 2, 3, 4, 5, 6})},
      {"DateTimeMax",
       "datetime { year: 9999 month: 12 day: 31 hour: 23 minute: 59 "
       "second: 59 microsecond: 999999 }",
       Value::Of(mysqlwire::DateTime{9999, 12, 31, 23, 59, 59, 999999})},
      {"ZeroDateTime", "datetime {}", Value::Of(mysqlwire::DateTime{})},
      {"TimeZero", "time {}", Value::Of(mysqlwire::Time{})},
      {"TimeBeyondADay", "time { hours: 100 minute: 0 second: 1 microsecond: 500000 }",
       Value::Of(mysqlwire::Time{false, 100, 0, 1, 500000})},
      {"TimeMax", "time { hours: 838 minute: 59 second: 59 }",
       Value::Of(mysqlwire::Time{false, 838, 59, 59, 0})},
      {"TimeMin", "time { negative: true hours: 838 minute: 59 second: 59 }",
       Value::Of(mysqlwire::Time{true, 838, 59, 59, 0})},
      {"TimeNegativeFraction",
       "time { negative: true hours: 837 minute: 59 second: 59 "
       "microsecond: 999999 }",
       Value::Of(mysqlwire::Time{true, 837, 59, 59, 999999})},
  };
}

class FromProtoValidTest : public testing::TestWithParam<FromProtoCase> {};

TEST_P(FromProtoValidTest, Converts) {
  absl::StatusOr<mysqlwire::Value> v = FromProto(Parse(GetParam().proto));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, GetParam().expected)
      << v->DebugString() << " vs " << GetParam().expected.DebugString();
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, FromProtoValidTest, testing::ValuesIn(ValidParameters()),
    [](const testing::TestParamInfo<FromProtoCase>& info) {
      return info.param.name;
    });

TEST(FromProtoTest, NegativeZeroDoubleKeepsItsSign) {
  v1::Value p;
  p.set_double_(-0.0);
  absl::StatusOr<mysqlwire::Value> v = FromProto(p);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::signbit(v->as_double()));
}

// ---------------------------------------------------------------------------
// FromProto: values that are refused

struct InvalidCase {
  std::string name;
  std::string proto;
  std::string message_part;
};

std::vector<InvalidCase> InvalidParameters() {
  return {
      {"NoKind", "", "no kind set"},
      {"StringBadUtf8", "string: \"a\\377b\"", "string is not valid UTF-8"},
      {"StringOverlong", "string: \"\\300\\200\"", "string is not valid UTF-8"},
      {"StringSurrogate", "string: \"\\355\\240\\200\"", "not valid UTF-8"},
      {"StringTruncated", "string: \"\\342\\202\"", "not valid UTF-8"},
      {"JsonBadUtf8", "json: \"\\\"\\377\\\"\"", "json is not valid UTF-8"},
      {"DecimalEmpty", "decimal: \"\"", "not an exact decimal"},
      {"DecimalSignOnly", "decimal: \"-\"", "not an exact decimal"},
      {"DecimalPlusOnly", "decimal: \"+\"", "not an exact decimal"},
      {"DecimalPlusMinus", "decimal: \"+-1\"", "not an exact decimal"},
      {"DecimalDoubleMinus", "decimal: \"--1\"", "not an exact decimal"},
      {"DecimalTrailingPoint", "decimal: \"1.\"", "not an exact decimal"},
      {"DecimalLeadingPoint", "decimal: \".5\"", "not an exact decimal"},
      {"DecimalExponent", "decimal: \"1e5\"", "not an exact decimal"},
      {"DecimalComma", "decimal: \"1,5\"", "not an exact decimal"},
      {"DecimalSpace", "decimal: \" 1\"", "not an exact decimal"},
      {"DecimalTrailingSpace", "decimal: \"1 \"", "not an exact decimal"},
      {"DecimalNaN", "decimal: \"NaN\"", "not an exact decimal"},
      {"DecimalHex", "decimal: \"0x10\"", "not an exact decimal"},
      {"DecimalInjection", "decimal: \"1; DROP TABLE t\"", "not an exact decimal"},
      {"DateYear", "date { year: 10000 month: 1 day: 1 }", "year 10000"},
      {"DateMonth", "date { year: 2024 month: 13 day: 1 }", "month 13"},
      {"DateDay", "date { year: 2024 month: 1 day: 32 }", "day 32"},
      // Values that would wrap into range if narrowed before the check.
      {"DateMonthWraps", "date { year: 2024 month: 257 day: 1 }", "month 257"},
      {"DateYearWraps", "date { year: 65537 month: 1 day: 1 }", "year 65537"},
      {"DateTimeMonth", "datetime { year: 2024 month: 13 day: 1 }", "month 13"},
      {"DateTimeDay", "datetime { year: 2024 month: 1 day: 32 }", "day 32"},
      {"DateTimeYear", "datetime { year: 10000 }", "year 10000"},
      {"DateTimeHour", "datetime { year: 2024 month: 1 day: 1 hour: 24 }",
       "hour 24"},
      {"DateTimeMinute", "datetime { minute: 60 }", "minute 60"},
      {"DateTimeSecond", "datetime { second: 60 }", "second 60"},
      {"DateTimeMicrosecond", "datetime { microsecond: 1000000 }",
       "microsecond 1000000"},
      {"TimeHours", "time { hours: 839 }", "hours 839"},
      {"TimeNegativeHours", "time { negative: true hours: 839 }", "hours 839"},
      {"TimeMinute", "time { minute: 60 }", "minute 60"},
      {"TimeSecond", "time { second: 60 }", "second 60"},
      {"TimeMicrosecond", "time { microsecond: 1000000 }", "microsecond 1000000"},
      {"TimeBeyondMax",
       "time { hours: 838 minute: 59 second: 59 microsecond: 1 }",
       "beyond 838:59:59"},
      {"TimeBeyondMin",
       "time { negative: true hours: 838 minute: 59 second: 59 "
       "microsecond: 999999 }",
       "beyond 838:59:59"},
      {"TimeFractionAt838", "time { hours: 838 microsecond: 1 }",
       "beyond 838:59:59"},
  };
}

class FromProtoInvalidTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(FromProtoInvalidTest, IsInvalidArgument) {
  absl::StatusOr<mysqlwire::Value> v = FromProto(Parse(GetParam().proto));
  ASSERT_FALSE(v.ok()) << v->DebugString();
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr(GetParam().message_part));
}

INSTANTIATE_TEST_SUITE_P(
    AllChecks, FromProtoInvalidTest, testing::ValuesIn(InvalidParameters()),
    [](const testing::TestParamInfo<InvalidCase>& info) {
      return info.param.name;
    });

TEST(FromProtoTest, NonFiniteFloatingPointIsRefused) {
  const double kInf = std::numeric_limits<double>::infinity();
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (double d : {kInf, -kInf, kNaN}) {
    v1::Value p;
    p.set_double_(d);
    absl::StatusOr<mysqlwire::Value> v = FromProto(p);
    ASSERT_FALSE(v.ok()) << d;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(v.status().message(), HasSubstr("double is NaN or infinite"));

    v1::Value f;
    f.set_float_(static_cast<float>(d));
    v = FromProto(f);
    ASSERT_FALSE(v.ok()) << d;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(v.status().message(), HasSubstr("float is NaN or infinite"));
  }
}

TEST(FromProtoTest, LongBadDecimalIsShortenedInTheMessage) {
  v1::Value p;
  p.set_decimal(std::string(10000, '9') + "x");
  absl::StatusOr<mysqlwire::Value> v = FromProto(p);
  ASSERT_FALSE(v.ok());
  EXPECT_LT(v.status().message().size(), 200u);
}

// ---------------------------------------------------------------------------
// ToProto

struct ToProtoCase {
  std::string name;
  mysqlwire::Value value;
  ColumnDefinition column;
  std::string expected;  // Text format of a v1::Value.
};

std::vector<ToProtoCase> Results() {
  using mysqlwire::Value;
  const ColumnDefinition varchar = Column(ColumnType::kVarString, kUtf8mb4);
  const ColumnDefinition json = Column(ColumnType::kJson, 63);
  const ColumnDefinition blob = Column(ColumnType::kBlob, 63);
  return {
      {"Null", Value::Null(), varchar, "null: NULL_VALUE"},
      {"Int64Min", Value::Int64(std::numeric_limits<int64_t>::min()),
       Column(ColumnType::kLongLong), "int64: -9223372036854775808"},
      {"Uint64Max", Value::Uint64(std::numeric_limits<uint64_t>::max()),
       Column(ColumnType::kLongLong, 63, mysqlwire::kUnsignedFlag),
       "uint64: 18446744073709551615"},
      {"Float", Value::Float(0.5f), Column(ColumnType::kFloat), "float: 0.5"},
      {"Double", Value::Double(-2.25), Column(ColumnType::kDouble),
       "double: -2.25"},
      {"Decimal", Value::DecimalText("-12.3400"), Column(ColumnType::kNewDecimal),
       "decimal: \"-12.3400\""},
      {"String", Value::String("h\xc3\xa9llo"), varchar,
       "string: \"h\\303\\251llo\""},
      {"EmptyString", Value::String(""), varchar, "string: \"\""},
      {"StringNotUtf8BecomesBytes", Value::String("caf\xe9"), varchar,
       "bytes: \"caf\\351\""},
      {"Json", Value::String("{\"a\": 1}"), json, "json: \"{\\\"a\\\": 1}\""},
      {"JsonNotUtf8BecomesBytes", Value::String("\"\xff\""), json,
       "bytes: \"\\\"\\377\\\"\""},
      // MariaDB's JSON is a LONGTEXT: indistinguishable, so it is a string.
      {"MariaDbJsonIsString", Value::String("{}"),
       Column(ColumnType::kBlob, 45, mysqlwire::kBlobFlag | mysqlwire::kBinaryFlag,
              4294967295u),
       "string: \"{}\""},
      {"Bytes", Value::BytesOf("\x00\xff"s), blob, "bytes: \"\\000\\377\""},
      {"Date", Value::Of(mysqlwire::Date{2024, 2, 29}), Column(ColumnType::kDate),
       "date { year: 2024 month: 2 day: 29 }"},
      {"ZeroDate", Value::Of(mysqlwire::Date{}), Column(ColumnType::kDate),
       "date {}"},
      {"DateTime", Value::Of(mysqlwire::DateTime{2024, 1, 2, 3, 4, 5, 999999}),
       Column(ColumnType::kDateTime),
       "datetime { year: 2024 month: 1 day: 2 hour: 3 minute: 4 second: 5 "
       "microsecond: 999999 }"},
      {"ZeroDateTime", Value::Of(mysqlwire::DateTime{}),
       Column(ColumnType::kTimestamp), "datetime {}"},
      {"NegativeTime", Value::Of(mysqlwire::Time{true, 838, 59, 59, 0}),
       Column(ColumnType::kTime),
       "time { negative: true hours: 838 minute: 59 second: 59 }"},
      {"TimeWithFraction", Value::Of(mysqlwire::Time{false, 1, 2, 3, 4}),
       Column(ColumnType::kTime),
       "time { hours: 1 minute: 2 second: 3 microsecond: 4 }"},
  };
}

class ToProtoTest : public testing::TestWithParam<ToProtoCase> {};

TEST_P(ToProtoTest, CopyingOverload) {
  const ToProtoCase& c = GetParam();
  v1::Value out;
  ToProto(c.value, c.column, &out);
  v1::Value expected = Parse(c.expected);
  EXPECT_TRUE(MessageDifferencer::Equals(out, expected))
      << out.ShortDebugString() << " vs " << expected.ShortDebugString();
}

TEST_P(ToProtoTest, MovingOverload) {
  const ToProtoCase& c = GetParam();
  mysqlwire::Value v = c.value;
  v1::Value out;
  ToProto(std::move(v), c.column, &out);
  v1::Value expected = Parse(c.expected);
  EXPECT_TRUE(MessageDifferencer::Equals(out, expected))
      << out.ShortDebugString() << " vs " << expected.ShortDebugString();
}

TEST_P(ToProtoTest, OverwritesAReusedMessage) {
  const ToProtoCase& c = GetParam();
  v1::Value out;
  out.mutable_datetime()->set_year(1999);  // Left over from an earlier cell.
  out.mutable_time()->set_hours(7);
  out.mutable_date()->set_day(9);
  ToProto(c.value, c.column, &out);
  v1::Value expected = Parse(c.expected);
  EXPECT_TRUE(MessageDifferencer::Equals(out, expected))
      << out.ShortDebugString() << " vs " << expected.ShortDebugString();
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ToProtoTest, testing::ValuesIn(Results()),
    [](const testing::TestParamInfo<ToProtoCase>& info) {
      return info.param.name;
    });

TEST(ToProtoTest, MovingOverloadDoesNotCopyLargeText) {
  // The buffer travels into the proto: the hot path copies no cell.
  const std::string big(1 << 16, 'x');
  const ColumnDefinition varchar = Column(ColumnType::kVarString, kUtf8mb4);
  const ColumnDefinition json = Column(ColumnType::kJson);
  const ColumnDefinition blob = Column(ColumnType::kBlob);
  {
    mysqlwire::Value v = mysqlwire::Value::String(big);
    const char* data = v.as_string().data();
    v1::Value out;
    ToProto(std::move(v), varchar, &out);
    EXPECT_EQ(out.string().data(), data);
  }
  {
    mysqlwire::Value v = mysqlwire::Value::String(big);
    const char* data = v.as_string().data();
    v1::Value out;
    ToProto(std::move(v), json, &out);
    EXPECT_EQ(out.json().data(), data);
  }
  {
    mysqlwire::Value v = mysqlwire::Value::BytesOf(big);
    const char* data = v.as_bytes().data();
    v1::Value out;
    ToProto(std::move(v), blob, &out);
    EXPECT_EQ(out.bytes().data(), data);
  }
}

TEST(ToProtoTest, CopyingOverloadLeavesTheSourceAlone) {
  const mysqlwire::Value v = mysqlwire::Value::String("keep me");
  v1::Value out;
  ToProto(v, Column(ColumnType::kVarString, kUtf8mb4), &out);
  EXPECT_EQ(v.as_string(), "keep me");
  EXPECT_EQ(out.string(), "keep me");
}

// ---------------------------------------------------------------------------
// ColumnToProto

struct TypeNameCase {
  std::string name;
  ColumnDefinition column;
  std::string type_name;
  bool binary;
};

std::vector<TypeNameCase> TypeNames() {
  using mysqlwire::kBinaryFlag;
  using mysqlwire::kBlobFlag;
  using mysqlwire::kEnumFlag;
  using mysqlwire::kSetFlag;
  using mysqlwire::kUnsignedFlag;
  using mysqlwire::kZerofillFlag;
  return {
      {"TinyInt", Column(ColumnType::kTiny, 63, 0, 4), "TINYINT", false},
      {"SmallIntUnsigned", Column(ColumnType::kShort, 63, kUnsignedFlag, 5),
       "SMALLINT UNSIGNED", false},
      {"MediumInt", Column(ColumnType::kInt24, 63, 0, 9), "MEDIUMINT", false},
      {"Int", Column(ColumnType::kLong, 63, 0, 11), "INT", false},
      {"BigInt", Column(ColumnType::kLongLong, 63, 0, 20), "BIGINT", false},
      {"BigIntUnsigned", Column(ColumnType::kLongLong, 63, kUnsignedFlag, 20),
       "BIGINT UNSIGNED", false},
      {"Year", Column(ColumnType::kYear, 63, kUnsignedFlag | kZerofillFlag, 4),
       "YEAR", false},
      {"Float", Column(ColumnType::kFloat, 63, 0, 12, 31), "FLOAT", false},
      {"Double", Column(ColumnType::kDouble, 63, 0, 22, 31), "DOUBLE", false},
      {"DoubleUnsigned", Column(ColumnType::kDouble, 63, kUnsignedFlag, 22, 31),
       "DOUBLE UNSIGNED", false},
      // DECIMAL(65,30): 65 digits + point + sign.
      {"DecimalMax", Column(ColumnType::kNewDecimal, 63, 0, 67, 30),
       "DECIMAL(65,30)", false},
      {"Decimal10_2", Column(ColumnType::kNewDecimal, 63, 0, 12, 2),
       "DECIMAL(10,2)", false},
      {"Decimal10_2Unsigned",
       Column(ColumnType::kNewDecimal, 63, kUnsignedFlag, 11, 2),
       "DECIMAL(10,2) UNSIGNED", false},
      {"Decimal10_0", Column(ColumnType::kNewDecimal, 63, 0, 11, 0),
       "DECIMAL(10,0)", false},
      {"Decimal5_0Unsigned",
       Column(ColumnType::kNewDecimal, 63, kUnsignedFlag, 5, 0),
       "DECIMAL(5,0) UNSIGNED", false},
      {"Decimal1_1", Column(ColumnType::kNewDecimal, 63, 0, 3, 1),
       "DECIMAL(1,1)", false},
      {"MariaDbDecimal38", Column(ColumnType::kNewDecimal, 63, 0, 67, 38),
       "DECIMAL(65,38)", false},
      {"DecimalNotFixed", Column(ColumnType::kNewDecimal, 63, 0, 67, 39),
       "DECIMAL", false},
      {"DecimalImpossibleLength", Column(ColumnType::kNewDecimal, 63, 0, 1, 2),
       "DECIMAL", false},
      {"Date", Column(ColumnType::kDate, 63, kBinaryFlag, 10), "DATE", false},
      {"DateTime", Column(ColumnType::kDateTime, 63, kBinaryFlag, 19),
       "DATETIME", false},
      {"DateTime6", Column(ColumnType::kDateTime, 63, kBinaryFlag, 26, 6),
       "DATETIME(6)", false},
      {"Timestamp", Column(ColumnType::kTimestamp, 63, kBinaryFlag, 19),
       "TIMESTAMP", false},
      {"Timestamp2", Column(ColumnType::kTimestamp, 63, kBinaryFlag, 22, 2),
       "TIMESTAMP(2)", false},
      {"Time3", Column(ColumnType::kTime, 63, kBinaryFlag, 14, 3), "TIME(3)",
       false},
      {"Time", Column(ColumnType::kTime, 63, kBinaryFlag, 10), "TIME", false},
      {"TimeNotFixed", Column(ColumnType::kTime, 63, kBinaryFlag, 17, 39),
       "TIME", false},
      {"VarChar", Column(ColumnType::kVarString, kUtf8mb4, 0, 1020), "VARCHAR",
       false},
      // utf8mb4_bin: MySQL sets the BINARY flag, but it is still text.
      {"VarCharBinCollation",
       Column(ColumnType::kVarString, 46, kBinaryFlag, 1020), "VARCHAR", false},
      {"VarBinary", Column(ColumnType::kVarString, 63, kBinaryFlag, 255),
       "VARBINARY", true},
      {"Char", Column(ColumnType::kString, kUtf8mb4, 0, 40), "CHAR", false},
      {"Binary", Column(ColumnType::kString, 63, kBinaryFlag, 16), "BINARY",
       true},
      {"EnumAsChar", Column(ColumnType::kString, kUtf8mb4, kEnumFlag, 4),
       "ENUM", false},
      {"SetAsChar", Column(ColumnType::kString, kUtf8mb4, kSetFlag, 12), "SET",
       false},
      {"Enum", Column(ColumnType::kEnum, kUtf8mb4), "ENUM", false},
      {"Set", Column(ColumnType::kSet, kUtf8mb4), "SET", false},
      {"TinyText", Column(ColumnType::kBlob, kUtf8mb4, kBlobFlag, 1020),
       "TINYTEXT", false},
      {"TinyTextLatin1", Column(ColumnType::kBlob, 8, kBlobFlag, 255),
       "TINYTEXT", false},
      {"Text", Column(ColumnType::kBlob, kUtf8mb4, kBlobFlag, 262140), "TEXT",
       false},
      {"TextLatin1", Column(ColumnType::kBlob, 8, kBlobFlag, 65535), "TEXT",
       false},
      {"MediumText", Column(ColumnType::kBlob, kUtf8mb4, kBlobFlag, 67108860),
       "MEDIUMTEXT", false},
      {"LongText", Column(ColumnType::kBlob, kUtf8mb4, kBlobFlag, 4294967295u),
       "LONGTEXT", false},
      {"TinyBlob", Column(ColumnType::kBlob, 63, kBlobFlag | kBinaryFlag, 255),
       "TINYBLOB", true},
      {"Blob", Column(ColumnType::kBlob, 63, kBlobFlag | kBinaryFlag, 65535),
       "BLOB", true},
      {"MediumBlob",
       Column(ColumnType::kBlob, 63, kBlobFlag | kBinaryFlag, 16777215),
       "MEDIUMBLOB", true},
      {"LongBlob",
       Column(ColumnType::kBlob, 63, kBlobFlag | kBinaryFlag, 4294967295u),
       "LONGBLOB", true},
      {"ExplicitMediumBlobType", Column(ColumnType::kMediumBlob, 63, 0, 0),
       "MEDIUMBLOB", true},
      {"ExplicitLongTextType", Column(ColumnType::kLongBlob, kUtf8mb4, 0, 0),
       "LONGTEXT", false},
      // MySQL sends JSON with the binary character set; values are JSON text.
      {"Json", Column(ColumnType::kJson, 63, kBlobFlag | kBinaryFlag,
                      4294967295u),
       "JSON", false},
      {"Geometry", Column(ColumnType::kGeometry, 63, kBlobFlag | kBinaryFlag),
       "GEOMETRY", true},
      {"Vector", Column(ColumnType::kVector, 63, kBinaryFlag, 16384), "VECTOR",
       true},
      {"Bit1", Column(ColumnType::kBit, 63, kUnsignedFlag, 1), "BIT(1)", false},
      {"Bit64", Column(ColumnType::kBit, 63, kUnsignedFlag, 64), "BIT(64)",
       false},
      {"Null", Column(ColumnType::kNull, 63), "NULL", false},
  };
}

class ColumnTypeNameTest : public testing::TestWithParam<TypeNameCase> {};

TEST_P(ColumnTypeNameTest, NamesTheType) {
  v1::Column out;
  ColumnToProto(GetParam().column, &out);
  EXPECT_EQ(out.type_name(), GetParam().type_name);
  EXPECT_EQ(out.binary(), GetParam().binary);
  EXPECT_EQ(static_cast<int>(out.type()),
            static_cast<int>(GetParam().column.type));
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, ColumnTypeNameTest, testing::ValuesIn(TypeNames()),
    [](const testing::TestParamInfo<TypeNameCase>& info) {
      return info.param.name;
    });

TEST(ColumnToProtoTest, CopiesEveryField) {
  ColumnDefinition c = Column(
      ColumnType::kLongLong, 63,
      mysqlwire::kNotNullFlag | mysqlwire::kUnsignedFlag | mysqlwire::kPriKeyFlag |
          mysqlwire::kAutoIncrementFlag,
      20, 0);
  c.catalog = "def";
  c.schema = "shop";
  c.table = "o";
  c.org_table = "orders";
  c.name = "order_id";
  c.org_name = "id";
  v1::Column out;
  ColumnToProto(c, &out);
  v1::Column expected;
  ASSERT_TRUE(TextFormat::ParseFromString(
      R"pb(name: "order_id" org_name: "id" table: "o" org_table: "orders"
           schema: "shop" type: COLUMN_TYPE_LONGLONG
           type_name: "BIGINT UNSIGNED" nullable: false unsigned: true
           binary: false collation_id: 63 length: 20 decimals: 0
           flags: 547)pb",
      &expected));
  EXPECT_TRUE(MessageDifferencer::Equals(out, expected))
      << out.ShortDebugString();
}

TEST(ColumnToProtoTest, NullableUnlessNotNullFlag) {
  v1::Column out;
  ColumnToProto(Column(ColumnType::kVarString, kUtf8mb4, 0, 400), &out);
  EXPECT_TRUE(out.nullable());
  EXPECT_FALSE(out.unsigned_());
  EXPECT_EQ(out.collation_id(), kUtf8mb4);
  EXPECT_EQ(out.length(), 400u);
  ColumnToProto(
      Column(ColumnType::kVarString, kUtf8mb4, mysqlwire::kNotNullFlag, 400),
      &out);
  EXPECT_FALSE(out.nullable());
}

TEST(ColumnToProtoTest, DecimalsAreCopied) {
  v1::Column out;
  ColumnToProto(Column(ColumnType::kDateTime, 63, 0, 26, 6), &out);
  EXPECT_EQ(out.decimals(), 6u);
  EXPECT_EQ(out.type(), v1::COLUMN_TYPE_DATETIME);
}

// ---------------------------------------------------------------------------
// ApproximateSize

TEST(ApproximateSizeTest, IsWhatTheRowAddsToARepeatedField) {
  v1::ResultSet rs;
  size_t sum = 0;
  // The third row is over 127 bytes, so its length prefix takes two bytes.
  for (size_t text_size : {0, 10, 300}) {
    v1::Row* row = rs.add_rows();
    row->add_values()->set_int64(-1);
    row->add_values()->set_string(std::string(text_size, 'a'));
    row->add_values()->set_null(google::protobuf::NULL_VALUE);
    sum += ApproximateSize(*row);
    EXPECT_EQ(sum, rs.ByteSizeLong()) << text_size;
  }
}

TEST(ApproximateSizeTest, EmptyRow) {
  v1::Row row;
  EXPECT_EQ(ApproximateSize(row), 2u);  // Tag and a zero length.
}

}  // namespace
}  // namespace mysqlgw
