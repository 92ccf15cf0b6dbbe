#include "server/binlog/resume_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {
namespace {

TEST(ResumeTokenTest, RoundTrip) {
  ResumePoint p{"0-1-100,1-2-5", "mysql-bin.000003", 12345, std::nullopt};
  auto back = DecodeResumeToken(EncodeResumeToken(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->gtid_state, p.gtid_state);
  EXPECT_EQ(back->file, p.file);
  EXPECT_EQ(back->position, p.position);
}

TEST(ResumeTokenTest, RejectsGarbage) {
  const std::string good = EncodeResumeToken({"0-1-1", "f", 4, std::nullopt});
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

TEST(ResumeTokenTest, SnapshotCursorRoundTrip) {
  ResumePoint p{"0-1-7", "mysql-bin.000002", 900, SnapshotCursor{}};
  p.snapshot->done = {{"shop", "orders"}, {"we\nird", "t.\x01"}};
  p.snapshot->remaining = {{"shop", "items"}, {"shop", "users"}};
  p.snapshot->last_key = std::string("\x08\x02\x00key", 6);
  p.snapshot->progress_rows = 500;
  const std::string token = EncodeResumeToken(p);
  EXPECT_EQ(token.substr(0, 5), "mgw2.");
  auto back = DecodeResumeToken(token);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->file, "mysql-bin.000002");
  EXPECT_EQ(back->position, 900u);
  ASSERT_TRUE(back->snapshot.has_value());
  EXPECT_EQ(back->snapshot->done, p.snapshot->done);
  EXPECT_EQ(back->snapshot->remaining, p.snapshot->remaining);
  EXPECT_EQ(back->snapshot->last_key, p.snapshot->last_key);
  EXPECT_EQ(back->snapshot->progress_rows, 500u);
  // A plain point stays a version-1 token without a cursor.
  auto plain = DecodeResumeToken(EncodeResumeToken({"0-1-7", "f", 4, std::nullopt}));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->snapshot.has_value());
}

TEST(ResumeTokenTest, TruncatedOrCorruptedSnapshotTokensAreRejected) {
  ResumePoint p{"0-1-7", "mysql-bin.000002", 900, SnapshotCursor{}};
  p.snapshot->done = {{"shop", "orders"}};
  p.snapshot->remaining = {{"shop", "items"}};
  p.snapshot->last_key = "k";
  const std::string token = EncodeResumeToken(p);
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(5), &raw));
  // Every truncation of the fields, and counts that lie.
  for (size_t n = 0; n < raw.size(); ++n) {
    auto d = DecodeResumeToken("mgw2." + absl::WebSafeBase64Escape(raw.substr(0, n)));
    EXPECT_FALSE(d.ok()) << n;
  }
  for (const std::string& lie : {absl::StrReplaceAll(raw, {{"\n1\n", "\n9\n"}}),
                                 absl::StrReplaceAll(raw, {{"\n1\n", "\n99999999999\n"}}),
                                 raw + "\nextra"}) {
    EXPECT_FALSE(DecodeResumeToken("mgw2." + absl::WebSafeBase64Escape(lie)).ok());
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
