#include "server/log/log.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

std::string Json(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(AppendJsonStringTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Json("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(Json(absl::string_view("\x01\0", 2)), "\"\\u0001\\u0000\"");
  EXPECT_EQ(Json(""), "\"\"");
}

TEST(AppendJsonStringTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(Json("caf\xc3\xa9 \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Json("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(Json("\xc3"), "\"\\ufffd\"");             // Truncated sequence.
  EXPECT_EQ(Json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");  // Overlong '/'.
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // Surrogate.
}

}  // namespace
}  // namespace mysqlgw
