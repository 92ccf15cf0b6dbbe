#include "server/intercept/limits/allowlist.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "server/sql/digest.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kSelectDigest = 0x0123456789abcdefULL;
constexpr uint64_t kInsertDigest = 0xfedcba9876543210ULL;
constexpr uint64_t kPingDigest = 0x00000000000000aaULL;

v1::InterceptionConfig Config(v1::AllowlistMode mode) {
  v1::InterceptionConfig config;
  v1::AllowlistConfig* allowlist = config.mutable_allowlist();
  allowlist->set_mode(mode);
  v1::AllowlistEntry* app = allowlist->add_entries();
  app->set_principal("app");
  app->add_digests("0123456789abcdef");
  v1::AllowlistEntry* all = allowlist->add_entries();
  all->set_principal("*");
  all->add_digests("00000000000000AA");  // Upper case is accepted.
  allowlist->add_exempt_principals("admin");
  return config;
}

struct Statement {
  ClientInfo client;
  StatementContext ctx;
  StatementPlan plan;

  Statement(const std::string& principal, uint64_t digest, const std::string& text,
            StatementKind kind = StatementKind::kSelect) {
    client.principal = principal;
    ctx.client = &client;
    ctx.sql = text;
    ctx.digest = digest;
    ctx.digest_text = text;
    ctx.kind = kind;
  }
  Statement(const Statement&) = delete;
};

std::unique_ptr<AllowlistHook> MakeHook(v1::AllowlistMode mode,
                                        std::vector<std::string>* log = nullptr,
                                        size_t max_learned = 100000) {
  AllowlistHook::Options options;
  options.max_learned = max_learned;
  if (log != nullptr) options.log = [log](absl::string_view line) { log->emplace_back(line); };
  absl::StatusOr<std::unique_ptr<AllowlistHook>> hook = AllowlistHook::Create(Config(mode), options);
  EXPECT_TRUE(hook.ok()) << hook.status();
  return *std::move(hook);
}

TEST(ParseDigestHexTest, ExactlySixteenHexDigits) {
  EXPECT_EQ(ParseDigestHex("0123456789abcdef"), kSelectDigest);
  EXPECT_EQ(ParseDigestHex("FEDCBA9876543210"), kInsertDigest);
  EXPECT_EQ(ParseDigestHex("0123456789abcde"), std::nullopt);
  EXPECT_EQ(ParseDigestHex("0123456789abcdef0"), std::nullopt);
  EXPECT_EQ(ParseDigestHex("0123456789abcdeg"), std::nullopt);
  EXPECT_EQ(ParseDigestHex("0x23456789abcdef"), std::nullopt);
  EXPECT_EQ(ParseDigestHex(""), std::nullopt);
  const std::string full = "0123456789abcdef";
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_EQ(ParseDigestHex(full.substr(0, n)), std::nullopt) << n;
  }
  EXPECT_EQ(ParseDigestHex(std::string("0123456789abcde\0", 16)), std::nullopt);
}

TEST(AllowlistHookTest, ProtectRejectsDigestsOutsideTheList) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_PROTECT);
  Statement allowed("app", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?");
  hook->ReadQuery(allowed.ctx, allowed.plan);
  EXPECT_FALSE(allowed.plan.decided());

  Statement refused("app", kInsertDigest, "INSERT INTO `t` VALUES (...)", StatementKind::kInsert);
  hook->ReadQuery(refused.ctx, refused.plan);
  ASSERT_EQ(refused.plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_EQ(refused.plan.rejection.code(), absl::StatusCode::kPermissionDenied);
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(refused.plan.rejection);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 1227);
  EXPECT_EQ(error->sql_state, "42000");
  EXPECT_EQ(error->message,
            "statement digest fedcba9876543210 is not in the allowlist of principal 'app'");
  EXPECT_EQ(hook->allowed(), 1u);
  EXPECT_EQ(hook->rejected(), 1u);
  EXPECT_EQ(hook->detected(), 0u);
}

TEST(AllowlistHookTest, WildcardEntriesApplyToEveryPrincipal) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_PROTECT);
  Statement ping_app("app", kPingDigest, "SELECT ?");
  Statement ping_other("reports", kPingDigest, "SELECT ?");
  Statement select_other("reports", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?");
  hook->ReadQuery(ping_app.ctx, ping_app.plan);
  hook->ReadQuery(ping_other.ctx, ping_other.plan);
  hook->ReadQuery(select_other.ctx, select_other.plan);
  EXPECT_FALSE(ping_app.plan.decided());
  EXPECT_FALSE(ping_other.plan.decided());
  // app's own entry does not extend to other principals.
  EXPECT_EQ(select_other.plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_TRUE(hook->Allows("anyone", kPingDigest));
  EXPECT_FALSE(hook->Allows("anyone", kSelectDigest));
}

TEST(AllowlistHookTest, ExemptPrincipalsAndEmptyStatementsAreNotChecked) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_PROTECT);
  Statement admin("admin", kInsertDigest, "DROP TABLE `t`", StatementKind::kDdl);
  hook->ReadQuery(admin.ctx, admin.plan);
  EXPECT_FALSE(admin.plan.decided());
  Statement empty("app", 42, "", StatementKind::kEmpty);
  hook->ReadQuery(empty.ctx, empty.plan);
  EXPECT_FALSE(empty.plan.decided());
  EXPECT_EQ(hook->allowed() + hook->rejected(), 0u);
}

TEST(AllowlistHookTest, NoClientIsTheEmptyPrincipal) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_PROTECT);
  StatementContext ctx;
  ctx.digest = kInsertDigest;
  StatementPlan plan;
  hook->ReadQuery(ctx, plan);
  ASSERT_EQ(plan.verdict, StatementPlan::Verdict::kReject);
  EXPECT_THAT(plan.rejection.message(), HasSubstr("principal ''"));
}

TEST(AllowlistHookTest, DetectCountsEveryTimeAndLogsOncePerPrincipalAndDigest) {
  std::vector<std::string> log;
  auto hook = MakeHook(v1::ALLOWLIST_MODE_DETECT, &log);
  for (int i = 0; i < 3; ++i) {
    Statement s("app", kInsertDigest, "INSERT INTO `t`\nVALUES (...)", StatementKind::kInsert);
    hook->ReadQuery(s.ctx, s.plan);
    EXPECT_FALSE(s.plan.decided());
  }
  Statement other("reports", kInsertDigest, "INSERT INTO `t` VALUES (...)");
  hook->ReadQuery(other.ctx, other.plan);
  Statement allowed("app", kSelectDigest, "SELECT 1");
  hook->ReadQuery(allowed.ctx, allowed.plan);

  EXPECT_EQ(hook->detected(), 4u);
  EXPECT_EQ(hook->allowed(), 1u);
  EXPECT_EQ(hook->rejected(), 0u);
  // The newline in the digest text is flattened so one event is one line.
  EXPECT_THAT(log, ElementsAre("allowlist: statement digest fedcba9876543210 of principal 'app' "
                               "is not in the allowlist (detect mode): INSERT INTO `t` VALUES (...)",
                               "allowlist: statement digest fedcba9876543210 of principal "
                               "'reports' is not in the allowlist (detect mode): "
                               "INSERT INTO `t` VALUES (...)"));
}

TEST(AllowlistHookTest, OffChecksNothing) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_OFF);
  Statement s("app", kInsertDigest, "INSERT");
  hook->ReadQuery(s.ctx, s.plan);
  EXPECT_FALSE(s.plan.decided());
  EXPECT_EQ(hook->allowed() + hook->rejected() + hook->detected(), 0u);
  EXPECT_TRUE(hook->Learned().empty());
}

TEST(AllowlistHookTest, LearnRecordsEachDigestOncePerPrincipal) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN);
  for (int i = 0; i < 2; ++i) {
    Statement a("app", kInsertDigest, "INSERT INTO `t` VALUES (...)", StatementKind::kInsert);
    Statement b("app", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?");
    Statement c("batch", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?");
    Statement exempt("admin", 7, "SHOW TABLES", StatementKind::kShow);
    for (Statement* s : {&a, &b, &c, &exempt}) {
      hook->ReadQuery(s->ctx, s->plan);
      EXPECT_FALSE(s->plan.decided());
    }
  }
  EXPECT_THAT(hook->Learned(),
              ElementsAre(LearnedStatement{"app", kInsertDigest, "INSERT INTO `t` VALUES (...)"},
                          LearnedStatement{"app", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?"},
                          LearnedStatement{"batch", kSelectDigest,
                                           "SELECT * FROM `t` WHERE `id` = ?"}));
  EXPECT_EQ(hook->learned_dropped(), 0u);
  EXPECT_EQ(hook->rejected(), 0u);
}

TEST(AllowlistHookTest, LearnIsBoundedAndCountsWhatItDrops) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN, nullptr, /*max_learned=*/2);
  for (uint64_t digest = 1; digest <= 5; ++digest) {
    Statement s("app", digest, "SELECT ?");
    hook->ReadQuery(s.ctx, s.plan);
  }
  Statement again("app", 1, "SELECT ?");  // Already learned: not a drop.
  hook->ReadQuery(again.ctx, again.plan);
  EXPECT_EQ(hook->Learned().size(), 2u);
  EXPECT_EQ(hook->learned_dropped(), 3u);
  EXPECT_THAT(hook->LearnedAsYaml(), HasSubstr("2 statement digest(s) (3 more not recorded"));
}

TEST(AllowlistHookTest, LearnFromManyThreads) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN, nullptr, /*max_learned=*/500);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&hook, t] {
      for (uint64_t digest = 0; digest < 300; ++digest) {
        Statement s(t % 2 == 0 ? "even" : "odd", digest, "SELECT ?");
        hook->ReadQuery(s.ctx, s.plan);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  // 600 distinct pairs, each seen twice; 500 kept, the other 100 dropped
  // once per thread that met them.
  EXPECT_EQ(hook->Learned().size(), 500u);
  EXPECT_EQ(hook->learned_dropped(), 200u);
}

TEST(AllowlistHookTest, LearnedAsYamlIsAConfigSnippet) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN);
  Statement a("app", kSelectDigest, "SELECT * FROM `t` WHERE `id` = ?");
  Statement b("app", kInsertDigest, "INSERT INTO `t` VALUES (...)\n  bad: injected");
  Statement c("we\"ird", 0xaa, "");
  for (Statement* s : {&a, &b, &c}) hook->ReadQuery(s->ctx, s->plan);
  EXPECT_EQ(hook->LearnedAsYaml(),
            "# Learned by mysqlgw: 3 statement digest(s).\n"
            "# Review, then use mode: detect or protect.\n"
            "interception:\n"
            "  allowlist:\n"
            "    entries:\n"
            "      - principal: \"app\"\n"
            "        digests:\n"
            "          - \"fedcba9876543210\"  # INSERT INTO `t` VALUES (...)   bad: injected\n"
            "          - \"0123456789abcdef\"  # SELECT * FROM `t` WHERE `id` = ?\n"
            "      - principal: \"we\\\"ird\"\n"
            "        digests:\n"
            "          - \"00000000000000aa\"\n");
}

TEST(AllowlistHookTest, LearnedAsYamlShortensLongTexts) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN);
  Statement s("app", 1, "SELECT " + std::string(300, 'x'));
  hook->ReadQuery(s.ctx, s.plan);
  const std::string yaml = hook->LearnedAsYaml();
  EXPECT_THAT(yaml, HasSubstr("# SELECT xxx"));
  EXPECT_THAT(yaml, HasSubstr("xxx...\n"));
  EXPECT_LT(yaml.size(), 400u);
}

TEST(AllowlistHookTest, EmptyLearnedYamlIsStillValid) {
  auto hook = MakeHook(v1::ALLOWLIST_MODE_LEARN);
  EXPECT_THAT(hook->LearnedAsYaml(), HasSubstr("    entries: []\n"));
}

TEST(AllowlistHookTest, CreateListsEveryProblemWithItsPath) {
  v1::InterceptionConfig config;
  v1::AllowlistConfig* allowlist = config.mutable_allowlist();
  allowlist->set_mode(static_cast<v1::AllowlistMode>(9));
  allowlist->add_entries()->add_digests("0123456789abcdef");
  v1::AllowlistEntry* bad = allowlist->add_entries();
  bad->set_principal("app");
  bad->add_digests("0123456789abcdef");
  bad->add_digests("SELECT 1");
  allowlist->add_entries()->set_principal("batch");
  allowlist->add_exempt_principals("");
  allowlist->add_exempt_principals("*");
  absl::StatusOr<std::unique_ptr<AllowlistHook>> hook = AllowlistHook::Create(config);
  ASSERT_FALSE(hook.ok());
  EXPECT_EQ(hook.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(hook.status().message(),
            "invalid configuration:\n"
            "interception.allowlist: mode 9 is not a known AllowlistMode\n"
            "interception.allowlist.entries[0]: principal must not be empty (\"*\" for every "
            "principal)\n"
            "interception.allowlist.entries[1].digests[1]: 'SELECT 1' is not a digest (16 hex "
            "digits, as in the logs)\n"
            "interception.allowlist.entries[2]: digests must not be empty (an entry without "
            "digests allows nothing)\n"
            "interception.allowlist.exempt_principals[0]: must not be empty\n"
            "interception.allowlist.exempt_principals[1]: '*' would exempt every principal; use "
            "mode: off instead");
}

TEST(AllowlistHookTest, EntriesForOnePrincipalAddUp) {
  v1::InterceptionConfig config = Config(v1::ALLOWLIST_MODE_PROTECT);
  v1::AllowlistEntry* more = config.mutable_allowlist()->add_entries();
  more->set_principal("app");
  more->add_digests("fedcba9876543210");
  absl::StatusOr<std::unique_ptr<AllowlistHook>> hook = AllowlistHook::Create(config);
  ASSERT_TRUE(hook.ok()) << hook.status();
  EXPECT_TRUE((*hook)->Allows("app", kSelectDigest));
  EXPECT_TRUE((*hook)->Allows("app", kInsertDigest));
}

}  // namespace
}  // namespace mysqlgw
