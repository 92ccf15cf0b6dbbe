#include "server/sql/digest.h"

#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAreArray;

DigestOptions Ansi() {
  DigestOptions o;
  o.ansi_quotes = true;
  return o;
}
DigestOptions NoBackslash() {
  DigestOptions o;
  o.no_backslash_escapes = true;
  return o;
}

struct TextCase {
  const char* name;
  std::string sql;
  std::string text;
  DigestOptions options = {};
};
void PrintTo(const TextCase& c, std::ostream* os) { *os << c.name; }

const std::vector<TextCase>& TextCases() {
  static const auto* cases = new std::vector<TextCase>{
      {"point_select", "select * from t where id = 1", "SELECT * FROM `t` WHERE `id` = ?"},
      {"in_list", "SELECT a, b FROM t WHERE x IN (1, 2, 3) AND y = 'z'",
       "SELECT `a`, `b` FROM `t` WHERE `x` IN (...) AND `y` = ?"},
      {"not_in_placeholders", "DELETE FROM t WHERE id NOT IN (?, ?, :x)",
       "DELETE FROM `t` WHERE `id` NOT IN (...)"},
      {"in_tuples", "SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, -4))",
       "SELECT * FROM `t` WHERE (`a`, `b`) IN (...)"},
      {"in_subquery_kept", "SELECT * FROM a WHERE id IN (SELECT a_id FROM b WHERE c = 1)",
       "SELECT * FROM `a` WHERE `id` IN (SELECT `a_id` FROM `b` WHERE `c` = ?)"},
      {"in_columns_kept", "SELECT 1 IN (a, 2)", "SELECT ? IN (`a`, ?)"},
      {"negative_after_operator", "SELECT * FROM t WHERE id = -5 AND x > - 2.5",
       "SELECT * FROM `t` WHERE `id` = ? AND `x` > ?"},
      {"negative_at_start", "SELECT -1, +2, - -3", "SELECT ?, ?, ?"},
      {"minus_minus", "SELECT 1--1", "SELECT ? - ?"},
      {"binary_minus", "SELECT a - 1, (b)-2, NULL - 3 FROM t",
       "SELECT `a` - ?, (`b`) - ?, NULL - ? FROM `t`"},
      {"sign_before_column_kept", "SELECT -a FROM t", "SELECT - `a` FROM `t`"},
      {"values_rows", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, NULL), (-3, DEFAULT);",
       "INSERT INTO `t`(`a`, `b`) VALUES (...)"},
      {"value_single_row", "insert into t value (?, ?)", "INSERT INTO `t` VALUE (...)"},
      {"values_with_function_kept", "INSERT INTO t VALUES (1, NOW())",
       "INSERT INTO `t` VALUES (?, NOW())"},
      {"values_function_call", "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)",
       "INSERT INTO `t`(`a`) VALUES (...) ON DUPLICATE KEY UPDATE `a` = VALUES (`a`)"},
      {"comments_dropped", "/* c */ SELECT /*+ NO_ICP(t) */ 1 -- x\n # y",
       "SELECT ?"},
      {"executable_kept", "/*!40101 SET NAMES utf8mb4 */;", "SET NAMES `utf8mb4`"},
      {"mariadb_executable_kept", "SELECT /*M!100100 SQL_NO_CACHE */ 1", "SELECT SQL_NO_CACHE ?"},
      {"multi_statement", "SELECT 1; select 2 ;;", "SELECT ?; SELECT ?"},
      {"comment_only_statement_skipped", "SELECT 1; -- done\n", "SELECT ?"},
      {"quoted_identifiers", "SELECT `a``b` FROM `db`.`t`", "SELECT `a``b` FROM `db`.`t`"},
      {"ansi_identifiers", R"(SELECT "a""b", "c`d" FROM t)", "SELECT `a\"b`, `c``d` FROM `t`",
       Ansi()},
      {"double_quoted_string", R"(SELECT "a""b" FROM t)", "SELECT ? FROM `t`"},
      {"functions", "SELECT count(*), max(x) FROM t GROUP BY y HAVING COUNT(*) > 2",
       "SELECT COUNT(*), MAX(`x`) FROM `t` GROUP BY `y` HAVING COUNT(*) > ?"},
      {"user_function", "SELECT my_fn(a, 'b') FROM t", "SELECT `my_fn`(`a`, ?) FROM `t`"},
      {"variables", "SET @x = 5, @@session.sql_mode = 'ANSI'",
       "SET @x = ?, @@session.sql_mode = ?"},
      {"adjacent_strings", "SELECT 'a' 'b', 'c'", "SELECT ?, ?"},
      {"literal_kinds", "SELECT X'0A', 0x1F, b'1', 0b1, _utf8mb4'x', N'y', 1.5e3, .5",
       "SELECT ?, ?, ?, ?, ?, ?, ?, ?"},
      {"unary_in_call", "SELECT ABS(-1), f(-2) FROM t", "SELECT ABS(?), `f`(?) FROM `t`"},
      {"limit_offset", "SELECT * FROM t LIMIT 10 OFFSET 5", "SELECT * FROM `t` LIMIT ? OFFSET ?"},
      {"case_end_minus", "SELECT CASE WHEN a > 0 THEN 'p' ELSE 'n' END - 1 FROM t",
       "SELECT CASE WHEN `a` > ? THEN ? ELSE ? END - ? FROM `t`"},
      {"update", "UPDATE t SET a = a + 1 WHERE id = ?", "UPDATE `t` SET `a` = `a` + ? WHERE `id` = ?"},
      {"user_at_host", "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'",
       "CREATE USER ?@? IDENTIFIED BY ?"},
      {"at_sign_apart_from_variables", "SELECT ''@@x, 'u'@ @v", "SELECT ? @@x, ?@ @v"},
      {"keyword_after_dot_is_name", "SELECT t.status, t . date FROM db.select",
       "SELECT `t`.`status`, `t`.DATE FROM `db`.`select`"},
      {"json_arrow", "SELECT doc->>'$.a' FROM t", "SELECT `doc` ->> ? FROM `t`"},
      {"qualified", "SELECT a.b.c, t.* FROM t", "SELECT `a`.`b`.`c`, `t`.* FROM `t`"},
      {"create_table", "CREATE TABLE t (id INT NOT NULL DEFAULT -1, name VARCHAR(255))",
       "CREATE TABLE `t`(`id` INT NOT NULL DEFAULT ?, `name` VARCHAR(?))"},
      {"named_placeholder", "SELECT * FROM t WHERE a = :a AND b = ?",
       "SELECT * FROM `t` WHERE `a` = ? AND `b` = ?"},
      {"nul_byte", std::string("SELECT 1\0", 9), "SELECT ? \\x00"},
      {"unterminated_string", "SELECT 'abc", "SELECT ?"},
      {"unterminated_identifier", "SELECT `ab", "SELECT `ab`"},
      {"empty", "", ""},
      {"only_comments", "/* a */ -- b\n", ""},
      {"no_backslash_mode", R"(SELECT 'a\' , 'c')", "SELECT ?, ?", NoBackslash()},
      {"backslash_mode", R"(SELECT 'a\' , 'c')", "SELECT ? `c` ?"},
      {"operators_spaced", "SELECT a<=>b, c:=1, x||y FROM t",
       "SELECT `a` <=> `b`, `c` := ?, `x` || `y` FROM `t`"},
      {"subquery_in_from", "SELECT d.x FROM (SELECT x FROM t WHERE y = 2) AS d",
       "SELECT `d`.`x` FROM (SELECT `x` FROM `t` WHERE `y` = ?) AS `d`"},
      {"utf8_identifier", "SELECT caf\xc3\xa9 FROM t", "SELECT `caf\xc3\xa9` FROM `t`"},
  };
  return *cases;
}

class DigestTextTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(DigestTextTest, Text) {
  const TextCase& c = GetParam();
  const StatementDigest d = DigestStatement(c.sql, c.options);
  EXPECT_EQ(d.text, c.text);
}

INSTANTIATE_TEST_SUITE_P(Table, DigestTextTest, ::testing::ValuesIn(TextCases()),
                         [](const ::testing::TestParamInfo<TextCase>& info) {
                           return std::string(info.param.name);
                         });

struct TablesCase {
  const char* name;
  std::string sql;
  std::vector<std::string> tables;  // "db.name" or "name".
  DigestOptions options = {};
};
void PrintTo(const TablesCase& c, std::ostream* os) { *os << c.name; }

const std::vector<TablesCase>& TablesCases() {
  static const auto* cases = new std::vector<TablesCase>{
      {"simple", "SELECT * FROM t WHERE a = 'FROM x'", {"t"}},
      {"joins", "SELECT * FROM db.t AS x JOIN `db2`.`u` y ON x.id = y.id "
                "LEFT OUTER JOIN v USING (id) NATURAL JOIN w CROSS JOIN z STRAIGHT_JOIN q",
       {"db.t", "db2.u", "v", "w", "z", "q"}},
      {"comma_list", "SELECT * FROM a, b AS x, c y WHERE a.id = x.id", {"a", "b", "c"}},
      {"comma_after_on", "SELECT * FROM a JOIN b ON a.x = b.x, c", {"a", "b", "c"}},
      {"derived_tables",
       "SELECT * FROM (SELECT id FROM inner_t WHERE x IN (SELECT y FROM deep)) AS d "
       "JOIN outer_t ON d.id = outer_t.id",
       {"inner_t", "deep", "outer_t"}},
      {"scalar_subquery", "SELECT (SELECT MAX(x) FROM m), y FROM n", {"m", "n"}},
      {"subquery_in_comma_list", "SELECT * FROM a, (SELECT x, y FROM b) d, c", {"a", "b", "c"}},
      {"exists", "SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.id = t1.id)",
       {"t1", "t2"}},
      {"union", "SELECT * FROM a UNION SELECT * FROM b", {"a", "b"}},
      {"ctes",
       "WITH recent AS (SELECT * FROM orders WHERE d > NOW()), top5 AS (SELECT * FROM recent) "
       "SELECT * FROM top5 JOIN customers c ON c.id = top5.cid",
       {"orders", "customers"}},
      {"recursive_cte",
       "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) "
       "SELECT * FROM r",
       {}},
      {"update_join",
       "UPDATE orders o JOIN customers c ON o.cid = c.id SET o.flag = 1 WHERE c.vip",
       {"orders", "customers"}},
      {"update_list", "UPDATE LOW_PRIORITY IGNORE a, b SET a.x = b.x, a.y = 2", {"a", "b"}},
      {"multi_delete", "DELETE t1, t2 FROM t1 INNER JOIN t2 ON t1.id = t2.id WHERE t1.x = 1",
       {"t1", "t2"}},
      {"delete_alias", "DELETE a FROM items AS a JOIN tags b ON a.id = b.item_id",
       {"items", "tags"}},
      {"delete_using",
       "DELETE FROM t1, t2 USING t1 INNER JOIN t2 INNER JOIN t3 WHERE t1.id = t2.id",
       {"t1", "t2", "t3"}},
      {"delete_join_using_column", "DELETE FROM t1 USING t1 JOIN t2 USING (id)", {"t1", "t2"}},
      {"insert_select",
       "INSERT INTO t (a) SELECT b FROM u ON DUPLICATE KEY UPDATE a = VALUES(a)", {"t", "u"}},
      {"insert_without_into", "INSERT IGNORE t2 VALUES (1)", {"t2"}},
      {"insert_derived", "INSERT INTO log SELECT * FROM (SELECT * FROM src) AS s",
       {"log", "src"}},
      {"replace", "REPLACE INTO db.t SET a = REPLACE(b, 'x', 'y')", {"db.t"}},
      {"truncate", "TRUNCATE TABLE t; TRUNCATE t2", {"t", "t2"}},
      {"drop", "DROP TABLE IF EXISTS a, db.b", {"a", "db.b"}},
      {"create", "CREATE TABLE IF NOT EXISTS t (id INT, FOREIGN KEY (id) REFERENCES p(id))",
       {"t", "p"}},
      {"create_like", "CREATE TEMPORARY TABLE t LIKE u", {"t", "u"}},
      {"alter", "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INPLACE", {"t"}},
      {"create_index", "CREATE UNIQUE INDEX i ON t (a)", {"t"}},
      {"rename", "RENAME TABLE a TO b, c TO d", {"a", "b", "c", "d"}},
      {"describe", "DESCRIBE t; DESC db.u; EXPLAIN v", {"t", "db.u", "v"}},
      {"explain_statement", "EXPLAIN FORMAT=JSON SELECT * FROM t; EXPLAIN SELECT 1 FROM u",
       {"t", "u"}},
      {"lock_tables", "LOCK TABLES t1 READ, t2 AS x WRITE", {"t1", "t2"}},
      {"table_statement", "TABLE t", {"t"}},
      {"for_update", "SELECT * FROM t FOR UPDATE NOWAIT", {"t"}},
      {"share_mode", "SELECT * FROM t LOCK IN SHARE MODE", {"t"}},
      {"extract_from", "SELECT EXTRACT(YEAR FROM created_at), TRIM(LEADING 'x' FROM s) FROM t",
       {"t"}},
      {"index_hint", "SELECT * FROM t1 USE INDEX FOR JOIN (i1), t2", {"t1", "t2"}},
      {"partition", "SELECT * FROM t PARTITION (p0, p1) WHERE a IN (1, 2)", {"t"}},
      {"parenthesized_join", "SELECT * FROM (t1, t2) JOIN t3 ON 1", {"t1", "t2", "t3"}},
      {"show_columns", "SHOW COLUMNS FROM t", {"t"}},
      {"show_tables", "SHOW TABLES FROM db; SHOW TABLE STATUS; SHOW DATABASES", {}},
      {"show_create", "SHOW CREATE TABLE db.t", {"db.t"}},
      {"grant", "GRANT SELECT, UPDATE ON db.t TO u", {"db.t"}},
      {"grant_wildcard", "GRANT SELECT ON db.* TO u", {}},
      {"dual", "SELECT 1 FROM DUAL", {}},
      {"dedupe_across_statements", "SELECT * FROM a; SELECT * FROM b, a", {"a", "b"}},
      {"case_sensitive_names", "SELECT * FROM T, t", {"T", "t"}},
      {"quoted_names", "SELECT * FROM `my db`.`odd``name`", {"my db.odd`name"}},
      {"ansi_names", R"(SELECT * FROM "s"."t")", {"s.t"}, Ansi()},
      {"keyword_named_table", "SELECT * FROM status JOIN user", {"status", "user"}},
      {"executable_comment", "/*!50000 SELECT * FROM hidden */", {"hidden"}},
      {"from_in_comment", "SELECT 1 /* FROM t */", {}},
      {"unterminated_name", "SELECT * FROM `abc", {"abc"}},
      {"trailing_qualifier", "SELECT * FROM db.", {}},
  };
  return *cases;
}

class DigestTablesTest : public ::testing::TestWithParam<TablesCase> {};

TEST_P(DigestTablesTest, Tables) {
  const TablesCase& c = GetParam();
  std::vector<std::string> got;
  for (const TableName& t : DigestStatement(c.sql, c.options).tables) {
    got.push_back(t.database.empty() ? t.name : t.database + "." + t.name);
  }
  EXPECT_THAT(got, ElementsAreArray(c.tables));
}

INSTANTIATE_TEST_SUITE_P(Table, DigestTablesTest, ::testing::ValuesIn(TablesCases()),
                         [](const ::testing::TestParamInfo<TablesCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(DigestTest, DatabaseAndNameAreSeparate) {
  const StatementDigest d = DigestStatement("SELECT * FROM `a.b`, a.b");
  ASSERT_EQ(d.tables.size(), 2u);
  EXPECT_EQ(d.tables[0], (TableName{"", "a.b"}));
  EXPECT_EQ(d.tables[1], (TableName{"a", "b"}));
}

TEST(DigestTest, HashIsPinned) {
  // FNV-1a 64 of the text: a change here changes every configured digest.
  EXPECT_EQ(DigestStatement("").hash, 0xcbf29ce484222325ull);
  EXPECT_EQ(DigestHex(DigestStatement("select 1").hash), "199e7dca63ea8858");
  EXPECT_EQ(DigestHex(DigestStatement("SELECT * FROM t WHERE id = 42").hash),
            "edca3406b666b8e7");
  EXPECT_EQ(DigestHex(DigestStatement("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)").hash),
            "ff8697693439c355");
  EXPECT_EQ(DigestHex(DigestStatement("SELECT 1; SELECT 2").hash), "e53dec24332a363a");
}

TEST(DigestTest, Hex) {
  EXPECT_EQ(DigestHex(0), "0000000000000000");
  EXPECT_EQ(DigestHex(0x0123456789abcdefull), "0123456789abcdef");
  EXPECT_EQ(DigestHex(~0ull), "ffffffffffffffff");
}

TEST(DigestTest, SameDigestWhenOnlyLiteralsSpacingCommentsOrKeywordCaseDiffer) {
  const std::vector<std::vector<std::string>> groups = {
      {"SELECT * FROM t WHERE id = 1", "select *\n\tfrom t  where id=42 -- trailing",
       "/* lead */ SELECT * FROM t WHERE id = 'x';", "SeLeCt * FrOm t WhErE id = -7.5e3",
       "SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id = :id", "SELECT * FROM t WHERE id = 0x1F"},
      {"SELECT a FROM t WHERE b IN (1)", "SELECT a FROM t WHERE b IN (1, 2, 3, 4, 5)",
       "SELECT a FROM t WHERE b IN ('x', NULL, -1, ?)"},
      {"INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')",
       "insert into t values(?,?),(?,?)"},
      {"SELECT /*+ MAX_EXECUTION_TIME(1) */ 1", "SELECT 2", "SELECT 'a' 'b'"},
  };
  for (const auto& group : groups) {
    const StatementDigest first = DigestStatement(group[0]);
    for (const std::string& sql : group) {
      const StatementDigest d = DigestStatement(sql);
      EXPECT_EQ(d.text, first.text) << sql;
      EXPECT_EQ(d.hash, first.hash) << sql;
    }
  }
}

TEST(DigestTest, DifferentDigestsForDifferentStatements) {
  const std::vector<std::string> sqls = {
      "SELECT * FROM t WHERE id = 1",    "SELECT * FROM u WHERE id = 1",
      "SELECT * FROM t WHERE ID = 1",    "SELECT * FROM t WHERE id > 1",
      "SELECT * FROM t WHERE id = @x",   "SELECT * FROM t WHERE id = 1 OR 1 = 1",
      "SELECT a FROM t WHERE id = 1",    "DELETE FROM t WHERE id = 1",
      "SELECT * FROM t WHERE id = NULL", "SELECT * FROM t WHERE id IN (SELECT 1)",
      "SELECT * FROM t WHERE id = 1; DROP TABLE t", "SELECT * FROM db.t WHERE id = 1",
  };
  for (size_t i = 0; i < sqls.size(); ++i) {
    for (size_t j = i + 1; j < sqls.size(); ++j) {
      const StatementDigest a = DigestStatement(sqls[i]);
      const StatementDigest b = DigestStatement(sqls[j]);
      EXPECT_NE(a.text, b.text) << sqls[i] << " vs " << sqls[j];
      EXPECT_NE(a.hash, b.hash) << sqls[i] << " vs " << sqls[j];
    }
  }
}

// No byte of a string literal's content reaches the digest text.
void CheckNoStringContent(absl::string_view sql, const DigestOptions& o) {
  const StatementDigest d = DigestStatement(sql, o);
  TokenizerOptions to;
  to.no_backslash_escapes = o.no_backslash_escapes;
  to.ansi_quotes = o.ansi_quotes;
  // Read back, the text has no literal or comment left.
  for (const Token& t : Tokenize(d.text, to)) {
    ASSERT_FALSE(t.IsLiteral() || t.IsTrivia() || t.kind == TokenKind::kInvalid)
        << sql << " -> " << d.text;
  }
  for (const Token& t : Tokenize(sql, to)) {
    if (t.kind != TokenKind::kString) continue;
    const absl::string_view text = t.Text(sql);
    if (text.size() >= 6) {  // Short contents may coincide with names.
      ASSERT_EQ(d.text.find(std::string(text)), std::string::npos) << sql;
    }
  }
}

std::vector<DigestOptions> BothModes() {
  std::vector<DigestOptions> all(4);
  all[1].no_backslash_escapes = true;
  all[2].ansi_quotes = true;
  all[3].no_backslash_escapes = all[3].ansi_quotes = true;
  return all;
}

TEST(DigestTest, EveryPrefixOfTrickySqlIsSafe) {
  std::vector<std::string> inputs;
  for (const TextCase& c : TextCases()) inputs.push_back(c.sql);
  for (const TablesCase& c : TablesCases()) inputs.push_back(c.sql);
  inputs.push_back(
      "WITH x AS (SELECT /*!50000 'secret\\'s' */ FROM a.`b``c` WHERE d IN ((1,-2),(3,4))) "
      "INSERT INTO t VALUES (1, _utf8mb4'password'), (-2, X'0A') -- c\n; UPDATE u SET v = -1");
  for (const std::string& sql : inputs) {
    for (size_t n = 0; n <= sql.size(); ++n) {
      for (const DigestOptions& o : BothModes()) {
        const absl::string_view prefix = absl::string_view(sql).substr(0, n);
        const StatementDigest d = DigestStatement(prefix, o);
        ASSERT_EQ(d.hash, DigestStatement(prefix, o).hash);
        CheckNoStringContent(prefix, o);
      }
    }
  }
}

TEST(DigestTest, RandomBytesAreSafe) {
  std::mt19937 rng(99);
  static constexpr char kAlphabet[] =
      "'\"`\\/*!-#@?:;.,() 0123456789 SELECT FROM JOIN IN VALUES WITH xXbB_N\n\x00\xff+=<>";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string sql(rng() % 80, ' ');
    for (char& c : sql) {
      c = (rng() % 5 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    for (const DigestOptions& o : BothModes()) CheckNoStringContent(sql, o);
  }
}

TEST(DigestTest, SecretsInStringsNeverReachTheText) {
  const StatementDigest d = DigestStatement(
      "INSERT INTO users (name, pw) VALUES ('alice', 'hunter2'), ('bob', _utf8mb4'p@ss')");
  EXPECT_EQ(d.text.find("hunter2"), std::string::npos);
  EXPECT_EQ(d.text.find("alice"), std::string::npos);
  EXPECT_EQ(d.text.find("p@ss"), std::string::npos);
  const StatementDigest e = DigestStatement("SELECT 'a\\'hunter2' FROM t");
  EXPECT_EQ(e.text, "SELECT ? FROM `t`");
}

}  // namespace
}  // namespace mysqlgw
