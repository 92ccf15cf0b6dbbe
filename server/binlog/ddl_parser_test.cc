#include "server/binlog/ddl_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using Kind = DdlStatement::Kind;
using Action = AlterAction::Kind;

std::vector<std::string> Names(const std::vector<ColumnSpec>& cols) {
  std::vector<std::string> out;
  for (const ColumnSpec& c : cols) out.push_back(c.name);
  return out;
}

std::vector<std::string> Types(const std::vector<ColumnSpec>& cols) {
  std::vector<std::string> out;
  for (const ColumnSpec& c : cols) out.push_back(c.type);
  return out;
}

TEST(DdlParserTest, CreateTableColumnsTypesAndPrimaryKey) {
  DdlStatement d = ParseDdl("db", R"(CREATE TABLE `t1` (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT,
      `na``me` VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT 'a,b' COMMENT 'x (y)',
      e ENUM('first','after') DEFAULT 'after',
      price DECIMAL(10,2),
      g INT AS (id + 1) VIRTUAL,
      d DOUBLE PRECISION,
      cv CHARACTER VARYING(5),
      PRIMARY KEY (id, `na``me`(4)),
      KEY k (price),
      CONSTRAINT fk FOREIGN KEY (id) REFERENCES other (id) ON DELETE CASCADE,
      CHECK (price > 0)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4)");
  EXPECT_EQ(d.kind, Kind::kCreateTable);
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.table, (QualifiedName{"db", "t1"}));
  EXPECT_EQ(Names(d.columns),
            (std::vector<std::string>{"id", "na`me", "e", "price", "g", "d", "cv"}));
  EXPECT_EQ(Types(d.columns), (std::vector<std::string>{"int", "varchar", "enum", "decimal",
                                                        "int", "double", "varchar"}));
  EXPECT_TRUE(d.columns[0].is_unsigned);
  EXPECT_FALSE(d.columns[3].is_unsigned);
  EXPECT_EQ(d.primary_key, (std::vector<std::string>{"id", "na`me"}));
  ASSERT_EQ(d.touched.size(), 1u);
}

TEST(DdlParserTest, CreateTableVariants) {
  DdlStatement d = ParseDdl("db", "create table if not exists other.t (a int primary key, b text)");
  ASSERT_TRUE(d.understood);
  EXPECT_TRUE(d.if_not_exists);
  EXPECT_EQ(d.table, (QualifiedName{"other", "t"}));
  EXPECT_EQ(d.primary_key, (std::vector<std::string>{"a"}));

  d = ParseDdl("db", "CREATE OR REPLACE TABLE t (a SERIAL, `period` INT)");
  ASSERT_TRUE(d.understood);
  EXPECT_TRUE(d.or_replace);
  EXPECT_EQ(Names(d.columns), (std::vector<std::string>{"a", "period"}));
  EXPECT_EQ(d.columns[0].type, "bigint");
  EXPECT_TRUE(d.columns[0].is_unsigned);

  d = ParseDdl("db", "CREATE TABLE t2 LIKE t1");
  ASSERT_TRUE(d.understood);
  EXPECT_TRUE(d.has_like);
  EXPECT_EQ(d.like, (QualifiedName{"db", "t1"}));
  d = ParseDdl("db", "CREATE TABLE t2 (LIKE x.t1)");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.like, (QualifiedName{"x", "t1"}));

  // Columns from a query: not understood, but the table is named.
  for (const char* sql : {"CREATE TABLE t3 SELECT * FROM t1", "CREATE TABLE t3 AS SELECT 1 AS a",
                          "CREATE TABLE t3 (a INT) SELECT b FROM t1",
                          "CREATE TABLE t3 (a INT) (SELECT b FROM t1)",
                          "CREATE TABLE t3 (a INT) WITH SYSTEM VERSIONING"}) {
    d = ParseDdl("db", sql);
    EXPECT_EQ(d.kind, Kind::kCreateTable) << sql;
    EXPECT_FALSE(d.understood) << sql;
    ASSERT_EQ(d.touched.size(), 1u) << sql;
    EXPECT_EQ(d.touched[0], (QualifiedName{"db", "t3"})) << sql;
  }

  // Partitioning after the list does not confuse the column list.
  d = ParseDdl("db",
               "CREATE TABLE p (id INT, v INT) PARTITION BY RANGE (id) "
               "(PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(Names(d.columns), (std::vector<std::string>{"id", "v"}));

  // Temporary tables never reach row events.
  EXPECT_EQ(ParseDdl("db", "CREATE TEMPORARY TABLE tt (a INT)").kind, Kind::kNotTableDdl);
}

TEST(DdlParserTest, AlterTableActions) {
  DdlStatement d = ParseDdl(
      "db",
      "ALTER TABLE t ADD COLUMN c INT AFTER a, ADD d VARCHAR(3) FIRST, DROP COLUMN b, "
      "DROP e, CHANGE COLUMN f g BIGINT UNSIGNED, MODIFY h TEXT AFTER g, "
      "RENAME COLUMN i TO j, ADD COLUMN IF NOT EXISTS k INT, DROP COLUMN IF EXISTS l, "
      "ADD (m INT, n INT), ALGORITHM=INSTANT");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.kind, Kind::kAlterTable);
  ASSERT_EQ(d.actions.size(), 11u);
  EXPECT_EQ(d.actions[0].kind, Action::kAddColumn);
  EXPECT_EQ(d.actions[0].spec.name, "c");
  EXPECT_EQ(d.actions[0].place, ColumnPlace::kAfter);
  EXPECT_EQ(d.actions[0].after, "a");
  EXPECT_EQ(d.actions[1].place, ColumnPlace::kFirst);
  EXPECT_EQ(d.actions[1].spec.type, "varchar");
  EXPECT_EQ(d.actions[2].kind, Action::kDropColumn);
  EXPECT_EQ(d.actions[2].column, "b");
  EXPECT_EQ(d.actions[3].column, "e");
  EXPECT_EQ(d.actions[4].kind, Action::kChangeColumn);
  EXPECT_EQ(d.actions[4].column, "f");
  EXPECT_EQ(d.actions[4].spec.name, "g");
  EXPECT_TRUE(d.actions[4].spec.is_unsigned);
  EXPECT_EQ(d.actions[5].kind, Action::kChangeColumn);
  EXPECT_EQ(d.actions[5].column, "h");
  EXPECT_EQ(d.actions[5].spec.name, "h");
  EXPECT_EQ(d.actions[5].after, "g");
  EXPECT_EQ(d.actions[6].kind, Action::kRenameColumn);
  EXPECT_EQ(d.actions[6].column, "i");
  EXPECT_EQ(d.actions[6].spec.name, "j");
  EXPECT_TRUE(d.actions[7].if_not_exists);
  EXPECT_TRUE(d.actions[8].if_exists);
  EXPECT_EQ(d.actions[9].spec.name, "m");
  EXPECT_EQ(d.actions[10].spec.name, "n");
}

TEST(DdlParserTest, AlterTableNeutralClausesAndKeys) {
  for (const char* sql : {
           "ALTER TABLE t ENGINE=InnoDB",
           "ALTER TABLE t ADD INDEX i (a), DROP INDEX j, ADD UNIQUE KEY (b)",
           "ALTER TABLE t ALTER COLUMN a SET DEFAULT 5, ALTER b DROP DEFAULT",
           "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
           "ALTER TABLE t ROW_FORMAT=DYNAMIC KEY_BLOCK_SIZE=8, LOCK=NONE",
           "ALTER TABLE t RENAME INDEX a TO b",
           "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id)",
           "ALTER TABLE t DROP FOREIGN KEY fk, DROP CHECK c",
           "ALTER TABLE t FORCE",
           "ALTER TABLE t",
           "ALTER ONLINE IGNORE TABLE t NOWAIT ENGINE=Aria",
           "ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4",
       }) {
    DdlStatement d = ParseDdl("db", sql);
    EXPECT_EQ(d.kind, Kind::kAlterTable) << sql;
    EXPECT_TRUE(d.understood) << sql;
    EXPECT_TRUE(d.actions.empty()) << sql;
  }
  DdlStatement d = ParseDdl("db", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)");
  ASSERT_TRUE(d.understood);
  ASSERT_EQ(d.actions.size(), 2u);
  EXPECT_EQ(d.actions[0].kind, Action::kDropPrimaryKey);
  EXPECT_EQ(d.actions[1].kind, Action::kAddPrimaryKey);
  EXPECT_EQ(d.actions[1].key_columns, (std::vector<std::string>{"a", "b"}));
  d = ParseDdl("db", "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING BTREE (x)");
  ASSERT_TRUE(d.understood);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].key_columns, (std::vector<std::string>{"x"}));
  d = ParseDdl("db", "DROP INDEX `PRIMARY` ON t");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.kind, Kind::kAlterTable);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].kind, Action::kDropPrimaryKey);
  EXPECT_EQ(ParseDdl("db", "DROP INDEX i ON t").kind, Kind::kNotTableDdl);
}

TEST(DdlParserTest, AlterTableNotUnderstoodStillNamesTheTable) {
  for (const char* sql : {
           "ALTER TABLE t ADD SYSTEM VERSIONING",
           "ALTER TABLE t FROBNICATE a",
           "ALTER TABLE t ADD COLUMN",
           "ALTER TABLE t ADD COLUMN c",
           "ALTER TABLE t CHANGE a",
           "ALTER TABLE t RENAME COLUMN a",
           "ALTER TABLE t DROP COLUMN a b",
           "ALTER TABLE t ADD COLUMN c INT AFTER",
       }) {
    DdlStatement d = ParseDdl("db", sql);
    EXPECT_EQ(d.kind, Kind::kAlterTable) << sql;
    EXPECT_FALSE(d.understood) << sql;
    ASSERT_EQ(d.touched.size(), 1u) << sql;
    EXPECT_EQ(d.touched[0], (QualifiedName{"db", "t"})) << sql;
  }
}

TEST(DdlParserTest, RenameDropTruncateDatabase) {
  DdlStatement d = ParseDdl("db", "RENAME TABLE a TO b, x.c TO `y`.`d`");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.kind, Kind::kRenameTables);
  ASSERT_EQ(d.renames.size(), 2u);
  EXPECT_EQ(d.renames[0].first, (QualifiedName{"db", "a"}));
  EXPECT_EQ(d.renames[0].second, (QualifiedName{"db", "b"}));
  EXPECT_EQ(d.renames[1].first, (QualifiedName{"x", "c"}));
  EXPECT_EQ(d.renames[1].second, (QualifiedName{"y", "d"}));
  EXPECT_EQ(d.touched.size(), 4u);

  d = ParseDdl("db", "ALTER TABLE a RENAME TO b");
  ASSERT_TRUE(d.understood);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].kind, Action::kRenameTable);
  EXPECT_EQ(d.actions[0].new_name, (QualifiedName{"db", "b"}));
  EXPECT_EQ(d.touched.size(), 2u);

  d = ParseDdl("db", "DROP TABLE IF EXISTS `a`, x.b /* generated by server */");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.kind, Kind::kDropTables);
  ASSERT_EQ(d.touched.size(), 2u);
  EXPECT_EQ(d.touched[1], (QualifiedName{"x", "b"}));

  d = ParseDdl("db", "TRUNCATE TABLE t");
  EXPECT_EQ(d.kind, Kind::kTruncate);
  EXPECT_TRUE(d.touched.empty());
  d = ParseDdl("db", "truncate t");
  EXPECT_EQ(d.kind, Kind::kTruncate);

  d = ParseDdl("db", "DROP DATABASE IF EXISTS `old`");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.kind, Kind::kDropSchema);
  EXPECT_EQ(d.schema, "old");
  EXPECT_EQ(ParseDdl("db", "DROP SCHEMA s").schema, "s");
}

TEST(DdlParserTest, NotTableDdl) {
  for (const char* sql : {"BEGIN", "COMMIT", "INSERT INTO t VALUES (1)", "CREATE VIEW v AS SELECT 1",
                          "CREATE DATABASE x", "GRANT ALL ON *.* TO u", "DROP VIEW v",
                          "CREATE INDEX i ON t (a)", "ALTER DATABASE d CHARACTER SET utf8mb4",
                          "CREATE DEFINER=`root`@`%` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @a=1",
                          "DROP TEMPORARY TABLE IF EXISTS tt", "RENAME USER a TO b", "", "   ",
                          "/* only a comment */", "SAVEPOINT s"}) {
    EXPECT_EQ(ParseDdl("db", sql).kind, Kind::kNotTableDdl) << sql;
  }
}

TEST(DdlParserTest, CommentsExecutableCommentsAndQuoting) {
  DdlStatement d =
      ParseDdl("db", "/* leading */ ALTER /*!32312 IGNORE*/ TABLE `my db`.`my``t` -- x\n "
                     "ADD COLUMN `select` INT /* c */ AFTER `from`");
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.table, (QualifiedName{"my db", "my`t"}));
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].spec.name, "select");
  EXPECT_EQ(d.actions[0].after, "from");

  // ANSI_QUOTES: "..." names a column.
  DdlParseOptions ansi = DdlOptionsFromSqlMode(uint64_t{1} << 2);
  EXPECT_TRUE(ansi.ansi_quotes);
  d = ParseDdl("db", R"(ALTER TABLE "t" RENAME COLUMN "a" TO "b")", ansi);
  ASSERT_TRUE(d.understood);
  EXPECT_EQ(d.table.table, "t");
  EXPECT_EQ(d.actions[0].spec.name, "b");
  // Without it, "t" is a string: not a table name.
  d = ParseDdl("db", R"(ALTER TABLE "t" RENAME COLUMN "a" TO "b")");
  EXPECT_FALSE(d.understood);
}

TEST(DdlParserTest, TypeNames) {
  EXPECT_EQ(NormalizeTypeName("INTEGER"), "int");
  EXPECT_EQ(NormalizeTypeName("Bool"), "tinyint");
  EXPECT_EQ(NormalizeTypeName("numeric"), "decimal");
  EXPECT_EQ(NormalizeTypeName("national", "varchar"), "varchar");
  EXPECT_EQ(NormalizeTypeName("nchar", "varying"), "varchar");
  EXPECT_EQ(NormalizeTypeName("LONG", "varbinary"), "mediumblob");
  EXPECT_EQ(NormalizeTypeName("long"), "mediumtext");
  EXPECT_EQ(NormalizeTypeName("inet6"), "inet6");
}

// Truncated and garbled input: never a crash, never a false "understood"
// CREATE with a wrong column list.
TEST(DdlParserTest, EveryPrefixAndGarbage) {
  const std::vector<std::string> statements = {
      "CREATE TABLE `t` (id INT PRIMARY KEY, `a` VARCHAR(10) DEFAULT 'x)', b ENUM('(', ')'))",
      "ALTER TABLE db.t ADD COLUMN c INT AFTER a, DROP COLUMN b, RENAME COLUMN a TO `z`",
      "RENAME TABLE a TO b, c TO d",
      "DROP TABLE IF EXISTS a, b",
      "ALTER TABLE t CHANGE `a` `b` INT FIRST, ADD (x INT, y INT)",
  };
  for (const std::string& s : statements) {
    for (size_t n = 0; n <= s.size(); ++n) {
      DdlStatement d = ParseDdl("db", s.substr(0, n));
      if (d.kind == Kind::kCreateTable && d.understood) {
        // Only a complete column list is understood.
        EXPECT_EQ(n, s.size()) << s.substr(0, n);
      }
    }
  }
  std::string junk;
  for (int i = 0; i < 2000; ++i) {
    junk.push_back(static_cast<char>((i * 7919 + 13) % 256));
    ParseDdl("db", junk);
    ParseDdl("db", "ALTER TABLE t " + junk);
    ParseDdl("db", "CREATE TABLE t (" + junk);
  }
  for (const char* sql : {"ALTER TABLE", "ALTER TABLE .", "ALTER TABLE `", "CREATE TABLE t (((",
                          "CREATE TABLE t ())))", "RENAME TABLE", "RENAME TABLE a TO", "DROP TABLE",
                          "DROP TABLE ,,", "ALTER TABLE t ADD ((", "ALTER TABLE t,,,",
                          "CREATE TABLE t (a INT, )", "ALTER TABLE t ADD COLUMN a INT AFTER `"}) {
    DdlStatement d = ParseDdl("db", sql);
    EXPECT_FALSE(d.understood && d.kind == Kind::kCreateTable && d.columns.empty()) << sql;
  }
  EXPECT_FALSE(ParseDdl("db", "CREATE TABLE t (a INT, )").understood);
  EXPECT_FALSE(ParseDdl("db", "DROP TABLE ,,").understood);
}

}  // namespace
}  // namespace mysqlgw
