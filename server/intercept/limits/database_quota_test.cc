#include "server/intercept/limits/database_quota.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1024 * 1024;

v1::InterceptionConfig Config() {
  v1::InterceptionConfig config;
  v1::DatabaseQuotaConfig* shop = config.add_database_quotas();
  shop->set_database("shop");
  shop->set_max_bytes(10 * kMiB);
  v1::DatabaseQuotaConfig* logs = config.add_database_quotas();
  logs->set_database("logs");
  logs->set_max_bytes(kMiB);
  logs->mutable_refresh_interval()->set_seconds(15);
  return config;
}

std::shared_ptr<DatabaseQuota> Make(const v1::InterceptionConfig& config,
                                    const DatabaseQuota* previous = nullptr) {
  absl::StatusOr<std::shared_ptr<DatabaseQuota>> quota = DatabaseQuota::Create(config, previous);
  EXPECT_TRUE(quota.ok()) << quota.status();
  return *std::move(quota);
}

struct Statement {
  ClientInfo client;
  StatementContext ctx;
  StatementPlan plan;
  Statement(StatementKind kind, const std::string& text, const std::string& database,
            std::vector<TableRef> tables = {}) {
    client.principal = "app";
    ctx.client = &client;
    ctx.kind = kind;
    ctx.sql = text;
    ctx.digest_text = text;
    ctx.database = database;
    ctx.tables = std::move(tables);
  }
  Statement(const Statement&) = delete;
  bool Passes(Hook& hook) {
    hook.ReadQuery(ctx, plan);
    return !plan.decided();
  }
};

TEST(DatabaseQuotaTest, CreateAndRefreshInterval) {
  auto quota = Make(Config());
  EXPECT_THAT(quota->databases(), ElementsAre("shop", "logs"));
  EXPECT_EQ(quota->refresh_interval(), std::chrono::seconds(15));
  EXPECT_EQ(Make(v1::InterceptionConfig())->refresh_interval(), std::chrono::seconds(60));
}

TEST(DatabaseQuotaTest, UnmeasuredIsNotEnforced) {
  auto quota = Make(Config());
  ASSERT_TRUE(quota->UsageOf("shop").has_value());
  EXPECT_FALSE(quota->UsageOf("shop")->used_bytes.has_value());
  EXPECT_EQ(quota->UsageOf("shop")->max_bytes, 10 * kMiB);
  EXPECT_FALSE(quota->IsOver("shop"));
  EXPECT_FALSE(quota->UsageOf("other").has_value());
}

TEST(DatabaseQuotaTest, OverAtTheMaximum) {
  auto quota = Make(Config());
  quota->Update("shop", 10 * kMiB - 1);
  EXPECT_FALSE(quota->IsOver("shop"));
  quota->Update("shop", 10 * kMiB);
  EXPECT_TRUE(quota->IsOver("shop"));
  quota->Update("shop", 0);
  EXPECT_FALSE(quota->IsOver("shop"));
  quota->Update("other", 1ull << 60);  // No quota: ignored.
  EXPECT_FALSE(quota->IsOver("other"));
}

TEST(DatabaseQuotaTest, ReloadCarriesMeasurementsOver) {
  auto old_quota = Make(Config());
  old_quota->Update("shop", 20 * kMiB);
  old_quota->Update("logs", 5);
  v1::InterceptionConfig config = Config();
  config.mutable_database_quotas(1)->set_database("audit");
  auto quota = Make(config, old_quota.get());
  EXPECT_TRUE(quota->IsOver("shop"));
  EXPECT_FALSE(quota->UsageOf("audit")->used_bytes.has_value());
}

TEST(DatabaseQuotaTest, QuotaHookRejectsWritesToAnOverQuotaDatabase) {
  auto quota = Make(Config());
  QuotaHook hook(quota);
  quota->Update("shop", 12 * kMiB + 314573);  // 12.3 MiB.

  Statement insert(StatementKind::kInsert, "INSERT INTO `orders` VALUES (...)", "shop");
  EXPECT_FALSE(insert.Passes(hook));
  EXPECT_EQ(insert.plan.rejection.code(), absl::StatusCode::kResourceExhausted);
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(insert.plan.rejection);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 1114);
  EXPECT_EQ(error->sql_state, "HY000");
  EXPECT_EQ(error->message,
            "database 'shop' is over its quota: 12.3 MiB used of 10.0 MiB; writes are rejected "
            "until space is freed");
  EXPECT_EQ(hook.rejected(), 1u);

  // Through a qualified table name from another default database.
  Statement qualified(StatementKind::kUpdate, "UPDATE `shop`.`orders` SET `x` = ?", "",
                      {{"shop", "orders"}});
  EXPECT_FALSE(qualified.Passes(hook));
  Statement replace(StatementKind::kReplace, "REPLACE INTO `t` VALUES (...)", "shop");
  EXPECT_FALSE(replace.Passes(hook));
  Statement call(StatementKind::kCall, "CALL `grow` ( )", "shop");
  EXPECT_FALSE(call.Passes(hook));
  Statement create(StatementKind::kDdl, "CREATE TABLE `t2` ( `a` INT )", "shop");
  EXPECT_FALSE(create.Passes(hook));
  Statement other(StatementKind::kOther, "EXECUTE `stmt`", "shop");
  EXPECT_FALSE(other.Passes(hook));
}

TEST(DatabaseQuotaTest, ReadsDeletesAndDropsContinue) {
  auto quota = Make(Config());
  QuotaHook hook(quota);
  quota->Update("shop", 11 * kMiB);
  Statement select(StatementKind::kSelect, "SELECT * FROM `orders`", "shop", {{"", "orders"}});
  Statement del(StatementKind::kDelete, "DELETE FROM `orders` WHERE `id` < ?", "shop");
  Statement drop(StatementKind::kDdl, "DROP TABLE `old_orders`", "shop");
  Statement truncate(StatementKind::kDdl, "truncate table `old_orders`", "shop");
  Statement commit(StatementKind::kTransaction, "COMMIT", "shop");
  Statement show(StatementKind::kShow, "SHOW TABLES", "shop");
  for (Statement* s : {&select, &del, &drop, &truncate, &commit, &show}) {
    EXPECT_TRUE(s->Passes(hook)) << s->ctx.sql;
  }
  EXPECT_EQ(hook.rejected(), 0u);
}

TEST(DatabaseQuotaTest, WritesElsewhereContinue) {
  auto quota = Make(Config());
  QuotaHook hook(quota);
  quota->Update("shop", 11 * kMiB);
  quota->Update("logs", 10);
  Statement logs(StatementKind::kInsert, "INSERT INTO `events` VALUES (...)", "logs");
  EXPECT_TRUE(logs.Passes(hook));
  Statement unquoted(StatementKind::kInsert, "INSERT INTO `x` VALUES (...)", "scratch",
                     {{"other", "x"}});
  EXPECT_TRUE(unquoted.Passes(hook));
  // Reading the full database into another one still writes only there...
  Statement copy(StatementKind::kInsert, "INSERT INTO `logs`.`t` SELECT * FROM `shop`.`t`", "",
                 {{"logs", "t"}, {"shop", "t"}});
  // ...but the hook cannot tell the target from the source and refuses.
  EXPECT_FALSE(copy.Passes(hook));
  // The raw text is the fallback when there is no digest text.
  Statement raw(StatementKind::kDdl, "", "shop");
  raw.ctx.sql = "  drop table t";
  EXPECT_TRUE(raw.Passes(hook));
}

TEST(DatabaseQuotaTest, QuotaQueryEscapesNames) {
  v1::InterceptionConfig config;
  v1::DatabaseQuotaConfig* a = config.add_database_quotas();
  a->set_database("shop");
  a->set_max_bytes(1);
  v1::DatabaseQuotaConfig* b = config.add_database_quotas();
  b->set_database("o'brien`s\\db");
  b->set_max_bytes(1);
  auto quota = Make(config);
  EXPECT_EQ(QuotaQuery(*quota),
            "SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) FROM "
            "information_schema.tables WHERE table_schema IN ('shop', 'o\\'brien`s\\\\db') "
            "GROUP BY table_schema");
  EXPECT_EQ(QuotaQuery(*quota, /*no_backslash_escapes=*/true),
            "SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) FROM "
            "information_schema.tables WHERE table_schema IN ('shop', 'o''brien`s\\db') "
            "GROUP BY table_schema");
  EXPECT_EQ(QuotaQuery(*Make(v1::InterceptionConfig())), "");
}

TEST(DatabaseQuotaTest, ApplyQuotaRows) {
  auto quota = Make(Config());
  quota->Update("logs", 999);
  std::vector<std::pair<std::string, std::string>> rows = {{"shop", "11534336"}};
  ASSERT_TRUE(ApplyQuotaRows(*quota, rows).ok());
  EXPECT_EQ(quota->UsageOf("shop")->used_bytes, 11534336u);
  EXPECT_TRUE(quota->IsOver("shop"));
  // No row: the database has no tables (any more).
  EXPECT_EQ(quota->UsageOf("logs")->used_bytes, 0u);

  // DECIMAL text with a scale, and a server reporting names in lower case.
  v1::InterceptionConfig config;
  v1::DatabaseQuotaConfig* mixed = config.add_database_quotas();
  mixed->set_database("Shop");
  mixed->set_max_bytes(100);
  auto lower = Make(config);
  rows = {{"shop", "100.0000"}};
  ASSERT_TRUE(ApplyQuotaRows(*lower, rows).ok());
  EXPECT_EQ(lower->UsageOf("Shop")->used_bytes, 100u);
  EXPECT_TRUE(lower->IsOver("Shop"));
}

TEST(DatabaseQuotaTest, ApplyQuotaRowsRefusesBadRowsAndAppliesNothing) {
  auto quota = Make(Config());
  quota->Update("shop", 5);
  quota->Update("logs", 7);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"shop", "12x"},
      {"logs", "-1"},
      {"other", "10"},
      {"shop", "18446744073709551616"},  // 2^64.
      {"logs", ""},
      {"logs", "1."},
  };
  absl::Status status = ApplyQuotaRows(*quota, rows);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "cannot apply database quota measurements:\n"
            "quota row 0 (database 'shop'): size '12x' is not a byte count\n"
            "quota row 1 (database 'logs'): size '-1' is not a byte count\n"
            "quota row 2 (database 'other'): no quota is configured for this database\n"
            "quota row 3 (database 'shop'): size '18446744073709551616' is not a byte count\n"
            "quota row 3 (database 'shop'): database 'shop' has two rows\n"
            "quota row 4 (database 'logs'): size '' is not a byte count\n"
            "quota row 4 (database 'logs'): database 'logs' has two rows\n"
            "quota row 5 (database 'logs'): size '1.' is not a byte count\n"
            "quota row 5 (database 'logs'): database 'logs' has two rows");
  EXPECT_EQ(quota->UsageOf("shop")->used_bytes, 5u);
  EXPECT_EQ(quota->UsageOf("logs")->used_bytes, 7u);
  // The largest count still parses.
  const std::vector<std::pair<std::string, std::string>> max = {{"shop", "18446744073709551615"}};
  EXPECT_TRUE(ApplyQuotaRows(*quota, max).ok());
  EXPECT_TRUE(quota->IsOver("shop"));
}

TEST(DatabaseQuotaTest, FormatByteSize) {
  EXPECT_EQ(FormatByteSize(0), "0 B");
  EXPECT_EQ(FormatByteSize(1023), "1023 B");
  EXPECT_EQ(FormatByteSize(1024), "1.0 KiB");
  EXPECT_EQ(FormatByteSize(10 * kMiB), "10.0 MiB");
  EXPECT_EQ(FormatByteSize(1536ull * kMiB), "1.5 GiB");
  EXPECT_EQ(FormatByteSize(~0ull), "16.0 EiB");
}

TEST(DatabaseQuotaTest, CreateListsEveryProblemWithItsPath) {
  v1::InterceptionConfig config;
  config.add_database_quotas()->set_max_bytes(1);
  v1::DatabaseQuotaConfig* a = config.add_database_quotas();
  a->set_database("shop");
  v1::DatabaseQuotaConfig* b = config.add_database_quotas();
  b->set_database("shop");
  b->set_max_bytes(1);
  b->mutable_refresh_interval()->set_nanos(500000000);
  v1::DatabaseQuotaConfig* c = config.add_database_quotas();
  c->set_database("trailing ");
  c->set_max_bytes(1);
  c->mutable_refresh_interval()->set_seconds(-3);
  absl::StatusOr<std::shared_ptr<DatabaseQuota>> quota = DatabaseQuota::Create(config);
  ASSERT_FALSE(quota.ok());
  EXPECT_EQ(quota.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(quota.status().message(),
            "invalid configuration:\n"
            "interception.database_quotas[0]: database must not be empty\n"
            "interception.database_quotas[1]: max_bytes must be > 0\n"
            "interception.database_quotas[2]: database 'shop' already has a quota at "
            "interception.database_quotas[1]\n"
            "interception.database_quotas[2]: refresh_interval must be at least 1s (or unset for "
            "60s)\n"
            "interception.database_quotas[3]: database 'trailing ' must not end with a space\n"
            "interception.database_quotas[3]: refresh_interval must not be negative");
}

}  // namespace
}  // namespace mysqlgw
