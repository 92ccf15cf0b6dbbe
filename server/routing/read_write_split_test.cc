#include "server/routing/read_write_split.h"

#include <string>

#include "gtest/gtest.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {
namespace {

TEST(ShouldReadFromReplicaTest, ByKindAndFlags) {
  EXPECT_TRUE(ShouldReadFromReplica(StatementKind::kSelect, false, false, false));
  EXPECT_TRUE(ShouldReadFromReplica(StatementKind::kShow, false, false, false));
  EXPECT_FALSE(ShouldReadFromReplica(StatementKind::kSelect, /*locking_read=*/true, false, false));
  EXPECT_FALSE(ShouldReadFromReplica(StatementKind::kSelect, false, /*in_transaction=*/true, false));
  EXPECT_FALSE(ShouldReadFromReplica(StatementKind::kSelect, false, false, /*multiple=*/true));
  EXPECT_FALSE(ShouldReadFromReplica(StatementKind::kSelect, false, false, false,
                                     /*session_dependent=*/true));
  for (StatementKind kind :
       {StatementKind::kInsert, StatementKind::kUpdate, StatementKind::kDelete,
        StatementKind::kReplace, StatementKind::kDdl, StatementKind::kTransaction,
        StatementKind::kSet, StatementKind::kCall, StatementKind::kUse, StatementKind::kOther,
        StatementKind::kEmpty}) {
    EXPECT_FALSE(ShouldReadFromReplica(kind, false, false, false)) << StatementKindName(kind);
  }
}

struct Case {
  const char* sql;
  bool replica;
};

TEST(ShouldReadFromReplicaTest, FromText) {
  const Case cases[] = {
      {"SELECT * FROM t WHERE id = 1", true},
      {"  select 1", true},
      {"/* app */ SELECT a FROM t", true},
      {"(SELECT 1) UNION (SELECT 2)", true},
      {"WITH x AS (SELECT 1) SELECT * FROM x", true},
      {"SELECT 'a;b'", true},
      {"SELECT * FROM t FOR UPDATE", false},
      {"SELECT * FROM t LOCK IN SHARE MODE", false},
      {"SELECT * FROM t FOR SHARE", false},
      {"SELECT 1; SELECT 2", false},
      {"SELECT * INTO OUTFILE '/tmp/x' FROM t", false},
      {"SELECT LAST_INSERT_ID()", false},
      {"select found_rows()", false},
      {"SELECT GET_LOCK('x', 1)", false},
      {"SELECT NEXTVAL(s)", false},
      {"SELECT NEXT VALUE FOR s", false},
      {"SELECT @x", false},
      {"SELECT @@session.sql_mode", false},
      {"SELECT @a := 1", false},
      {"INSERT INTO t VALUES (1)", false},
      {"UPDATE t SET a = 1", false},
      {"WITH x AS (SELECT 1) DELETE FROM t", false},
      {"BEGIN", false},
      {"SET @x = 1", false},
      {"CALL p()", false},
      {"", false},
      {"SHOW TABLES", true},
      {"SHOW FULL TABLES FROM db", true},
      {"show columns from t", true},
      {"SHOW FULL COLUMNS FROM t", true},
      {"SHOW EXTENDED FULL COLUMNS FROM t", true},
      {"SHOW INDEX FROM t", true},
      {"SHOW CREATE TABLE t", true},
      {"SHOW CREATE VIEW v", true},
      {"SHOW DATABASES", true},
      {"SHOW TABLE STATUS", true},
      {"SHOW CHARACTER SET", true},
      {"EXPLAIN SELECT * FROM t", true},
      {"DESCRIBE t", true},
      {"SHOW STATUS", false},
      {"SHOW GLOBAL STATUS", false},
      {"SHOW VARIABLES", false},
      {"SHOW PROCESSLIST", false},
      {"SHOW WARNINGS", false},
      {"SHOW MASTER STATUS", false},
      {"SHOW SLAVE STATUS", false},
      {"SHOW BINARY LOGS", false},
      {"SHOW GRANTS", false},
      {"SHOW CREATE USER u", false},
      {"SHOW CREATE", false},
      {"SHOW TABLE", false},
      {"SHOW", false},
      {"/*!40101 SHOW TABLES */", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ShouldReadFromReplica(c.sql, /*in_transaction=*/false), c.replica) << c.sql;
  }
  EXPECT_FALSE(ShouldReadFromReplica("SELECT 1", /*in_transaction=*/true));
  EXPECT_FALSE(ShouldReadFromReplica("SHOW TABLES", false, /*session_pinned=*/true));
}

TEST(ShouldReadFromReplicaTest, TruncatedTextNeverGoesWrong) {
  // Every prefix of statements that must stay on the primary stays there,
  // or is a plain read by then (e.g. "SELECT * FROM t" of the FOR UPDATE).
  for (const std::string sql :
       {"SELECT * FROM t FOR UPDATE", "SELECT LAST_INSERT_ID()", "SHOW MASTER STATUS",
        "SELECT 1; DELETE FROM t"}) {
    for (size_t n = 0; n <= sql.size(); ++n) {
      const std::string prefix = sql.substr(0, n);
      if (!ShouldReadFromReplica(prefix, false)) continue;
      const StatementInfo info = AnalyzeStatement(prefix);
      EXPECT_FALSE(info.locking_read) << prefix;
      EXPECT_FALSE(info.multiple_statements) << prefix;
      EXPECT_EQ(prefix.find("LAST_INSERT_ID"), std::string::npos) << prefix;
      EXPECT_NE(prefix.rfind("SHOW MASTER", 0), 0u) << prefix;
    }
  }
}

TEST(ReadsSessionStateTest, Words) {
  EXPECT_TRUE(ReadsSessionState("select row_count()"));
  EXPECT_TRUE(ReadsSessionState("SELECT IS_USED_LOCK('a')"));
  EXPECT_TRUE(ReadsSessionState("SELECT PREVIOUS VALUE FOR s"));
  EXPECT_TRUE(ReadsSessionState("SELECT 'user@example.com'"));  // conservative
  EXPECT_FALSE(ReadsSessionState("SELECT next_id FROM t"));   // a column, not NEXT
  EXPECT_FALSE(ReadsSessionState("SELECT last_insert FROM t"));
  EXPECT_FALSE(ReadsSessionState("SELECT * FROM nextval_log"));
  EXPECT_FALSE(ReadsSessionState(""));
  EXPECT_FALSE(ReadsSessionState("SELECT 1"));
}

}  // namespace
}  // namespace mysqlgw
