#include "clients/cpp/cli/script_splitter.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::client::cli {

// For readable failures (found by argument-dependent lookup).
void PrintTo(const ScriptStatement& s, std::ostream* os) {
  *os << "{line " << s.line << ": \"" << s.sql << "\"}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<ScriptStatement> Split(absl::string_view script) {
  absl::StatusOr<std::vector<ScriptStatement>> out = SplitScript(script);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<ScriptStatement>{};
}

TEST(SplitScriptTest, StatementsEndAtSemicolonsThatEndTheirLine) {
  EXPECT_THAT(Split("SELECT 1;\nSELECT 2;\n"),
              ElementsAre(ScriptStatement{"SELECT 1", 1}, ScriptStatement{"SELECT 2", 2}));
  // A statement may span lines; the last one needs no ';'; CRLF is fine.
  EXPECT_THAT(
      Split("SELECT\n  1\n  + 2;\r\n\r\nSELECT 3"),
      ElementsAre(ScriptStatement{"SELECT\n  1\n  + 2", 1}, ScriptStatement{"SELECT 3", 5}));
}

TEST(SplitScriptTest, SemicolonInsideALineStaysInTheText) {
  EXPECT_THAT(Split("SELECT 1; SELECT 2;\n"),
              ElementsAre(ScriptStatement{"SELECT 1; SELECT 2", 1}));
}

TEST(SplitScriptTest, EmptyInputsAndEmptyStatements) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split("  \n\n\t").empty());
  EXPECT_TRUE(Split(";\n;\n").empty());
  EXPECT_TRUE(Split("-- only a comment\n# another\n/* and\nanother */\n").empty());
}

TEST(SplitScriptTest, SemicolonsInQuotesDoNotSplit) {
  EXPECT_THAT(
      Split("INSERT INTO t VALUES ('a;\nb', \"c;\n\", `we;\nird`);\nSELECT 2;"),
      ElementsAre(ScriptStatement{"INSERT INTO t VALUES ('a;\nb', \"c;\n\", `we;\nird`)", 1},
                  ScriptStatement{"SELECT 2", 5}));
}

TEST(SplitScriptTest, QuoteEscapes) {
  // Doubled quotes and backslash escapes, each followed by a ';' line end
  // inside the string.
  EXPECT_THAT(Split("SELECT 'it''s;\n', 'a\\';\n', \"x\\\";\n\";\nSELECT `a``b;\n`;"),
              ElementsAre(ScriptStatement{"SELECT 'it''s;\n', 'a\\';\n', \"x\\\";\n\"", 1},
                          ScriptStatement{"SELECT `a``b;\n`", 5}));
  // A backslash has no effect in a backquoted identifier.
  EXPECT_THAT(Split("SELECT `a\\`;\nSELECT 2;"),
              ElementsAre(ScriptStatement{"SELECT `a\\`", 1}, ScriptStatement{"SELECT 2", 2}));
}

TEST(SplitScriptTest, SemicolonsInCommentsDoNotSplit) {
  EXPECT_THAT(Split("SELECT 1 -- not the end;\n, 2 # nor this;\n, 3 /* nor;\n this; */;\n"),
              ElementsAre(ScriptStatement{
                  "SELECT 1 -- not the end;\n, 2 # nor this;\n, 3 /* nor;\n this; */", 1}));
}

TEST(SplitScriptTest, CommentsAfterTheTerminatorBelongToNoStatement) {
  EXPECT_THAT(Split("SELECT 1; -- first\nSELECT 2; # second\nSELECT 3; /* third */\n"
                    "SELECT 4; /* spans\nlines; */\nSELECT 5;"),
              ElementsAre(ScriptStatement{"SELECT 1", 1}, ScriptStatement{"SELECT 2", 2},
                          ScriptStatement{"SELECT 3", 3}, ScriptStatement{"SELECT 4", 4},
                          ScriptStatement{"SELECT 5", 6}));
}

TEST(SplitScriptTest, LeadingCommentsAreNotPartOfTheStatement) {
  EXPECT_THAT(Split("-- header\n\n/* block */ SELECT 1;\n"),
              ElementsAre(ScriptStatement{"SELECT 1", 3}));
}

TEST(SplitScriptTest, ExecutableCommentsAreStatements) {
  EXPECT_THAT(Split("/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET @a = 1 */;\n"),
              ElementsAre(ScriptStatement{"/*!40101 SET NAMES utf8mb4 */", 1},
                          ScriptStatement{"/*M!100100 SET @a = 1 */", 2}));
}

TEST(SplitScriptTest, DashDashNeedsABlankToBeAComment) {
  // "1--1" is arithmetic, so the ';' ends the line and the statement.
  EXPECT_THAT(Split("SELECT 1--1;\nSELECT 2;"),
              ElementsAre(ScriptStatement{"SELECT 1--1", 1}, ScriptStatement{"SELECT 2", 2}));
}

TEST(SplitScriptTest, ProcedureWithoutDelimiter) {
  const char* script =
      "DROP PROCEDURE IF EXISTS p;\n"
      "CREATE DEFINER=`root`@`%` PROCEDURE p(IN n INT)\n"
      "BEGIN\n"
      "  DECLARE i INT DEFAULT 0;\n"
      "  loop1: WHILE i < n DO\n"
      "    IF i % 2 = 0 THEN\n"
      "      SET i = i + 1;\n"
      "    ELSE\n"
      "      SET i = i + 2;\n"
      "    END IF;\n"
      "  END WHILE loop1;\n"
      "  CASE n WHEN 1 THEN SELECT 'one'; ELSE SELECT 'other'; END CASE;\n"
      "  SELECT CASE WHEN n > 1 THEN 'many' ELSE 'few' END AS how;\n"
      "  BEGIN\n"
      "    SELECT 'nested';\n"
      "  END;\n"
      "END;\n"
      "CALL p(3);\n";
  std::vector<ScriptStatement> out = Split(script);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], (ScriptStatement{"DROP PROCEDURE IF EXISTS p", 1}));
  EXPECT_EQ(out[1].line, 2);
  EXPECT_TRUE(absl::StartsWith(out[1].sql, "CREATE DEFINER"));
  EXPECT_TRUE(absl::EndsWith(out[1].sql, "  END;\nEND")) << out[1].sql;
  EXPECT_EQ(out[2], (ScriptStatement{"CALL p(3)", 18}));
}

TEST(SplitScriptTest, FunctionsTriggersEventsAndAnonymousBlocks) {
  EXPECT_EQ(Split("CREATE FUNCTION f() RETURNS INT\nBEGIN\n  RETURN 1;\nEND;\nSELECT f();").size(),
            2u);
  EXPECT_EQ(Split("CREATE OR REPLACE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n"
                  "  SET NEW.a = 1;\nEND;\nSELECT 1;")
                .size(),
            2u);
  EXPECT_EQ(Split("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO\nBEGIN\n  DELETE FROM t;\nEND;\n"
                  "SELECT 1;")
                .size(),
            2u);
  EXPECT_EQ(Split("BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;").size(), 2u);
  // A routine without a block ends at its ';'.
  EXPECT_EQ(Split("CREATE FUNCTION g() RETURNS INT RETURN 1;\nSELECT g();").size(), 2u);
}

TEST(SplitScriptTest, BeginAsATransactionIsNotABlock) {
  EXPECT_THAT(
      Split("BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n"),
      ElementsAre(ScriptStatement{"BEGIN", 1}, ScriptStatement{"INSERT INTO t VALUES (1)", 2},
                  ScriptStatement{"COMMIT", 3}));
  // Outside a stored program, BEGIN/END/CASE words change nothing.
  EXPECT_THAT(Split("SELECT CASE WHEN 1 THEN 'begin' END AS end_date;\nSELECT 2;"),
              ElementsAre(ScriptStatement{"SELECT CASE WHEN 1 THEN 'begin' END AS end_date", 1},
                          ScriptStatement{"SELECT 2", 2}));
}

TEST(SplitScriptTest, LineNumbersCountNewlinesInsideStringsAndComments) {
  std::vector<ScriptStatement> out =
      Split("SELECT 'a\nb';\n/* x\ny\n*/\nSELECT \"c\\\nd\";\nSELECT 3;");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].line, 1);
  EXPECT_EQ(out[1].line, 6);
  EXPECT_EQ(out[2].line, 8);
}

TEST(SplitScriptTest, Errors) {
  EXPECT_THAT(SplitScript("SELECT 1;\nSELECT 'open;\n").status().message(),
              HasSubstr("line 2: unterminated string"));
  EXPECT_THAT(SplitScript("SELECT `x;").status().message(), HasSubstr("unterminated identifier"));
  EXPECT_THAT(SplitScript("SELECT 1 /* open;").status().message(),
              HasSubstr("unterminated /* comment"));
  absl::Status delimiter = SplitScript("SELECT 1;\nDELIMITER //\nSELECT 2//").status();
  EXPECT_EQ(delimiter.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(delimiter.message(), HasSubstr("line 2: DELIMITER"));
}

TEST(ClassifyTransactionControlTest, Forms) {
  using K = TransactionControl;
  EXPECT_EQ(ClassifyTransactionControl("BEGIN").kind, K::kBegin);
  EXPECT_EQ(ClassifyTransactionControl("begin work").kind, K::kBegin);
  EXPECT_EQ(ClassifyTransactionControl("-- c\nBEGIN /* x */").kind, K::kBegin);
  EXPECT_EQ(ClassifyTransactionControl("START TRANSACTION").kind, K::kBegin);
  EXPECT_FALSE(ClassifyTransactionControl("START TRANSACTION").read_only);
  TransactionControl ro = ClassifyTransactionControl("start transaction read only");
  EXPECT_EQ(ro.kind, K::kBegin);
  EXPECT_TRUE(ro.read_only);
  EXPECT_TRUE(ClassifyTransactionControl("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
                  .read_only);
  EXPECT_FALSE(ClassifyTransactionControl("START TRANSACTION READ WRITE").read_only);
  EXPECT_EQ(ClassifyTransactionControl("COMMIT").kind, K::kCommit);
  EXPECT_EQ(ClassifyTransactionControl("Commit Work").kind, K::kCommit);
  EXPECT_EQ(ClassifyTransactionControl("ROLLBACK").kind, K::kRollback);
  EXPECT_EQ(ClassifyTransactionControl("ROLLBACK WORK").kind, K::kRollback);

  EXPECT_EQ(ClassifyTransactionControl("ROLLBACK TO SAVEPOINT s").kind, K::kNone);
  EXPECT_EQ(ClassifyTransactionControl("COMMIT AND CHAIN").kind, K::kNone);
  EXPECT_EQ(ClassifyTransactionControl("BEGIN NOT ATOMIC SELECT 1; END").kind, K::kNone);
  EXPECT_EQ(ClassifyTransactionControl("SELECT 1").kind, K::kNone);
  EXPECT_EQ(ClassifyTransactionControl("").kind, K::kNone);
  EXPECT_EQ(ClassifyTransactionControl("/*!40101 COMMIT */").kind, K::kNone);
}

}  // namespace
}  // namespace mysqlgw::client::cli
