#include "server/sql/tokenizer.h"

#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char* KindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kWord: return "W";
    case TokenKind::kQuotedIdentifier: return "Q";
    case TokenKind::kString: return "S";
    case TokenKind::kNumber: return "N";
    case TokenKind::kHexNumber: return "X";
    case TokenKind::kBitNumber: return "B";
    case TokenKind::kPlaceholder: return "P";
    case TokenKind::kUserVariable: return "U";
    case TokenKind::kSystemVariable: return "V";
    case TokenKind::kOperator: return "O";
    case TokenKind::kSemicolon: return ";";
    case TokenKind::kComment: return "C";
    case TokenKind::kExecutableCommentBegin: return "E<";
    case TokenKind::kExecutableCommentEnd: return "E>";
    case TokenKind::kInvalid: return "I";
  }
  return "?";
}

// "KIND:text", with "!u" for unterminated and "!m" for malformed tokens.
std::string Join(absl::string_view sql, const TokenizerOptions& options) {
  std::string out;
  for (const Token& t : Tokenize(sql, options)) {
    if (!out.empty()) out += ' ';
    out += KindName(t.kind);
    out += ':';
    out += std::string(t.Text(sql));
    if (t.unterminated) out += "!u";
    if (t.malformed) out += "!m";
  }
  return out;
}

struct Case {
  const char* name;
  std::string sql;
  std::string tokens;
  TokenizerOptions options = {};
};

TokenizerOptions NoBackslash() {
  TokenizerOptions o;
  o.no_backslash_escapes = true;
  return o;
}
TokenizerOptions Ansi() {
  TokenizerOptions o;
  o.ansi_quotes = true;
  return o;
}
TokenizerOptions VersionCommentsAreComments() {
  TokenizerOptions o;
  o.executable_comments_are_sql = false;
  return o;
}

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"empty", "", ""},
      {"only_space", " \t\r\n\v\f ", ""},
      {"point_select", "SELECT * FROM t WHERE id=1",
       "W:SELECT O:* W:FROM W:t W:WHERE W:id O:= N:1"},
      {"qualified", "a.b.c", "W:a O:. W:b O:. W:c"},
      {"qualified_quoted", "`db`.`t`.c", "Q:`db` O:. Q:`t` O:. W:c"},
      {"digit_name_after_dot", "t.1e5, t.123", "W:t O:. W:1e5 O:, W:t O:. W:123"},
      {"doubled_quote", "'it''s'", "S:'it''s'"},
      {"backslash_quote", R"('a\'b')", R"(S:'a\'b')"},
      {"backslash_quote_no_escapes", R"('a\'c')", R"(S:'a\' W:c S:'!u)", NoBackslash()},
      // b' opens a bit literal.
      {"bit_after_string", R"('a\'b')", R"(S:'a\' B:b'!u)", NoBackslash()},
      {"backslash_at_end", "'abc\\", "S:'abc\\!u"},
      {"backslash_backslash", R"('a\\' x)", R"(S:'a\\' W:x)"},
      {"double_quoted_string", R"("a""b" "c\"d")", R"(S:"a""b" S:"c\"d")"},
      {"ansi_double_quotes", R"("a""b" "c\"d)", R"(Q:"a""b" Q:"c\" W:d)", Ansi()},
      {"unterminated_string", "SELECT 'abc", "W:SELECT S:'abc!u"},
      {"unterminated_ident", "SELECT `ab``c", "W:SELECT Q:`ab``c!u"},
      {"quoted_ident", "`a``b`", "Q:`a``b`"},
      {"introducers", "_utf8mb4'x' N'y' n\"z\" _binary 'w'",
       "S:_utf8mb4'x' S:N'y' S:n\"z\" S:_binary 'w'"},
      {"unknown_introducer_apart", "_foo 'x'", "W:_foo S:'x'"},
      {"introduced_hex", "_binary X'0A' _latin1 0x41", "X:_binary X'0A' X:_latin1 0x41"},
      {"numbers", "1 1.5 .5 1. 1e10 1.5E-3 2e+7 .5e2",
       "N:1 N:1.5 N:.5 N:1. N:1e10 N:1.5E-3 N:2e+7 N:.5e2"},
      {"digit_identifiers", "1abc 1e 123_", "W:1abc W:1e W:123_"},
      {"exponent_sign_without_digits", "1e-x", "W:1e O:- W:x"},
      {"hex", "X'0A' x'' 0x1F 0XAB", "X:X'0A' X:x'' X:0x1F W:0XAB"},
      {"bad_hex", "x'ZZ' X'ABC' 0xZZ", "X:x'ZZ'!m X:X'ABC'!m W:0xZZ"},
      {"unterminated_hex", "x'0A", "X:x'0A!u"},
      {"bits", "b'101' B'' 0b101 b'12' 0b12", "B:b'101' B:B'' B:0b101 B:b'12'!m W:0b12"},
      {"placeholders", "? :id :_x1 :1 a:=b ::c",
       "P:? P::id P::_x1 O:: N:1 W:a O::= W:b O::: W:c"},
      {"user_variables", "@x @'a b' @`c` @\"d\" @a.b$", "U:@x U:@'a b' U:@`c` U:@\"d\" U:@a.b$"},
      {"system_variables", "@@x @@session.sql_mode @@GLOBAL.y",
       "V:@@x V:@@session.sql_mode V:@@GLOBAL.y"},
      {"user_at_host", "'u'@'h' u@localhost", "S:'u' O:@ S:'h' W:u O:@ W:localhost"},
      {"string_then_system_variable", "''@@x", "S:'' V:@@x"},
      {"lone_at", "@ @@", "O:@ V:@@!m"},
      {"operators", "<= >= <> != <=> := || && << >> -> ->> < > ! | & ~ ^ % /",
       "O:<= O:>= O:<> O:!= O:<=> O::= O:|| O:&& O:<< O:>> O:-> O:->> O:< O:> O:! O:| O:& O:~ "
       "O:^ O:% O:/"},
      {"json_arrow", "doc->>'$.a'", "W:doc O:->> S:'$.a'"},
      {"semicolons", "a;b;", "W:a ;:; W:b ;:;"},
      {"dash_dash_space", "1 -- c\n2", "N:1 C:-- c N:2"},
      {"dash_dash_no_space", "1--1", "N:1 O:- O:- N:1"},
      {"dash_dash_tab_and_end", "1 --\tx\n2 --", "N:1 C:--\tx N:2 C:--"},
      {"hash_comment", "1 # x ; y\n2", "N:1 C:# x ; y N:2"},
      {"block_comment", "1 /* a ; ' */ 2", "N:1 C:/* a ; ' */ N:2"},
      {"unterminated_block", "1 /* a", "N:1 C:/* a!u"},
      {"slash_star_slash", "/*/ x", "C:/*/ x!u"},
      {"hint", "SELECT /*+ BKA(t) */ 1", "W:SELECT C:/*+ BKA(t) */ N:1"},
      {"only_comments", "-- a\n# b\n/* c */", "C:-- a C:# b C:/* c */"},
      {"executable", "/*!40101 SET x=1 */;", "E<:/*!40101 W:SET W:x O:= N:1 E>:*/ ;:;"},
      {"executable_no_version", "/*! STRAIGHT_JOIN */", "E<:/*! W:STRAIGHT_JOIN E>:*/"},
      {"mariadb_executable", "/*M!100100 a*/", "E<:/*M!100100 W:a E>:*/"},
      {"executable_as_comment", "/*!40101 SET x=1 */;", "C:/*!40101 SET x=1 */ ;:;",
       VersionCommentsAreComments()},
      {"executable_string_hides_close", "/*!50000 '*/' */", "E<:/*!50000 S:'*/' E>:*/"},
      {"executable_nested_comment", "/*!50000 a /* b */ c */",
       "E<:/*!50000 W:a C:/* b */ W:c E>:*/"},
      {"star_slash_outside", "2 */ 1", "N:2 O:* O:/ N:1"},
      {"unterminated_executable", "/*!50000 a", "E<:/*!50000 W:a"},
      {"nul_byte", std::string("a\0b", 3), std::string("W:a I:\0 W:b", 11)},
      {"invalid_utf8", "SELECT \xff\xfe\x80x", "W:SELECT W:\xff\xfe\x80x"},
      {"utf8_identifier", "caf\xc3\xa9.na\xc3\xafve", "W:caf\xc3\xa9 O:. W:na\xc3\xafve"},
      {"dollar_and_underscore", "$a _b a$1", "W:$a W:_b W:a$1"},
  };
  return *cases;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class TokenizerCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(TokenizerCaseTest, Tokens) {
  const Case& c = GetParam();
  EXPECT_EQ(Join(c.sql, c.options), c.tokens) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, TokenizerCaseTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

// The invariants every input keeps: tokens in order, inside the input, not
// overlapping, never empty; the tokenizer ends.
void CheckInvariants(absl::string_view sql, const TokenizerOptions& options) {
  Tokenizer tokenizer(sql, options);
  Token t;
  size_t last_end = 0;
  size_t count = 0;
  while (tokenizer.Next(t)) {
    ASSERT_GE(t.begin, last_end);
    ASSERT_GT(t.end, t.begin);
    ASSERT_LE(t.end, sql.size());
    last_end = t.end;
    ASSERT_LE(++count, sql.size());
  }
  for (absl::string_view s : SplitStatements(sql, options)) {
    ASSERT_GE(s.data(), sql.data());
    ASSERT_LE(s.data() + s.size(), sql.data() + sql.size());
    ASSERT_FALSE(s.empty());
  }
}

std::vector<TokenizerOptions> AllOptions() {
  std::vector<TokenizerOptions> all;
  for (int i = 0; i < 8; ++i) {
    TokenizerOptions o;
    o.no_backslash_escapes = (i & 1) != 0;
    o.ansi_quotes = (i & 2) != 0;
    o.executable_comments_are_sql = (i & 4) != 0;
    all.push_back(o);
  }
  return all;
}

TEST(TokenizerTest, EveryPrefixOfTrickyInputTerminates) {
  std::vector<std::string> inputs;
  for (const Case& c : Cases()) inputs.push_back(c.sql);
  inputs.push_back(
      "/*!50100 SELECT _utf8mb4'a\\'b' AS `x``y`, @@session.x, @'u', 0x1F, b'01', 1.5e-3 "
      "FROM db.t WHERE a <=> :p AND b->>'$.c' IN (?, -1) -- end\n*/; # tail");
  inputs.push_back("SELECT \"a\"\"b\" /*M!100100 x'0A' */ 'it''s\\");
  for (const std::string& sql : inputs) {
    for (size_t n = 0; n <= sql.size(); ++n) {
      for (const TokenizerOptions& o : AllOptions()) {
        CheckInvariants(absl::string_view(sql).substr(0, n), o);
      }
    }
  }
}

TEST(TokenizerTest, RandomBytesTerminate) {
  std::mt19937 rng(1234);
  // Bytes the lexer reacts to, so random strings hit many states.
  static constexpr char kAlphabet[] = "'\"`\\/*!-#@?:;.,()0123456789abexXbBM_N \n\t\x00\xff+=<>|&";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string sql(rng() % 64, ' ');
    for (char& c : sql) {
      c = (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    for (const TokenizerOptions& o : AllOptions()) CheckInvariants(sql, o);
  }
}

TEST(TokenizerTest, NextSignificantSkipsCommentsAndMarkers) {
  Tokenizer tokenizer("/* a */ /*!50000 x */ -- c\n y");
  Token t;
  std::vector<std::string> texts;
  while (tokenizer.NextSignificant(t)) texts.emplace_back(t.Text(tokenizer.sql()));
  EXPECT_THAT(texts, ElementsAre("x", "y"));
}

TEST(TokenizerTest, TokenPredicates) {
  const std::vector<Token> tokens = Tokenize("'a' 1 x'0A' b'1' ? /* c */ /*!1 */");
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_TRUE(tokens[0].IsLiteral());
  EXPECT_TRUE(tokens[3].IsLiteral());
  EXPECT_FALSE(tokens[4].IsLiteral());
  EXPECT_TRUE(tokens[5].IsComment());
  EXPECT_TRUE(tokens[6].IsTrivia());
  EXPECT_FALSE(tokens[6].IsComment());
  EXPECT_TRUE(tokens[7].IsTrivia());
}

std::vector<std::string> Split(absl::string_view sql, TokenizerOptions o = {}) {
  std::vector<std::string> out;
  for (absl::string_view s : SplitStatements(sql, o)) out.emplace_back(s);
  return out;
}

TEST(SplitStatementsTest, SplitsOutsideStringsAndComments) {
  EXPECT_THAT(Split("SELECT 1; SELECT ';'; /* ; */ SELECT `a;b`;"),
              ElementsAre("SELECT 1", "SELECT ';'", "/* ; */ SELECT `a;b`"));
  EXPECT_THAT(Split("SELECT 1 -- ;\n; SELECT 2 # ;"), ElementsAre("SELECT 1 -- ;", "SELECT 2 # ;"));
  EXPECT_THAT(Split("  ;;  ; -- only a comment\n ; /* x */"), IsEmpty());
  EXPECT_THAT(Split(""), IsEmpty());
  EXPECT_THAT(Split("/*!40101 SET NAMES utf8 */;\nSELECT 1"),
              ElementsAre("/*!40101 SET NAMES utf8 */", "SELECT 1"));
}

TEST(SplitStatementsTest, BackslashModeChangesTheSplit) {
  // The same bytes are one statement or two depending on sql_mode.
  EXPECT_THAT(Split(R"(SELECT 'a\'; DROP TABLE t; -- ')"),
              ElementsAre(R"(SELECT 'a\'; DROP TABLE t; -- ')"));
  EXPECT_THAT(Split(R"(SELECT 'a\'; DROP TABLE t; -- ')", NoBackslash()),
              ElementsAre(R"(SELECT 'a\')", "DROP TABLE t"));
  EXPECT_THAT(Split("SELECT 'open; SELECT 2"), ElementsAre("SELECT 'open; SELECT 2"));
}

}  // namespace
}  // namespace mysqlgw
