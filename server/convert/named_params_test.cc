#include "server/convert/named_params.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/map.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using NamedMap = google::protobuf::Map<std::string, v1::Value>;

NamedMap Named(std::initializer_list<const char*> names) {
  NamedMap m;
  for (const char* n : names) m[n].set_int64(1);
  return m;
}

struct RewriteCase {
  std::string name;
  std::string sql;
  std::vector<const char*> params;
  std::string expected_sql;
  std::vector<std::string> expected_order;
};

std::vector<RewriteCase> Rewrites() {
  return {
      {"Single", "SELECT * FROM t WHERE id = :id", {"id"},
       "SELECT * FROM t WHERE id = ?", {"id"}},
      {"Several", "INSERT INTO t (a, b) VALUES (:a,:b)", {"a", "b"},
       "INSERT INTO t (a, b) VALUES (?,?)", {"a", "b"}},
      {"RepeatedNameBindsTwice", "SELECT :x + :y + :x", {"x", "y"},
       "SELECT ? + ? + ?", {"x", "y", "x"}},
      {"NameCharacters", "SELECT :_a1, :B_2z", {"_a1", "B_2z"},
       "SELECT ?, ?", {"_a1", "B_2z"}},
      {"NameEndsAtNonNameChar", "SELECT :a-:b,:c)", {"a", "b", "c"},
       "SELECT ?-?,?)", {"a", "b", "c"}},
      {"AtEndOfText", "SELECT :v", {"v"}, "SELECT ?", {"v"}},
      {"NoPlaceholders", "SELECT 1", {}, "SELECT 1", {}},
      {"EmptySql", "", {}, "", {}},
      // The brief's example: only :v is a placeholder.
      {"Tricky", "SELECT ':x', \"a:b\", `c:d`, @v := :v -- :nope\n", {"v"},
       "SELECT ':x', \"a:b\", `c:d`, @v := ? -- :nope\n", {"v"}},
      {"AssignmentWithoutSpaces", "SET @a:=:a", {"a"}, "SET @a:=?", {"a"}},
      {"DoubleColon", "SELECT a::b, :c", {"c"}, "SELECT a::b, ?", {"c"}},
      {"ColonRun", "SELECT :::x, :c", {"c"}, "SELECT :::x, ?", {"c"}},
      {"ColonDigit", "SELECT :1, :c", {"c"}, "SELECT :1, ?", {"c"}},
      {"ColonSpace", "l1: LOOP SELECT :c; END LOOP", {"c"},
       "l1: LOOP SELECT ?; END LOOP", {"c"}},
      {"TrailingColon", "SELECT :c, :", {"c"}, "SELECT ?, :", {"c"}},
      {"BackslashEscapedQuote", "SELECT 'it\\'s :x', :y", {"y"},
       "SELECT 'it\\'s :x', ?", {"y"}},
      {"DoubledQuote", "SELECT 'it''s :x', :y", {"y"},
       "SELECT 'it''s :x', ?", {"y"}},
      {"DoubleQuotedDoubled", "SELECT \"a\"\":x\", :y", {"y"},
       "SELECT \"a\"\":x\", ?", {"y"}},
      {"BacktickDoubled", "SELECT `a``:x`, :y", {"y"}, "SELECT `a``:x`, ?",
       {"y"}},
      {"BacktickKeepsBackslash", "SELECT `a\\`, :y", {"y"},
       "SELECT `a\\`, ?", {"y"}},
      {"QuestionMarkInLiteral", "SELECT '?', \"?\", `?`, :y", {"y"},
       "SELECT '?', \"?\", `?`, ?", {"y"}},
      {"HashComment", "SELECT :a # :b ?\n, :c", {"a", "c"},
       "SELECT ? # :b ?\n, ?", {"a", "c"}},
      {"DashComment", "SELECT :a -- :b ?\n, :c", {"a", "c"},
       "SELECT ? -- :b ?\n, ?", {"a", "c"}},
      {"DashCommentAtEnd", "SELECT :a --", {"a"}, "SELECT ? --", {"a"}},
      {"DashCommentTab", "SELECT :a --\t:b", {"a"}, "SELECT ? --\t:b", {"a"}},
      // "--" without whitespace is two minus signs, not a comment.
      {"DoubleMinus", "SELECT 1--:a", {"a"}, "SELECT 1--?", {"a"}},
      {"BlockComment", "SELECT /* :b ? ' */ :a", {"a"}, "SELECT /* :b ? ' */ ?",
       {"a"}},
      {"ExecutableComment", "SELECT /*! :a */ 1", {"a"}, "SELECT /*! ? */ 1",
       {"a"}},
      {"VersionedExecutableComment", "SELECT /*!80000 :a, ':b' */ :c",
       {"a", "c"}, "SELECT /*!80000 ?, ':b' */ ?", {"a", "c"}},
      {"MariaDbExecutableComment", "SELECT /*M! :a */ :c", {"a", "c"},
       "SELECT /*M! ? */ ?", {"a", "c"}},
      {"MultiByteText", "SELECT 'caf\xc3\xa9 :x', :y /* \xe2\x82\xac */", {"y"},
       "SELECT 'caf\xc3\xa9 :x', ? /* \xe2\x82\xac */", {"y"}},
      {"TimeLiteralOutsideQuotes", "SELECT TIME '10:30', :t", {"t"},
       "SELECT TIME '10:30', ?", {"t"}},
      // Backslashes that every sql_mode reads alike are fine.
      {"BackslashWithoutEffect", "SELECT 'a\\\\b', :y", {"y"},
       "SELECT 'a\\\\b', ?", {"y"}},
      {"BackslashNoPlaceholdersMove", "SELECT 'it\\'s' , :y", {"y"},
       "SELECT 'it\\'s' , ?", {"y"}},
  };
}

class RewriteTest : public testing::TestWithParam<RewriteCase> {};

TEST_P(RewriteTest, Rewrites) {
  const RewriteCase& c = GetParam();
  NamedMap named;
  for (const char* n : c.params) named[n].set_int64(1);
  absl::StatusOr<RewrittenSql> r = RewriteNamedParams(c.sql, named);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->sql, c.expected_sql);
  EXPECT_THAT(r->order, ElementsAreArray(c.expected_order));
}

INSTANTIATE_TEST_SUITE_P(
    Sql, RewriteTest, testing::ValuesIn(Rewrites()),
    [](const testing::TestParamInfo<RewriteCase>& info) {
      return info.param.name;
    });

struct ErrorCase {
  std::string name;
  std::string sql;
  std::vector<const char*> params;
  std::string message_part;
};

std::vector<ErrorCase> Errors() {
  return {
      {"UnknownName", "SELECT :a, :b", {"a"}, "placeholder :b has no value"},
      {"NamesAreCaseSensitive", "SELECT :ID", {"id"},
       "placeholder :ID has no value"},
      {"KeyWithColon", "SELECT :id", {":id"}, "must omit the colon"},
      {"UnusedKey", "SELECT :a", {"a", "zz", "b"},
       "key \"b\" is not used"},  // The smallest unused key is named.
      {"UnusedKeyNoPlaceholders", "SELECT 1", {"a"}, "key \"a\" is not used"},
      {"UnusedKeyOnlyInComment", "SELECT :a -- :b\n", {"a", "b"},
       "key \"b\" is not used"},
      {"UnusedKeyOnlyInLiteral", "SELECT :a, ':b'", {"a", "b"},
       "key \"b\" is not used"},
      {"MixedWithQuestionMark", "SELECT :a, ?", {"a"}, "? placeholder"},
      {"QuestionMarkOnly", "SELECT ?", {}, "? placeholder"},
      {"QuestionMarkInExecutableComment", "SELECT /*! ? */ :a", {"a"},
       "? placeholder"},
      {"UnterminatedSingleQuote", "SELECT ':a", {"a"}, "unterminated '"},
      {"UnterminatedDoubleQuote", "SELECT \":a", {"a"}, "unterminated \""},
      {"UnterminatedBacktick", "SELECT `:a", {"a"}, "unterminated `"},
      {"EscapedQuoteDoesNotClose", "SELECT 'a\\'", {}, "unterminated '"},
      {"UnterminatedBlockComment", "SELECT :a /* x", {"a"},
       "unterminated /* comment"},
      {"UnterminatedExecutableComment", "SELECT /*! :a", {"a"},
       "unterminated executable comment"},
      {"NestedExecutableComment", "SELECT /*! /*! :a */ */", {"a"},
       "nested executable comment"},
      // By default '\'' is a quote and :x is live; under
      // NO_BACKSLASH_ESCAPES the first literal runs on to the third quote
      // ('\'', :x, ') and :x is text. A bound value must not depend on that.
      {"SqlModeDependent", "SELECT '\\'', :x, '\\''", {"x"},
       "depend on sql_mode"},
      // By default the ? is text and :x live; under NO_BACKSLASH_ESCAPES
      // the ? is live and :x text, so the server would see one placeholder,
      // not where this rewrite put it.
      {"QuestionMarkLiveInOtherMode", "SELECT '\\'', :x, '?\\''", {"x"},
       "depend on sql_mode"},
      // Under ANSI_QUOTES "..." has no backslash escapes.
      {"AnsiQuotesDependent", "SELECT \"\\\"\", :x, \"\\\"\"", {"x"},
       "depend on sql_mode"},
  };
}

class RewriteErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(RewriteErrorTest, IsInvalidArgument) {
  const ErrorCase& c = GetParam();
  NamedMap named;
  for (const char* n : c.params) named[n].set_int64(1);
  absl::StatusOr<RewrittenSql> r = RewriteNamedParams(c.sql, named);
  ASSERT_FALSE(r.ok()) << r->sql;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(c.message_part));
}

INSTANTIATE_TEST_SUITE_P(
    Sql, RewriteErrorTest, testing::ValuesIn(Errors()),
    [](const testing::TestParamInfo<ErrorCase>& info) {
      return info.param.name;
    });

TEST(RewriteNamedParamsTest, EveryPrefixOfATrickyStatementIsHandled) {
  // Cutting the statement anywhere must give either a clean rewrite or an
  // InvalidArgument, never a crash or a read past the end.
  const std::string sql =
      "SELECT ':x', \"a:b\\\"\", `c:d`, @v := :v, a::b /*! :w */ # :n\n"
      "-- :n\n/* :n */ :w";
  const NamedMap named = Named({"v", "w"});
  for (size_t n = 0; n <= sql.size(); ++n) {
    absl::StatusOr<RewrittenSql> r = RewriteNamedParams(sql.substr(0, n), named);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << n;
    }
  }
  absl::StatusOr<RewrittenSql> full = RewriteNamedParams(sql, named);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->sql,
            "SELECT ':x', \"a:b\\\"\", `c:d`, @v := ?, a::b /*! ? */ # :n\n"
            "-- :n\n/* :n */ ?");
  EXPECT_THAT(full->order, ElementsAre("v", "w", "w"));
}

TEST(RewriteNamedParamsTest, EmptyMapAndNoPlaceholders) {
  absl::StatusOr<RewrittenSql> r = RewriteNamedParams("SELECT 1", NamedMap());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sql, "SELECT 1");
  EXPECT_THAT(r->order, IsEmpty());
}

}  // namespace
}  // namespace mysqlgw
