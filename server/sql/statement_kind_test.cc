#include "server/sql/statement_kind.h"

#include <string>

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using K = StatementKind;
constexpr v1::Operation kRead = v1::OPERATION_READ;
constexpr v1::Operation kWrite = v1::OPERATION_WRITE;
constexpr v1::Operation kDdlOp = v1::OPERATION_DDL;
constexpr v1::Operation kAdmin = v1::OPERATION_ADMIN;

struct Case {
  const char* sql;
  StatementKind kind;
  v1::Operation op;
};

const Case kCases[] = {
    // Reads.
    {"SELECT 1", K::kSelect, kRead},
    {"select * from t where a = 'DROP TABLE x'", K::kSelect, kRead},
    {"  \n\tSeLeCt 1", K::kSelect, kRead},
    {"(SELECT 1) UNION (SELECT 2)", K::kSelect, kRead},
    {"((select 1))", K::kSelect, kRead},
    {"-- leading comment\nSELECT 1", K::kSelect, kRead},
    {"# hash comment\nSELECT 1", K::kSelect, kRead},
    {"/* block */ SELECT 1", K::kSelect, kRead},
    {"/*+ MAX_EXECUTION_TIME(1000) */ SELECT 1", K::kSelect, kRead},
    {"SELECT * FROM t FOR UPDATE", K::kSelect, kRead},
    {"SELECT * FROM t LOCK IN SHARE MODE", K::kSelect, kRead},
    {"SELECT a INTO @x FROM t", K::kSelect, kRead},
    {"TABLE t", K::kSelect, kRead},
    {"VALUES ROW(1, 2)", K::kSelect, kRead},
    {"WITH c AS (SELECT 1) SELECT * FROM c", K::kSelect, kRead},
    {"WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) "
     "SELECT n FROM c",
     K::kSelect, kRead},
    {"WITH a AS (SELECT 1), `b` AS (SELECT 2) (SELECT * FROM a)", K::kSelect, kRead},
    {"SHOW TABLES", K::kShow, kRead},
    {"show create table t", K::kShow, kRead},
    {"EXPLAIN SELECT * FROM t", K::kShow, kRead},
    {"EXPLAIN DELETE FROM t", K::kShow, kRead},
    {"EXPLAIN FORMAT=JSON UPDATE t SET a = 1", K::kShow, kRead},
    {"DESCRIBE t", K::kShow, kRead},
    {"DESC t", K::kShow, kRead},
    {"HELP 'contents'", K::kShow, kRead},
    {"USE app", K::kUse, kRead},
    {"SET @x = 1", K::kSet, kRead},
    {"SET NAMES utf8mb4", K::kSet, kRead},
    {"SET CHARACTER SET utf8mb4", K::kSet, kRead},
    {"SET SESSION sql_mode = 'STRICT_ALL_TABLES'", K::kSet, kRead},
    {"SET LOCAL wait_timeout = 10", K::kSet, kRead},
    {"SET @@session.autocommit = 0", K::kSet, kRead},
    {"SET autocommit = 1, @y := 2", K::kSet, kRead},
    {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", K::kSet, kRead},
    {"/*!40101 SET NAMES utf8 */", K::kSet, kRead},
    {"/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;", K::kSet, kRead},
    {"", K::kEmpty, kRead},
    {"  -- only a comment", K::kEmpty, kRead},
    {";", K::kEmpty, kRead},
    // Writes.
    {"INSERT INTO t VALUES (1)", K::kInsert, kWrite},
    {"insert into t select * from u", K::kInsert, kWrite},
    {"REPLACE INTO t VALUES (1)", K::kReplace, kWrite},
    {"UPDATE t SET a = 1", K::kUpdate, kWrite},
    {"DELETE FROM t", K::kDelete, kWrite},
    {"WITH c AS (SELECT id FROM t) UPDATE u JOIN c USING (id) SET u.a = 1", K::kUpdate, kWrite},
    {"WITH c AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM c)", K::kDelete, kWrite},
    {"WITH c AS SELECT 1", K::kOther, kWrite},  // Cannot tell: the safer of read/write.
    {"WITH", K::kOther, kWrite},
    {"CALL p(1, 'x')", K::kCall, kWrite},
    {"LOAD DATA LOCAL INFILE 'f.csv' INTO TABLE t", K::kInsert, kWrite},
    {"BEGIN", K::kTransaction, kWrite},
    {"begin work", K::kTransaction, kWrite},
    {"START TRANSACTION READ ONLY", K::kTransaction, kWrite},
    {"COMMIT", K::kTransaction, kWrite},
    {"ROLLBACK TO SAVEPOINT s1", K::kTransaction, kWrite},
    {"SAVEPOINT s1", K::kTransaction, kWrite},
    {"RELEASE SAVEPOINT s1", K::kTransaction, kWrite},
    {"XA START 'x'", K::kTransaction, kWrite},
    {"SET STATEMENT max_statement_time = 1 FOR DELETE FROM t", K::kDelete, kWrite},
    {"SET STATEMENT max_statement_time = 1 FOR SELECT 1", K::kSelect, kRead},
    {"EXPLAIN ANALYZE SELECT * FROM t", K::kSelect, kRead},
    {"ANALYZE DELETE FROM t", K::kDelete, kWrite},
    {"ANALYZE FORMAT=JSON SELECT 1", K::kSelect, kRead},
    // DDL.
    {"CREATE TABLE t (a INT)", K::kDdl, kDdlOp},
    {"create temporary table t (a int)", K::kDdl, kDdlOp},
    {"CREATE OR REPLACE DEFINER=`root`@`%` SQL SECURITY INVOKER VIEW v AS SELECT 1", K::kDdl,
     kDdlOp},
    {"CREATE UNIQUE INDEX i ON t (a)", K::kDdl, kDdlOp},
    {"CREATE SPATIAL INDEX i ON t (g)", K::kDdl, kDdlOp},
    {"CREATE DATABASE IF NOT EXISTS d", K::kDdl, kDdlOp},
    {"CREATE DEFINER = 'u'@'h' PROCEDURE p() SELECT 1", K::kDdl, kDdlOp},
    {"CREATE FUNCTION f() RETURNS INT RETURN 1", K::kDdl, kDdlOp},
    {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", K::kDdl, kDdlOp},
    {"ALTER TABLE t ADD COLUMN b INT", K::kDdl, kDdlOp},
    {"ALTER ONLINE IGNORE TABLE t ADD INDEX (a)", K::kDdl, kDdlOp},
    {"DROP TABLE IF EXISTS t", K::kDdl, kDdlOp},
    {"DROP INDEX i ON t", K::kDdl, kDdlOp},
    {"TRUNCATE TABLE t", K::kDdl, kDdlOp},
    {"TRUNCATE t", K::kDdl, kDdlOp},
    {"RENAME TABLE a TO b", K::kDdl, kDdlOp},
    {"/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`u`@`%` */ "
     "/*!50001 VIEW v AS SELECT 1 */",
     K::kDdl, kDdlOp},
    // Administration, and anything unknown.
    {"SET GLOBAL max_connections = 10", K::kSet, kAdmin},
    {"SET @@GLOBAL.max_connections = 10", K::kSet, kAdmin},
    {"SET PERSIST max_connections = 10", K::kSet, kAdmin},
    {"SET PERSIST_ONLY back_log = 10", K::kSet, kAdmin},
    {"SET @x = 1, GLOBAL general_log = 1", K::kSet, kAdmin},
    {"SET PASSWORD = 'x'", K::kSet, kAdmin},
    {"SET ROLE ALL", K::kSet, kAdmin},
    {"SET DEFAULT ROLE r TO u", K::kSet, kAdmin},
    {"SELECT * FROM t INTO OUTFILE '/tmp/x'", K::kSelect, kAdmin},
    {"SELECT a INTO DUMPFILE '/tmp/x' FROM t", K::kSelect, kAdmin},
    {"LOAD DATA INFILE '/etc/passwd' INTO TABLE t", K::kInsert, kAdmin},
    {"LOAD INDEX INTO CACHE t", K::kOther, kAdmin},
    {"CREATE USER u IDENTIFIED BY 'p'", K::kOther, kAdmin},
    {"CREATE OR REPLACE ROLE r", K::kOther, kAdmin},
    {"DROP USER u", K::kOther, kAdmin},
    {"ALTER USER u ACCOUNT LOCK", K::kOther, kAdmin},
    {"RENAME USER a TO b", K::kOther, kAdmin},
    {"ALTER INSTANCE ROTATE INNODB MASTER KEY", K::kOther, kAdmin},
    {"CREATE TABLESPACE ts ADD DATAFILE 'f.ibd'", K::kOther, kAdmin},
    {"CREATE SPATIAL REFERENCE SYSTEM 4120 NAME 'x'", K::kOther, kAdmin},
    {"CREATE AGGREGATE FUNCTION f RETURNS INTEGER SONAME 'udf.so'", K::kOther, kAdmin},
    {"GRANT SELECT ON *.* TO u", K::kOther, kAdmin},
    {"REVOKE ALL ON *.* FROM u", K::kOther, kAdmin},
    {"KILL 42", K::kOther, kAdmin},
    {"FLUSH PRIVILEGES", K::kOther, kAdmin},
    {"INSTALL PLUGIN p SONAME 'p.so'", K::kOther, kAdmin},
    {"SHUTDOWN", K::kOther, kAdmin},
    {"START SLAVE", K::kOther, kAdmin},
    {"XA RECOVER", K::kOther, kAdmin},
    {"ANALYZE TABLE t", K::kOther, kAdmin},
    {"OPTIMIZE TABLE t", K::kOther, kAdmin},
    {"LOCK TABLES t WRITE", K::kOther, kAdmin},
    {"PREPARE s FROM 'DROP TABLE t'", K::kOther, kAdmin},
    {"DO SLEEP(1)", K::kOther, kAdmin},
    {"BEGIN NOT ATOMIC SELECT 1; END", K::kOther, kAdmin},
    {"`SELECT` 1", K::kOther, kAdmin},
    {"'SELECT 1'", K::kOther, kAdmin},
    {"FROBNICATE", K::kOther, kAdmin},
};

TEST(StatementKindTest, Table) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.sql);
    EXPECT_EQ(StatementKindName(Classify(c.sql)), StatementKindName(c.kind));
    EXPECT_EQ(v1::Operation_Name(ClassifyStatement(c.sql)), v1::Operation_Name(c.op));
    EXPECT_EQ(AnalyzeStatement(c.sql).kind, c.kind);
  }
}

TEST(StatementKindTest, SeveralStatementsTakeTheMostPrivileged) {
  EXPECT_EQ(ClassifyStatement("SELECT 1; DROP TABLE t"), v1::OPERATION_DDL);
  EXPECT_EQ(ClassifyStatement("SELECT 1; INSERT INTO t VALUES (1); SELECT 2"), v1::OPERATION_WRITE);
  EXPECT_EQ(ClassifyStatement("SELECT 1; GRANT ALL ON *.* TO u"), v1::OPERATION_ADMIN);
  EXPECT_EQ(Classify("SELECT 1; DROP TABLE t"), StatementKind::kSelect);  // The first.
}

TEST(StatementKindTest, VersionCommentsAreReadBothWays) {
  // To a server older than 9.99.99 the comment is a comment: DROP runs.
  EXPECT_EQ(Classify("/*!99999 SELECT 1 */ DROP TABLE t"), StatementKind::kSelect);
  EXPECT_EQ(ClassifyStatement("/*!99999 SELECT 1 */ DROP TABLE t"), v1::OPERATION_DDL);
  // MySQL ignores MariaDB's /*M! ... */.
  EXPECT_EQ(ClassifyStatement("/*M!100000 SELECT 1 */ DELETE FROM t"), v1::OPERATION_WRITE);
  // And the other way round.
  EXPECT_EQ(ClassifyStatement("SELECT 1 /*!50000 INTO OUTFILE '/tmp/x' */"), v1::OPERATION_ADMIN);
  EXPECT_TRUE(HasMultipleStatements("SELECT 1 /*!50000 ; DROP TABLE t */"));
}

TEST(StatementKindTest, StringsAreReadWithAndWithoutBackslashEscapes) {
  // With NO_BACKSLASH_ESCAPES the string ends at \' and DROP is a statement.
  const char* sql = "SELECT 'a\\'; DROP TABLE t; -- '";
  EXPECT_EQ(Classify(sql), StatementKind::kSelect);
  EXPECT_EQ(ClassifyStatement(sql), v1::OPERATION_DDL);
  EXPECT_TRUE(HasMultipleStatements(sql));
  // ANSI_QUOTES: "..." is an identifier, where \ never escapes.
  EXPECT_TRUE(HasMultipleStatements("SELECT \"a\\\"; DROP TABLE t; -- \" FROM t"));
  // No backslash, no ambiguity.
  EXPECT_FALSE(HasMultipleStatements("SELECT 'a;b', \"c;d\", `e;f`"));
  EXPECT_EQ(ClassifyStatement("SELECT 'it''s; DROP TABLE t'"), v1::OPERATION_READ);
}

TEST(StatementKindTest, HasMultipleStatements) {
  EXPECT_FALSE(HasMultipleStatements("SELECT 1"));
  EXPECT_FALSE(HasMultipleStatements("SELECT 1;"));
  EXPECT_FALSE(HasMultipleStatements("SELECT 1;  \n"));
  EXPECT_FALSE(HasMultipleStatements("SELECT 1; -- done"));
  EXPECT_FALSE(HasMultipleStatements("SELECT 1; /* done */ # really"));
  EXPECT_FALSE(HasMultipleStatements("SELECT ';' -- ; SELECT 2"));
  EXPECT_FALSE(HasMultipleStatements("SELECT 1 /* ; SELECT 2 */"));
  EXPECT_FALSE(HasMultipleStatements(""));
  EXPECT_TRUE(HasMultipleStatements("SELECT 1; SELECT 2"));
  EXPECT_TRUE(HasMultipleStatements("SELECT 1;SELECT 2;"));
  EXPECT_TRUE(HasMultipleStatements("SELECT 1;;"));
  EXPECT_TRUE(HasMultipleStatements("; SELECT 1"));
  EXPECT_TRUE(HasMultipleStatements("SELECT 1; -- x\n DROP TABLE t"));
  // Known over-report until the tokenizer: routine bodies.
  EXPECT_TRUE(HasMultipleStatements("CREATE PROCEDURE p() BEGIN SELECT 1; END"));
}

TEST(StatementKindTest, LockingReads) {
  EXPECT_TRUE(IsLockingRead("SELECT * FROM t WHERE id = 1 FOR UPDATE"));
  EXPECT_TRUE(IsLockingRead("select * from t for share nowait"));
  EXPECT_TRUE(IsLockingRead("SELECT * FROM t LOCK IN SHARE MODE"));
  EXPECT_TRUE(IsLockingRead("WITH c AS (SELECT 1) SELECT * FROM c FOR UPDATE"));
  EXPECT_FALSE(IsLockingRead("SELECT 'FOR UPDATE' FROM t"));
  EXPECT_FALSE(IsLockingRead("SELECT * FROM t FOR SYSTEM_TIME AS OF NOW()"));
  EXPECT_FALSE(IsLockingRead("UPDATE t SET a = 1"));
  StatementInfo info = AnalyzeStatement("SELECT * FROM t FOR UPDATE; SELECT 1");
  EXPECT_EQ(info.kind, StatementKind::kSelect);
  EXPECT_EQ(info.operation, v1::OPERATION_READ);
  EXPECT_TRUE(info.locking_read);
  EXPECT_TRUE(info.multiple_statements);
}

TEST(StatementKindTest, IsReadOnly) {
  EXPECT_TRUE(IsReadOnly(StatementKind::kSelect));
  EXPECT_TRUE(IsReadOnly(StatementKind::kShow));
  EXPECT_TRUE(IsReadOnly(StatementKind::kEmpty));
  for (StatementKind kind :
       {StatementKind::kInsert, StatementKind::kUpdate, StatementKind::kDelete,
        StatementKind::kReplace, StatementKind::kDdl, StatementKind::kTransaction,
        StatementKind::kSet, StatementKind::kCall, StatementKind::kUse, StatementKind::kOther}) {
    EXPECT_FALSE(IsReadOnly(kind)) << StatementKindName(kind);
  }
}

TEST(StatementKindTest, HostileNestingIsBounded) {
  std::string sql;
  for (int i = 0; i < 100000; ++i) sql += "EXPLAIN ANALYZE ";
  sql += "SELECT 1";
  EXPECT_EQ(ClassifyStatement(sql), v1::OPERATION_ADMIN);
  std::string parens(100000, '(');
  EXPECT_EQ(ClassifyStatement(parens + "SELECT 1"), v1::OPERATION_READ);
}

TEST(StatementKindTest, EveryPrefixIsClassifiedWithoutCrashing) {
  const std::string sql =
      "/*!40101 SET @a='x\\'y' */; WITH c (n) AS (SELECT 1) SELECT `c` FROM t -- z\n"
      " WHERE d = \"e\" FOR UPDATE; SET STATEMENT x=(1) FOR EXPLAIN ANALYZE DELETE FROM t;";
  for (size_t n = 0; n <= sql.size(); ++n) {
    StatementInfo info = AnalyzeStatement(sql.substr(0, n));
    EXPECT_NE(info.operation, v1::OPERATION_UNSPECIFIED);
  }
}

}  // namespace
}  // namespace mysqlgw

namespace mysqlgw {
namespace {

TEST(StatementKindTest, WordsThatBeginNoStatementAreSyntaxErrors) {
  for (const char* sql : {"SELEC 1", "selct * from t", "GIVE ME ALL ROWS", "1 + 1", "'text'",
                          "/* c */ SELEC 1", "SELEC 1; SELECT 2"}) {
    EXPECT_TRUE(AnalyzeStatement(sql).unrecognized) << sql;
  }
  for (const char* sql : {"SELECT 1", "  select 1", "(SELECT 1)", "FLUSH TABLES", "KILL 5",
                          "DO 1", "HANDLER t OPEN", "lbl: BEGIN NOT ATOMIC SELECT 1; END",
                          "/*!50001 SELECT 1 */", "", "  ", "SELECT 1; SELEC 2"}) {
    EXPECT_FALSE(AnalyzeStatement(sql).unrecognized) << sql;
  }
}

}  // namespace
}  // namespace mysqlgw
