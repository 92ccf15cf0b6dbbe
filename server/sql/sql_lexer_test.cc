#include "server/sql/sql_lexer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Tokens(absl::string_view sql, SqlLexerMode mode = SqlLexerMode()) {
  SqlLexer lexer(sql, mode);
  std::vector<std::string> out;
  for (SqlToken t = lexer.Next(); !t.IsEnd(); t = lexer.Next()) out.emplace_back(t.text);
  return out;
}

TEST(SqlLexerTest, WordsPunctuationAndVariables) {
  EXPECT_THAT(Tokens("SELECT a.b, @x, @@global.max_connections FROM `t``q`;"),
              ElementsAre("SELECT", "a", ".", "b", ",", "@x", ",", "@@global.max_connections",
                          "FROM", "`t``q`", ";"));
  EXPECT_THAT(Tokens("SET @'quoted name' = 1"), ElementsAre("SET", "@'quoted name'", "=", "1"));
}

TEST(SqlLexerTest, Comments) {
  EXPECT_THAT(Tokens("-- c\n# c\n/* c */ SELECT 1 -- trailing"), ElementsAre("SELECT", "1"));
  EXPECT_THAT(Tokens("SELECT 1--1"), ElementsAre("SELECT", "1", "-", "-", "1"));
  EXPECT_THAT(Tokens("SELECT 1 --\tx"), ElementsAre("SELECT", "1"));
  EXPECT_THAT(Tokens("SELECT /*+ hint */ 1"), ElementsAre("SELECT", "1"));
  EXPECT_THAT(Tokens("SELECT 1 /* unterminated"), ElementsAre("SELECT", "1"));
}

TEST(SqlLexerTest, VersionComments) {
  EXPECT_THAT(Tokens("/*!40101 SET NAMES utf8 */;"), ElementsAre("SET", "NAMES", "utf8", ";"));
  EXPECT_THAT(Tokens("/*M!100100 SET x=1*/"), ElementsAre("SET", "x", "=", "1"));
  EXPECT_THAT(Tokens("/*! STRAIGHT_JOIN */"), ElementsAre("STRAIGHT_JOIN"));
  SqlLexerMode as_comments;
  as_comments.version_comments_are_sql = false;
  EXPECT_THAT(Tokens("/*!40101 SET NAMES utf8 */;", as_comments), ElementsAre(";"));
  // A '*/' outside a version comment is just two characters.
  EXPECT_THAT(Tokens("SELECT 2 */ 1"), ElementsAre("SELECT", "2", "*", "/", "1"));
}

TEST(SqlLexerTest, StringsAndEscapes) {
  EXPECT_THAT(Tokens(R"(SELECT 'it''s', "a\"b", 'c\'d')"),
              ElementsAre("SELECT", "'it''s'", ",", R"("a\"b")", ",", R"('c\'d')"));
  SqlLexerMode no_escapes;
  no_escapes.backslash_escapes_in_single_quotes = false;
  no_escapes.backslash_escapes_in_double_quotes = false;
  EXPECT_THAT(Tokens(R"(SELECT 'a\'; DROP)", no_escapes),
              ElementsAre("SELECT", R"('a\')", ";", "DROP"));
  EXPECT_THAT(Tokens(R"(SELECT 'a\'; DROP)"), ElementsAre("SELECT", R"('a\'; DROP)"));
  EXPECT_THAT(Tokens("SELECT 'unterminated ; x"), ElementsAre("SELECT", "'unterminated ; x"));
  EXPECT_THAT(Tokens("SELECT 'x\\"), ElementsAre("SELECT", "'x\\"));
}

TEST(SqlLexerTest, KeywordsAreCaseInsensitiveAndNeverQuoted) {
  SqlLexer lexer("select `select` 'select'");
  EXPECT_TRUE(lexer.Next().Is("SELECT"));
  EXPECT_FALSE(lexer.Next().Is("SELECT"));
  EXPECT_FALSE(lexer.Next().Is("SELECT"));
}

TEST(SqlLexerTest, NextInStatementStopsAtSemicolon) {
  SqlLexer lexer("a; b");
  EXPECT_EQ(lexer.NextInStatement().text, "a");
  EXPECT_TRUE(lexer.PeekInStatement().IsEnd());
  EXPECT_TRUE(lexer.NextInStatement().IsEnd());
  EXPECT_TRUE(lexer.Next().IsPunct(';'));
  EXPECT_EQ(lexer.NextInStatement().text, "b");
  EXPECT_TRUE(lexer.Next().IsEnd());
}

TEST(SqlLexerTest, EveryPrefixTerminates) {
  const std::string sql =
      "/*!40101 SET @a='x\\'y' */; SELECT `c` FROM t -- z\n WHERE d = \"e\" # f\n;";
  for (size_t n = 0; n <= sql.size(); ++n) {
    for (bool escapes : {true, false}) {
      SqlLexerMode mode;
      mode.backslash_escapes_in_single_quotes = escapes;
      mode.version_comments_are_sql = escapes;
      EXPECT_LE(Tokens(sql.substr(0, n), mode).size(), n);
    }
  }
}

}  // namespace
}  // namespace mysqlgw
