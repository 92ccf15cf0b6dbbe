#include "server/gateway/database_access.h"

#include "gtest/gtest.h"
#include "server/intercept/hook_chain.h"

namespace mysqlgw {
namespace {

Principal Limited() {
  v1::PrincipalConfig config;
  config.set_name("app");
  config.add_databases("shop");
  config.add_operations(v1::OPERATION_READ);
  config.add_operations(v1::OPERATION_WRITE);
  return Principal::FromConfig(config);
}

absl::Status Check(const Principal& p, const std::string& sql,
                   v1::Operation op = v1::OPERATION_READ) {
  StatementContext ctx;
  ctx.sql = sql;
  ctx.database = "shop";
  DeriveStatementFields(ctx);
  return CheckNamedDatabases(p, op, ctx);
}

TEST(DatabaseAccessTest, QualifiedTablesOfOtherDatabasesAreRefused) {
  const Principal p = Limited();
  EXPECT_TRUE(Check(p, "SELECT * FROM orders").ok());
  EXPECT_TRUE(Check(p, "SELECT * FROM shop.orders").ok());
  absl::Status s = Check(p, "SELECT COUNT(*) FROM mysql.user");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("'mysql'"), std::string::npos) << s;
  EXPECT_FALSE(Check(p, "SELECT * FROM orders o JOIN `hr`.`salaries` s ON o.id = s.id").ok());
  EXPECT_FALSE(
      Check(p, "INSERT INTO shop.t SELECT * FROM other.t", v1::OPERATION_WRITE).ok());
  EXPECT_FALSE(Check(p, "SELECT * FROM orders WHERE id IN (SELECT id FROM hr.x)").ok());
  EXPECT_FALSE(Check(p, "DELETE FROM other.t", v1::OPERATION_WRITE).ok());
}

TEST(DatabaseAccessTest, InformationSchemaIsReadable) {
  const Principal p = Limited();
  EXPECT_TRUE(Check(p, "SELECT table_name FROM information_schema.tables").ok());
  EXPECT_TRUE(Check(p, "SELECT * FROM INFORMATION_SCHEMA.COLUMNS").ok());
}

TEST(DatabaseAccessTest, UseOfAnotherDatabase) {
  const Principal p = Limited();
  EXPECT_TRUE(Check(p, "USE shop").ok());
  EXPECT_TRUE(Check(p, "use `shop`").ok());
  EXPECT_FALSE(Check(p, "USE mysql").ok());
  EXPECT_FALSE(Check(p, "/* x */ USE `my``sql`").ok());
  EXPECT_FALSE(Check(p, "USE").ok());
  EXPECT_EQ(UseTarget("USE `a``b`"), "a`b");
  EXPECT_EQ(UseTarget("use x"), "x");
  EXPECT_EQ(UseTarget("USE `unterminated"), "");
  EXPECT_EQ(UseTarget("SELECT 1"), "");
}

TEST(DatabaseAccessTest, AllDatabasesSkipsTheCheck) {
  v1::PrincipalConfig config;
  config.set_name("admin");
  config.add_databases("*");
  config.add_operations(v1::OPERATION_READ);
  EXPECT_TRUE(Check(Principal::FromConfig(config), "SELECT * FROM mysql.user").ok());
}

}  // namespace
}  // namespace mysqlgw
