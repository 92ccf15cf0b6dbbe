#include "mysqlwire/protocol/escaping.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "mysqlwire/value.h"

namespace mysqlwire {
namespace {

using std::string_literals::operator""s;

// An independent reading of one MySQL single-quoted literal at the start of
// `sql`, following the server's lexer rules: '' is a quote; with backslash
// escapes, \0 \b \n \r \t \Z name control characters, \% and \_ keep their
// backslash, and \x is x for any other x. Returns the value and how many
// bytes the literal spans, or nullopt if `sql` does not start with a
// complete literal.
struct Decoded {
  std::string value;
  size_t length;
};
std::optional<Decoded> ReadLiteral(absl::string_view sql,
                                   bool no_backslash_escapes) {
  if (sql.empty() || sql[0] != '\'') return std::nullopt;
  std::string value;
  size_t i = 1;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\\' && !no_backslash_escapes) {
      if (i + 1 >= sql.size()) return std::nullopt;
      const char e = sql[i + 1];
      switch (e) {
        case '0':
          value.push_back('\0');
          break;
        case 'b':
          value.push_back('\b');
          break;
        case 'n':
          value.push_back('\n');
          break;
        case 'r':
          value.push_back('\r');
          break;
        case 't':
          value.push_back('\t');
          break;
        case 'Z':
          value.push_back('\x1a');
          break;
        case '%':
        case '_':
          value.push_back('\\');
          value.push_back(e);
          break;
        default:
          value.push_back(e);
      }
      i += 2;
      continue;
    }
    if (c == '\'') {
      if (i + 1 < sql.size() && sql[i + 1] == '\'') {
        value.push_back('\'');
        i += 2;
        continue;
      }
      return Decoded{value, i + 1};
    }
    value.push_back(c);
    ++i;
  }
  return std::nullopt;
}

std::vector<std::string> Nasty() {
  std::vector<std::string> out = {
      "",
      "plain",
      "' OR 1=1 -- ",
      "' OR '1'='1",
      "\\' OR 1=1 -- ",
      "\\",
      "\\\\",
      "\\'",
      "'\\",
      "''",
      "'; DROP TABLE users; --",
      "\" OR \"\"=\"",
      "\x00"s,
      "a\x00' OR 1=1 -- "s,
      "\x1a",
      "\n-- \n#\r\n",
      "*/ DROP TABLE t; /*",
      "?",
      "`",
      "\xbf'",                      // GBK/SJIS-style lead byte before a quote
      "\xbf\\",                     // ...and before a backslash
      "\xc0\x27",                   // overlong UTF-8 for '
      "\xe6\x97\xa5'\xe6\x9c\xac",  // 日'本
      "\xf0\x9f\x98\x80\\\x00"s,    // emoji, backslash, NUL
      "\\%_",
  };
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  out.push_back(all);
  return out;
}

TEST(EscapeStringLiteralTest, BackslashStyle) {
  EXPECT_EQ(EscapeStringLiteral("", false), "''");
  EXPECT_EQ(EscapeStringLiteral("it's", false), "'it\\'s'");
  EXPECT_EQ(EscapeStringLiteral("a\0b\nc\rd\\e'f\"g\x1ah"s, false),
            "'a\\0b\\nc\\rd\\\\e\\'f\\\"g\\Zh'");
  EXPECT_EQ(EscapeStringLiteral("\t\b%_", false), "'\t\b%_'");
  EXPECT_EQ(EscapeStringLiteral("\xe6\x97\xa5", false), "'\xe6\x97\xa5'");
}

TEST(EscapeStringLiteralTest, NoBackslashEscapesStyle) {
  EXPECT_EQ(EscapeStringLiteral("", true), "''");
  EXPECT_EQ(EscapeStringLiteral("it's", true), "'it''s'");
  EXPECT_EQ(EscapeStringLiteral("a\0b\\'\n\""s, true), "'a\0b\\''\n\"'"s);
  EXPECT_EQ(EscapeStringLiteral("\\", true), "'\\'");
}

TEST(EscapeStringLiteralTest, EveryNastyInputIsExactlyOneLiteral) {
  for (bool nbe : {false, true}) {
    for (const std::string& s : Nasty()) {
      const std::string literal = EscapeStringLiteral(s, nbe);
      std::optional<Decoded> d = ReadLiteral(literal, nbe);
      ASSERT_TRUE(d.has_value()) << nbe << " " << absl::CHexEscape(s);
      EXPECT_EQ(d->length, literal.size())
          << nbe << " " << absl::CHexEscape(literal);
      EXPECT_EQ(d->value, s) << nbe << " " << absl::CHexEscape(literal);
    }
  }
}

TEST(HexLiteralTest, Formats) {
  EXPECT_EQ(HexLiteral(""), "x''");
  EXPECT_EQ(HexLiteral("\x00\xff'"s), "x'00ff27'");
}

struct LiteralCase {
  Value value;
  std::string literal;
};

TEST(ValueToSqlLiteralTest, EveryKind) {
  const LiteralCase cases[] = {
      {Value::Null(), "NULL"},
      {Value::Int64(std::numeric_limits<int64_t>::min()),
       "-9223372036854775808"},
      {Value::Int64(std::numeric_limits<int64_t>::max()),
       "9223372036854775807"},
      {Value::Uint64(std::numeric_limits<uint64_t>::max()),
       "18446744073709551615"},
      {Value::Double(0.1), "0.1e0"},
      {Value::Double(-2.5), "-2.5e0"},
      {Value::Double(1e15), "1e15"},
      {Value::Double(-0.0), "-0e0"},
      {Value::Double(std::numeric_limits<double>::denorm_min()), "5e-324"},
      {Value::Double(std::numeric_limits<double>::max()),
       "1.7976931348623157e308"},
      {Value::Double(0.1 + 0.2), "0.30000000000000004e0"},
      // A FLOAT as the double MySQL compares it as.
      {Value::Float(3.14f), "3.140000104904175e0"},
      {Value::Float(0.5f), "0.5e0"},
      {Value::DecimalText("-12.340"), "-12.340"},
      {Value::DecimalText("99999999999999999999999999999999999."
                          "999999999999999999999999999999"),
       "99999999999999999999999999999999999.999999999999999999999999999999"},
      {Value::String("it's"), "'it\\'s'"},
      {Value::String(""), "''"},
      {Value::BytesOf("\x00\xff"s), "x'00ff'"},
      {Value::BytesOf(""), "x''"},
      {Value::Of(Date{}), "'0000-00-00'"},
      {Value::Of(Date{2024, 2, 29}), "'2024-02-29'"},
      {Value::Of(DateTime{}), "'0000-00-00 00:00:00'"},
      {Value::Of(DateTime{9999, 12, 31, 23, 59, 59, 999999}),
       "'9999-12-31 23:59:59.999999'"},
      {Value::Of(DateTime{2024, 1, 2, 3, 4, 5, 60}),
       "'2024-01-02 03:04:05.000060'"},
      {Value::Of(Time{true, 838, 59, 59, 0}), "'-838:59:59'"},
      {Value::Of(Time{false, 838, 59, 59, 0}), "'838:59:59'"},
      {Value::Of(Time{true, 0, 0, 0, 500000}), "'-00:00:00.500000'"},
  };
  for (const LiteralCase& c : cases) {
    absl::StatusOr<std::string> literal = ValueToSqlLiteral(c.value, false);
    ASSERT_TRUE(literal.ok()) << c.value.DebugString() << literal.status();
    EXPECT_EQ(*literal, c.literal) << c.value.DebugString();
  }
  EXPECT_EQ(*ValueToSqlLiteral(Value::String("it's"), true), "'it''s'");
}

TEST(ValueToSqlLiteralTest, RejectsWhatHasNoLiteral) {
  const Value bad[] = {
      Value::Double(std::nan("")),
      Value::Double(-std::numeric_limits<double>::infinity()),
      Value::Float(std::numeric_limits<float>::infinity()),
      Value::DecimalText(""),
      Value::DecimalText("1; DROP TABLE t"),
      Value::DecimalText("1e5"),
      Value::DecimalText("0x10"),
      Value::Of(Date{2024, 13, 1}),
      Value::Of(DateTime{2024, 1, 32}),
      Value::Of(DateTime{2024, 1, 1, 24}),
      Value::Of(DateTime{2024, 1, 1, 0, 0, 0, 1000000}),
      Value::Of(Time{false, 0, 60, 0, 0}),
      Value::Of(Time{false, 0, 0, 60, 0}),
  };
  for (const Value& v : bad) {
    EXPECT_EQ(ValueToSqlLiteral(v, false).status().code(),
              absl::StatusCode::kInvalidArgument)
        << v.DebugString();
  }
}

absl::StatusOr<std::string> Interpolate(absl::string_view sql,
                                        std::vector<Value> params,
                                        bool nbe = false) {
  return InterpolatePlaceholders(sql, params, nbe);
}

TEST(InterpolateTest, ReplacesPlaceholdersInOrder) {
  EXPECT_EQ(*Interpolate("SELECT ?", {Value::Int64(1)}), "SELECT 1");
  EXPECT_EQ(*Interpolate("SELECT ?, ?", {Value::Int64(1), Value::Null()}),
            "SELECT 1, NULL");
  EXPECT_EQ(
      *Interpolate("SELECT ?,?", {Value::String("a"), Value::String("b")}),
      "SELECT 'a','b'");
  EXPECT_EQ(*Interpolate("", {}), "");
  EXPECT_EQ(*Interpolate("SELECT 1", {}), "SELECT 1");
}

TEST(InterpolateTest, CountMustMatch) {
  EXPECT_EQ(Interpolate("SELECT ?", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Interpolate("SELECT ?, ?", {Value::Int64(1)}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Interpolate("SELECT 1", {Value::Int64(1)}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(InterpolateTest, SkipsQuotesIdentifiersAndComments) {
  struct Case {
    std::string sql;
    size_t placeholders;
    std::string expected;  // Every real placeholder replaced by 1.
    bool nbe;
  };
  const Case cases[] = {
      {"SELECT '?', ?", 1, "SELECT '?', 1", false},
      {"SELECT \"?\", ?", 1, "SELECT \"?\", 1", false},
      {"SELECT `?`, ?", 1, "SELECT `?`, 1", false},
      {"SELECT `a``?`, ?", 1, "SELECT `a``?`, 1", false},
      {"SELECT `a\\`, ?", 1, "SELECT `a\\`, 1", false},
      {"SELECT 'it''s ?', ?", 1, "SELECT 'it''s ?', 1", false},
      {"SELECT 'a\\'?', ?", 1, "SELECT 'a\\'?', 1", false},
      {"SELECT 'a\\\\', ?", 1, "SELECT 'a\\\\', 1", false},
      {"SELECT 'a\\', ?, '?'", 1, "SELECT 'a\\', 1, '?'", true},
      {"SELECT \"a\\\" , ?", 1, "SELECT \"a\\\" , 1", true},
      {"SELECT ? -- ?\n, ?", 2, "SELECT 1 -- ?\n, 1", false},
      {"SELECT ? --\t?\n, ?", 2, "SELECT 1 --\t?\n, 1", false},
      {"SELECT ? --\x01?\n, ?", 2, "SELECT 1 --\x01?\n, 1", false},
      {"SELECT ? # ?\n, ?", 2, "SELECT 1 # ?\n, 1", false},
      {"SELECT ? # ?", 1, "SELECT 1 # ?", false},
      {"SELECT ? -- ?", 1, "SELECT 1 -- ?", false},
      {"SELECT ? /* ? '?' */, ?", 2, "SELECT 1 /* ? '?' */, 1", false},
      {"SELECT ? /* ' */, ?", 2, "SELECT 1 /* ' */, 1", false},
      {"SELECT ? /*+ ? */, ?", 2, "SELECT 1 /*+ ? */, 1", false},
      {"SELECT 1--?", 1, "SELECT 1--1", false},
      {"SELECT 1 --", 0, "SELECT 1 --", false},
      {"SELECT ? /*! , ? */", 2, "SELECT 1 /*! , 1 */", false},
      {"SELECT ? /*!50000 , ? */", 2, "SELECT 1 /*!50000 , 1 */", false},
      {"SELECT ? /*M!100100 , ? */", 2, "SELECT 1 /*M!100100 , 1 */", false},
      {"SELECT /*!50000 ? /* ? */ , ? */", 2,
       "SELECT /*!50000 1 /* ? */ , 1 */", false},
      {"SELECT \"a\"\"?\", ?", 1, "SELECT \"a\"\"?\", 1", false},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> out = Interpolate(
        c.sql, std::vector<Value>(c.placeholders, Value::Int64(1)), c.nbe);
    ASSERT_TRUE(out.ok()) << c.sql << ": " << out.status();
    EXPECT_EQ(*out, c.expected) << c.sql;
  }
}

TEST(InterpolateTest, RejectsUnterminatedAndAmbiguousText) {
  const Value one = Value::Int64(1);
  struct Case {
    std::string sql;
    bool nbe;
  };
  const Case cases[] = {
      {"SELECT 'abc", false},
      {"SELECT 'abc\\'", false},
      {"SELECT \"abc", false},
      {"SELECT `abc", false},
      {"SELECT /* abc", false},
      {"SELECT /*! abc", false},
      {"SELECT /*M!100000 abc", false},
      {"SELECT 'a\\', ?, '", true},  // 'a\' ends; the last quote never does.
      // Under ANSI_QUOTES this is an identifier that ends at the \".
      {"SELECT \"a\\\" ?\", ?", false},
      // A server that skips the version comment ends it inside the quotes.
      {"SELECT /*!99999 '*/', ? */", false},
      {"SELECT /*!99999 `*/`, ? */", false},
      {"SELECT /*! /*! ? */ */", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Interpolate(c.sql, {one}, c.nbe).status().code(),
              absl::StatusCode::kInvalidArgument)
        << c.sql;
  }
}

TEST(InterpolateTest, ParameterCannotCloseAnExecutableComment) {
  const Value evil = Value::String("*/ DROP TABLE t; /*");
  EXPECT_EQ(Interpolate("SELECT /*!99999 ? */ 1", {evil}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Outside executable comments the same value is just a string.
  absl::StatusOr<std::string> out = Interpolate("SELECT ?", {evil});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "SELECT '*/ DROP TABLE t; /*'");
}

TEST(InterpolateTest, LiteralsDoNotMergeWithNeighbours) {
  EXPECT_EQ(*Interpolate("SELECT N?", {Value::String("a")}), "SELECT N 'a'");
  EXPECT_EQ(*Interpolate("SELECT x?", {Value::String("ab")}), "SELECT x 'ab'");
  EXPECT_EQ(*Interpolate("SELECT _utf8mb4?", {Value::String("a")}),
            "SELECT _utf8mb4 'a'");
  EXPECT_EQ(*Interpolate("SELECT ??", {Value::String("a"), Value::String("b")}),
            "SELECT 'a' 'b'");
  EXPECT_EQ(*Interpolate("SELECT 'a'?", {Value::String("b")}),
            "SELECT 'a' 'b'");
  EXPECT_EQ(*Interpolate("SELECT ?'a'", {Value::String("b")}),
            "SELECT 'b' 'a'");
  EXPECT_EQ(*Interpolate("SELECT ?e1", {Value::Int64(1)}), "SELECT 1 e1");
  // "--" before a digit or quote is not a comment; no space may be added.
  EXPECT_EQ(*Interpolate("SELECT 1-?", {Value::Int64(-1)}), "SELECT 1--1");
  EXPECT_EQ(*Interpolate("SELECT 1-?", {Value::Double(-1)}), "SELECT 1--1e0");
}

// Each nasty value, in both escaping modes, in two places of one statement:
// the output must be the statement's text with exactly one literal per
// placeholder, each reading back as the value.
TEST(InterpolateTest, ParametersNeverBecomeSyntax) {
  for (bool nbe : {false, true}) {
    for (const std::string& s : Nasty()) {
      absl::StatusOr<std::string> out =
          Interpolate("SELECT ? FROM t WHERE a = ? -- done",
                      {Value::String(s), Value::String(s)}, nbe);
      ASSERT_TRUE(out.ok()) << out.status();
      absl::string_view rest = *out;
      ASSERT_TRUE(absl::ConsumePrefix(&rest, "SELECT "));
      std::optional<Decoded> first = ReadLiteral(rest, nbe);
      ASSERT_TRUE(first.has_value()) << absl::CHexEscape(*out);
      EXPECT_EQ(first->value, s);
      rest.remove_prefix(first->length);
      ASSERT_TRUE(absl::ConsumePrefix(&rest, " FROM t WHERE a = "))
          << absl::CHexEscape(*out);
      std::optional<Decoded> second = ReadLiteral(rest, nbe);
      ASSERT_TRUE(second.has_value()) << absl::CHexEscape(*out);
      EXPECT_EQ(second->value, s);
      rest.remove_prefix(second->length);
      EXPECT_EQ(rest, " -- done") << absl::CHexEscape(*out);
    }
  }
}

TEST(InterpolateTest, BytesAreHexAndOtherKindsCarryNoQuotes) {
  absl::StatusOr<std::string> out =
      Interpolate("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                  {Value::BytesOf("' OR 1=1 -- "), Value::DecimalText("-1.5"),
                   Value::Of(DateTime{2024, 1, 2, 3, 4, 5, 6}),
                   Value::Of(Time{true, 838, 59, 59, 0}), Value::Uint64(7)});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "INSERT INTO t VALUES (x'27204f5220313d31202d2d20', -1.5, "
            "'2024-01-02 03:04:05.000006', '-838:59:59', 7)");
}

}  // namespace
}  // namespace mysqlwire
