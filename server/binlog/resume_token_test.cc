#include "server/binlog/resume_token.h"

#include "gtest/gtest.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {
namespace {

TEST(ResumeTokenTest, RoundTrip) {
  ResumePoint p{"0-1-100,1-2-5", "mysql-bin.000003", 12345};
  auto back = DecodeResumeToken(EncodeResumeToken(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->gtid_state, p.gtid_state);
  EXPECT_EQ(back->file, p.file);
  EXPECT_EQ(back->position, p.position);
}

TEST(ResumeTokenTest, RejectsGarbage) {
  const std::string good = EncodeResumeToken({"0-1-1", "f", 4});
  for (const std::string& bad : {std::string(""), std::string("mgw1."), std::string("x"),
                                std::string("mgw2.") + good.substr(5),
                                good.substr(0, good.size() - 3),
                                std::string("mgw1.") + "bm90IGEgdG9rZW4"}) {
    auto d = DecodeResumeToken(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(GlobTest, Matches) {
  EXPECT_TRUE(GlobMatch("shop.*", "shop.orders"));
  EXPECT_TRUE(GlobMatch("*.orders", "shop.orders"));
  EXPECT_TRUE(GlobMatch("shop.ord?rs", "shop.orders"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("shop.*", "shopx.orders"));
  EXPECT_FALSE(GlobMatch("shop.orders", "shop.orders2"));
  EXPECT_TRUE(GlobMatch("a*b*c*d", "aXbYcZd"));
  EXPECT_FALSE(GlobMatch("a*b*c*e", std::string(1000, 'a')));
}

}  // namespace
}  // namespace mysqlgw
