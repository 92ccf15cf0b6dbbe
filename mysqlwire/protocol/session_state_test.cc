#include "mysqlwire/protocol/session_state.h"

#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

// Schema "shop", then autocommit=OFF, then state change "1", then a GTID
// entry (type 3) that is skipped.
const std::string kState =
    "\x01\x05\x04shop"s
    "\x00\x0f\x0a" "autocommit\x03OFF"s
    "\x02\x02\x01" "1"s
    "\x03\x03\x00\x01x"s;

TEST(SessionStateTest, ParsesSchemaVariablesAndFlag) {
  auto s = ParseSessionState(kState);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->schema.has_value());
  EXPECT_EQ(*s->schema, "shop");
  ASSERT_EQ(s->system_variables.size(), 1u);
  EXPECT_EQ(s->system_variables[0].first, "autocommit");
  EXPECT_EQ(s->system_variables[0].second, "OFF");
  EXPECT_TRUE(s->state_changed);
}

TEST(SessionStateTest, MariaDbBareStateChangeFlag) {
  // Captured from MariaDB 10.11 after SET @v = 1 with
  // session_track_state_change=ON: the flag is not length-prefixed.
  auto s = ParseSessionState("\x02\x01" "1"s);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->state_changed);
  EXPECT_FALSE(ParseSessionState("\x02\x01" "x"s).ok());
}

TEST(SessionStateTest, EmptyIsNoChange) {
  auto s = ParseSessionState("");
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->schema.has_value());
  EXPECT_FALSE(s->state_changed);
}

TEST(SessionStateTest, TruncationsFail) {
  // Cuts at entry boundaries are valid shorter sequences; all others fail.
  const size_t boundaries[] = {0, 7, 24, 28, kState.size()};
  for (size_t n = 0; n <= kState.size(); ++n) {
    auto s = ParseSessionState(kState.substr(0, n));
    bool boundary = false;
    for (size_t b : boundaries) boundary |= b == n;
    EXPECT_EQ(s.ok(), boundary) << n;
    if (!s.ok()) {
      EXPECT_TRUE(IsProtocolError(s.status()));
    }
  }
}

TEST(SessionStateTest, InnerTrailingBytesFail) {
  EXPECT_FALSE(ParseSessionState("\x01\x06\x04shopX"s).ok());
}

}  // namespace
}  // namespace mysqlwire
