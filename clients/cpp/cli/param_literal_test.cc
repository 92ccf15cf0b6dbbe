#include "clients/cpp/cli/param_literal.h"

#include <string>

#include "clients/cpp/params.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

struct Case {
  const char* arg;
  v1::Value expected;
};

TEST(ParamLiteralTest, ValidLiterals) {
  const Case cases[] = {
      {"null", Param::Null()},
      {"NULL", Param::Null()},
      {"int:5", Param::Int(5)},
      {"int:-9223372036854775808", Param::Int(INT64_MIN)},
      {"uint:18446744073709551615", Param::Uint(UINT64_MAX)},
      {"dbl:2.5", Param::Double(2.5)},
      {"double:-1e300", Param::Double(-1e300)},
      {"float:0.5", Param::Float(0.5f)},
      {"dec:1.50", Param::Decimal("1.50")},
      {"decimal:-0.001", Param::Decimal("-0.001")},
      {"dec:+12", Param::Decimal("+12")},
      {"str:text", Param::String("text")},
      {"str:", Param::String("")},
      {"str:null", Param::String("null")},
      {"str:int:5", Param::String("int:5")},
      {"string:a:b", Param::String("a:b")},
      {"hex:00ff", Param::Bytes(std::string("\x00\xff", 2))},
      {"hex:0x00FF", Param::Bytes(std::string("\x00\xff", 2))},
      {"hex:", Param::Bytes("")},
      {"b64:AP8=", Param::Bytes(std::string("\x00\xff", 2))},
      {"date:2024-01-02", Param::Date(2024, 1, 2)},
      {"date:0000-00-00", Param::Date(0, 0, 0)},
      {"datetime:2024-01-02 03:04:05", Param::DateTime(2024, 1, 2, 3, 4, 5)},
      {"datetime:2024-01-02T03:04:05.5", Param::DateTime(2024, 1, 2, 3, 4, 5, 500000)},
      {"datetime:2024-01-02 23:59:59.999999", Param::DateTime(2024, 1, 2, 23, 59, 59, 999999)},
      {"datetime:2024-01-02", Param::DateTime(2024, 1, 2)},
      {"time:12:30:00", Param::Time(12, 30, 0)},
      {"time:-100:00:00", Param::Time(100, 0, 0, 0, true)},
      {"time:838:59:59.000001", Param::Time(838, 59, 59, 1)},
      {"time:0:00:01", Param::Time(0, 0, 1)},
      {"json:{\"a\":[1,2]}", Param::Json("{\"a\":[1,2]}")},
      // Plain words, and words whose prefix is no type, are strings.
      {"hello", Param::String("hello")},
      {"hello world", Param::String("hello world")},
      {"http://example.com", Param::String("http://example.com")},
      {"", Param::String("")},
      {"Int:5", Param::String("Int:5")},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::Value> got = ParseParamLiteral(c.arg);
    ASSERT_TRUE(got.ok()) << c.arg << ": " << got.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*got, c.expected))
        << c.arg << ": got " << got->ShortDebugString() << ", want "
        << c.expected.ShortDebugString();
  }
}

TEST(ParamLiteralTest, MalformedTypedLiteralsAreErrors) {
  const char* bad[] = {
      "int:",
      "int:abc",
      "int:5x",
      "int: 5",
      "int:9223372036854775808",
      "uint:-1",
      "uint:+1",
      "uint:18446744073709551616",
      "uint:",
      "dbl:",
      "dbl:abc",
      "dbl:nan",
      "dbl:inf",
      "float:1e999",
      "dec:",
      "dec:1.",
      "dec:.5",
      "dec:1e5",
      "dec:abc",
      "dec:1.2.3",
      "dec:--1",
      "hex:0",
      "hex:zz",
      "hex:0x0",
      "b64:!!!",
      "date:2024-1-2",
      "date:2024-13-01",
      "date:2024-01-32",
      "date:20240102",
      "date:",
      "datetime:2024-01-02 24:00:00",
      "datetime:2024-01-02 3:04:05",
      "datetime:2024-01-02 03:60:00",
      "datetime:2024-01-02 03:04:05.1234567",
      "datetime:2024-01-02 03:04:05.",
      "datetime:2024-01-02X03:04:05",
      "datetime:2024-01-02 ",
      "time:",
      "time:839:00:00",
      "time:1:2:3",
      "time:12:30",
      "time:-",
      "time:12:30:00.x",
  };
  for (const char* arg : bad) {
    absl::StatusOr<v1::Value> got = ParseParamLiteral(arg);
    ASSERT_FALSE(got.ok()) << arg << " parsed as " << got->ShortDebugString();
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr(arg));
  }
}

}  // namespace
}  // namespace mysqlgw::client::cli
