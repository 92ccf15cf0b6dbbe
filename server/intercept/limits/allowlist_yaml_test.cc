// LearnedAsYaml must be something an operator can paste: read it back with
// the gateway's own configuration loader and check the allowlist it gives.
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "server/config/config_loader.h"
#include "server/intercept/limits/allowlist.h"

namespace mysqlgw {
namespace {

void See(AllowlistHook& hook, const std::string& principal, uint64_t digest,
         const std::string& text) {
  ClientInfo client;
  client.principal = principal;
  StatementContext ctx;
  ctx.client = &client;
  ctx.kind = StatementKind::kSelect;
  ctx.digest = digest;
  ctx.digest_text = text;
  StatementPlan plan;
  hook.ReadQuery(ctx, plan);
}

TEST(AllowlistYamlTest, LearnedSnippetLoadsAsTheSameAllowlist) {
  v1::InterceptionConfig learn;
  learn.mutable_allowlist()->set_mode(v1::ALLOWLIST_MODE_LEARN);
  absl::StatusOr<std::unique_ptr<AllowlistHook>> learner = AllowlistHook::Create(learn);
  ASSERT_TRUE(learner.ok()) << learner.status();
  See(**learner, "app", 0x0123456789abcdefULL, "SELECT * FROM `t` WHERE `id` = ?");
  // A digest text trying to end the comment and add configuration.
  See(**learner, "app", 0x1ULL, "SELECT ? # x\n      - principal: \"evil\"\n        digests: []");
  See(**learner, "quo\"te\\back", 0xffffffffffffffffULL, "SELECT '#' , \"x\"");
  See(**learner, "ünïcode", 0x42ULL, "SELECT ?");

  const std::string yaml = (*learner)->LearnedAsYaml();
  absl::StatusOr<v1::GatewayConfig> config = ParseConfig(yaml, ConfigFormat::kYaml, "learned");
  ASSERT_TRUE(config.ok()) << config.status() << "\n" << yaml;
  const v1::AllowlistConfig& allowlist = config->interception().allowlist();
  ASSERT_EQ(allowlist.entries_size(), 3) << yaml;
  EXPECT_EQ(allowlist.entries(0).principal(), "app");
  EXPECT_EQ(allowlist.entries(0).digests_size(), 2);
  EXPECT_EQ(allowlist.entries(1).principal(), "quo\"te\\back");
  EXPECT_EQ(allowlist.entries(2).principal(), "ünïcode");

  v1::InterceptionConfig protect = config->interception();
  protect.mutable_allowlist()->set_mode(v1::ALLOWLIST_MODE_PROTECT);
  absl::StatusOr<std::unique_ptr<AllowlistHook>> hook = AllowlistHook::Create(protect);
  ASSERT_TRUE(hook.ok()) << hook.status();
  EXPECT_TRUE((*hook)->Allows("app", 0x0123456789abcdefULL));
  EXPECT_TRUE((*hook)->Allows("app", 0x1ULL));
  EXPECT_TRUE((*hook)->Allows("quo\"te\\back", 0xffffffffffffffffULL));
  EXPECT_TRUE((*hook)->Allows("ünïcode", 0x42ULL));
  EXPECT_FALSE((*hook)->Allows("app", 0x42ULL));
  EXPECT_FALSE((*hook)->Allows("evil", 0x1ULL));
}

}  // namespace
}  // namespace mysqlgw
