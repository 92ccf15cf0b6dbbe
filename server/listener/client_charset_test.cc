#include "server/listener/client_charset.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

TEST(ClientCharsetTest, Utf8mb4NeedsNothing) {
  for (int id : {45, 46, 224, 246, 255}) {
    SCOPED_TRACE(id);
    EXPECT_FALSE(SetNamesFor(static_cast<uint8_t>(id)).has_value());
  }
}

TEST(ClientCharsetTest, OtherCharsetsAreSetByName) {
  EXPECT_EQ(SetNamesFor(8), "SET NAMES latin1");   // latin1_swedish_ci, the old default.
  EXPECT_EQ(SetNamesFor(48), "SET NAMES latin1");  // latin1_general_ci.
  EXPECT_EQ(SetNamesFor(33), "SET NAMES utf8mb3");
  EXPECT_EQ(SetNamesFor(192), "SET NAMES utf8mb3");
  EXPECT_EQ(SetNamesFor(63), "SET NAMES binary");
  EXPECT_EQ(SetNamesFor(28), "SET NAMES gbk");
  EXPECT_EQ(SetNamesFor(51), "SET NAMES cp1251");
}

TEST(ClientCharsetTest, UnknownIdsAreLeftAlone) {
  EXPECT_FALSE(SetNamesFor(0).has_value());
  EXPECT_FALSE(SetNamesFor(35).has_value());  // ucs2: not a client character set.
  EXPECT_FALSE(SetNamesFor(250).has_value());
}

}  // namespace
}  // namespace mysqlgw
