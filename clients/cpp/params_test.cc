#include "clients/cpp/params.h"

#include <string>

#include "gtest/gtest.h"

namespace mysqlgw::client {
namespace {

TEST(ParamTest, EachFactorySetsItsKind) {
  EXPECT_EQ(Param::Null().kind_case(), v1::Value::kNull);
  EXPECT_EQ(Param::Int(-5).int64(), -5);
  EXPECT_EQ(Param::Uint(UINT64_MAX).uint64(), UINT64_MAX);
  EXPECT_EQ(Param::Double(2.5).double_(), 2.5);
  EXPECT_EQ(Param::Float(0.5f).float_(), 0.5f);
  EXPECT_EQ(Param::Decimal("1.20").decimal(), "1.20");
  EXPECT_EQ(Param::String("héllo").string(), "héllo");
  EXPECT_EQ(Param::Bytes(std::string("\0\xff", 2)).bytes(), std::string("\0\xff", 2));
  EXPECT_EQ(Param::Json("[1]").json(), "[1]");
  v1::Value d = Param::Date(2024, 2, 29);
  EXPECT_EQ(d.date().year(), 2024u);
  EXPECT_EQ(d.date().month(), 2u);
  EXPECT_EQ(d.date().day(), 29u);
  v1::Value dt = Param::DateTime(2024, 1, 2, 3, 4, 5, 6);
  EXPECT_EQ(dt.datetime().hour(), 3u);
  EXPECT_EQ(dt.datetime().minute(), 4u);
  EXPECT_EQ(dt.datetime().second(), 5u);
  EXPECT_EQ(dt.datetime().microsecond(), 6u);
  v1::Value t = Param::Time(100, 2, 3, 4, /*negative=*/true);
  EXPECT_TRUE(t.time().negative());
  EXPECT_EQ(t.time().hours(), 100u);
  EXPECT_EQ(t.time().microsecond(), 4u);
}

TEST(ParamTest, TimeFromDuration) {
  v1::Value t = Param::Time(-(absl::Hours(100) + absl::Minutes(2) + absl::Seconds(3) +
                              absl::Microseconds(4) + absl::Nanoseconds(999)));
  EXPECT_TRUE(t.time().negative());
  EXPECT_EQ(t.time().hours(), 100u);
  EXPECT_EQ(t.time().minute(), 2u);
  EXPECT_EQ(t.time().second(), 3u);
  EXPECT_EQ(t.time().microsecond(), 4u);
  EXPECT_FALSE(Param::Time(absl::Seconds(1)).time().negative());
  // No negative zero.
  EXPECT_FALSE(Param::Time(absl::Nanoseconds(-1)).time().negative());
  EXPECT_FALSE(Param::Time(0, 0, 0, 0, true).time().negative());
}

TEST(ParamsTest, PositionalAndNamed) {
  Params none;
  EXPECT_TRUE(none.empty());
  Params positional = {Param::Int(1), Param::String("a")};
  ASSERT_EQ(positional.positional.size(), 2u);
  EXPECT_EQ(positional.positional[1].string(), "a");
  EXPECT_TRUE(positional.named.empty());
  Params named = Params::Named({{"id", Param::Int(7)}, {"name", Param::Null()}});
  EXPECT_TRUE(named.positional.empty());
  ASSERT_EQ(named.named.size(), 2u);
  EXPECT_EQ(named.named.at("id").int64(), 7);
}

}  // namespace
}  // namespace mysqlgw::client
