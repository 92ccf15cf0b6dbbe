#include "server/listener/admin_commands.h"

#include "gtest/gtest.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlgw {
namespace {

TEST(AdminCommandsTest, RecognizedInAnyCaseAndSpacing) {
  EXPECT_EQ(ParseAdminCommand("SHOW MYSQLGW STATUS"), AdminCommand::kStatus);
  EXPECT_EQ(ParseAdminCommand("  show\tmysqlgw\n status ;  "), AdminCommand::kStatus);
  EXPECT_EQ(ParseAdminCommand("Show MySqlGw Rules;"), AdminCommand::kRules);
}

TEST(AdminCommandsTest, AnythingElseGoesToTheBackend) {
  for (const char* sql : {"", "SHOW", "SHOW STATUS", "SHOW MYSQLGW", "SHOW MYSQLGW STATUS x",
                          "SHOW MYSQLGW VARIABLES", "SELECT 'SHOW MYSQLGW STATUS'",
                          "SHOW MYSQLGW STATUS; SELECT 1", "SHOWMYSQLGW STATUS",
                          "/* x */ SHOW MYSQLGW STATUS"}) {
    SCOPED_TRACE(sql);
    EXPECT_FALSE(ParseAdminCommand(sql).has_value());
  }
}

TEST(AdminCommandsTest, ResultShapes) {
  AdminResult status = NameValueResult({{"version", "0.1.0"}, {"pinned_sessions", "2"}});
  ASSERT_EQ(status.columns.size(), 2u);
  EXPECT_EQ(status.columns[0].name, "Variable_name");
  EXPECT_EQ(status.columns[1].name, "Value");
  ASSERT_EQ(status.rows.size(), 2u);
  EXPECT_EQ(status.rows[1][0], mysqlwire::Value::String("pinned_sessions"));
  EXPECT_EQ(status.rows[1][1], mysqlwire::Value::String("2"));

  AdminResult rules = RulesResult({{"no-drops", 3}});
  ASSERT_EQ(rules.columns.size(), 2u);
  EXPECT_EQ(rules.columns[1].type, mysqlwire::ColumnType::kLongLong);
  EXPECT_TRUE(rules.columns[1].is_unsigned());
  ASSERT_EQ(rules.rows.size(), 1u);
  EXPECT_EQ(rules.rows[0][0], mysqlwire::Value::String("no-drops"));
  EXPECT_EQ(rules.rows[0][1], mysqlwire::Value::Uint64(3));
  EXPECT_TRUE(RulesResult({}).rows.empty());
}

}  // namespace
}  // namespace mysqlgw

namespace mysqlgw {
namespace {

TEST(ParseKillCommandTest, ConnectionAndQueryForms) {
  auto k = ParseKillCommand("KILL 42");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->connection_id, 42u);
  EXPECT_FALSE(k->query_only);
  k = ParseKillCommand("  kill query 7 ;");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->connection_id, 7u);
  EXPECT_TRUE(k->query_only);
  k = ParseKillCommand("KILL HARD CONNECTION\t9");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->connection_id, 9u);
  EXPECT_FALSE(k->query_only);
  k = ParseKillCommand("kill soft query 3");
  ASSERT_TRUE(k.has_value());
  EXPECT_TRUE(k->query_only);
  for (const char* other : {"KILL", "KILL QUERY", "KILL QUERY ID 5", "KILL USER bob", "KILL -1",
                            "KILL 99999999999", "KILL 1 2", "KILLER 1", "SELECT 1", "KILL x"}) {
    EXPECT_FALSE(ParseKillCommand(other).has_value()) << other;
  }
}

}  // namespace
}  // namespace mysqlgw
