#include "server/sql/tokenizer.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace mysqlgw {
namespace {

bool IsWordChar(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}
bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
// What may follow "--" for it to open a comment: MySQL's my_isspace or
// my_iscntrl.
bool EndsDashes(unsigned char c) { return c <= ' ' || c == 0x7f; }
// Named placeholders, as server/convert/named_params.h reads them.
bool IsNameStart(unsigned char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsNameChar(unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; }

// Character sets whose introducer may be separated from its literal by
// whitespace ("_latin1 'x'"). Glued to a quote, any "_name" introduces.
bool IsCharsetName(absl::string_view name) {
  static constexpr absl::string_view kNames[] = {
      "armscii8", "ascii",  "big5",   "binary", "cp1250",  "cp1251",  "cp1256", "cp1257",
      "cp850",    "cp852",  "cp866",  "cp932",  "dec8",    "eucjpms", "euckr",  "filename",
      "gb18030",  "gb2312", "gbk",    "geostd8", "greek",  "hebrew",  "hp8",    "keybcs2",
      "koi8r",    "koi8u",  "latin1", "latin2", "latin5",  "latin7",  "macce",  "macroman",
      "sjis",     "swe7",   "tis620", "ucs2",   "ujis",    "utf16",   "utf16le", "utf32",
      "utf8",     "utf8mb3", "utf8mb4",
  };
  for (absl::string_view n : kNames) {
    if (absl::EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

// "0x1F" / "0b101": a whole word that is a hex or bit number.
TokenKind PrefixedNumberKind(absl::string_view word) {
  if (word.size() < 3 || word[0] != '0') return TokenKind::kWord;
  const absl::string_view digits = word.substr(2);
  if (word[1] == 'x') {
    for (char c : digits) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return TokenKind::kWord;
    }
    return TokenKind::kHexNumber;
  }
  if (word[1] == 'b') {
    for (char c : digits) {
      if (c != '0' && c != '1') return TokenKind::kWord;
    }
    return TokenKind::kBitNumber;
  }
  return TokenKind::kWord;
}

}  // namespace

void Tokenizer::ScanQuoted(size_t open, char quote, bool backslash_escapes, Token& token) {
  const size_t n = sql_.size();
  size_t i = open + 1;
  while (i < n) {
    const char c = sql_[i];
    if (c == '\\' && backslash_escapes) {
      i += 2;
    } else if (c == quote) {
      if (i + 1 < n && sql_[i + 1] == quote) {
        i += 2;
      } else {
        token.end = i + 1;
        return;
      }
    } else {
      ++i;
    }
  }
  token.end = n;
  token.unterminated = true;
}

void Tokenizer::ScanQuotedLiteral(TokenKind kind, size_t quote_pos, Token& token) {
  token.kind = kind;
  const size_t close = sql_.find('\'', quote_pos + 1);
  size_t digits_end = close;
  if (close == absl::string_view::npos) {
    token.end = sql_.size();
    token.unterminated = true;
    digits_end = sql_.size();
  } else {
    token.end = close + 1;
  }
  const absl::string_view digits = sql_.substr(quote_pos + 1, digits_end - quote_pos - 1);
  for (char c : digits) {
    const bool ok = kind == TokenKind::kHexNumber ? absl::ascii_isxdigit(static_cast<unsigned char>(c))
                                                  : (c == '0' || c == '1');
    if (!ok) token.malformed = true;
  }
  if (kind == TokenKind::kHexNumber && digits.size() % 2 != 0) token.malformed = true;
}

// The literal after an introducer that stands apart ("_utf8mb4 'x'").
bool Tokenizer::ScanIntroducedLiteral(size_t at, Token& token) {
  const size_t n = sql_.size();
  if (at >= n) return false;
  const char c = sql_[at];
  if (c == '\'' || (c == '"' && !options_.ansi_quotes)) {
    token.kind = TokenKind::kString;
    ScanQuoted(at, c, !options_.no_backslash_escapes, token);
    return true;
  }
  if (at + 1 < n && sql_[at + 1] == '\'') {
    if (c == 'x' || c == 'X') {
      ScanQuotedLiteral(TokenKind::kHexNumber, at + 1, token);
      return true;
    }
    if (c == 'b' || c == 'B') {
      ScanQuotedLiteral(TokenKind::kBitNumber, at + 1, token);
      return true;
    }
  }
  if (c == '0') {
    size_t end = at;
    while (end < n && IsWordChar(sql_[end])) ++end;
    const TokenKind kind = PrefixedNumberKind(sql_.substr(at, end - at));
    if (kind != TokenKind::kWord) {
      token.kind = kind;
      token.end = end;
      return true;
    }
  }
  return false;
}

void Tokenizer::ScanWordOrNumber(Token& token, bool identifier_only) {
  const size_t n = sql_.size();
  const size_t start = pos_;
  size_t end = start;
  while (end < n && IsWordChar(sql_[end])) ++end;
  token.kind = TokenKind::kWord;
  token.end = end;
  if (identifier_only) return;
  const absl::string_view word = sql_.substr(start, end - start);

  if (IsDigit(word[0])) {
    const TokenKind prefixed = PrefixedNumberKind(word);
    if (prefixed != TokenKind::kWord) {
      token.kind = prefixed;
      return;
    }
    size_t digits = 0;
    while (digits < word.size() && IsDigit(word[digits])) ++digits;
    // An exponent glued to the digits ("1e10") is inside the word; a signed
    // one ("1e-3") continues after it.
    if (digits + 1 < word.size() && (word[digits] == 'e' || word[digits] == 'E')) {
      size_t k = digits + 1;
      while (k < word.size() && IsDigit(word[k])) ++k;
      if (k == word.size()) token.kind = TokenKind::kNumber;
      return;
    }
    if (digits + 1 == word.size() && (word[digits] == 'e' || word[digits] == 'E') &&
        end + 1 < n && (sql_[end] == '+' || sql_[end] == '-') && IsDigit(sql_[end + 1])) {
      size_t k = end + 1;
      while (k < n && IsDigit(sql_[k])) ++k;
      token.kind = TokenKind::kNumber;
      token.end = k;
      return;
    }
    if (digits != word.size()) return;  // "1abc": an identifier.
    token.kind = TokenKind::kNumber;
    size_t k = end;
    if (k < n && sql_[k] == '.') {
      ++k;
      while (k < n && IsDigit(sql_[k])) ++k;
    }
    if (k < n && (sql_[k] == 'e' || sql_[k] == 'E')) {
      size_t e = k + 1;
      if (e < n && (sql_[e] == '+' || sql_[e] == '-')) ++e;
      if (e < n && IsDigit(sql_[e])) {
        while (e < n && IsDigit(sql_[e])) ++e;
        k = e;
      }
    }
    token.end = k;
    return;
  }

  // Literals glued to a prefix: N'x', X'0A', B'01', _charset'x'.
  if (end < n) {
    const char q = sql_[end];
    const bool single = q == '\'';
    const bool string_quote = single || (q == '"' && !options_.ansi_quotes);
    if (word.size() == 1 && (word[0] == 'x' || word[0] == 'X') && single) {
      ScanQuotedLiteral(TokenKind::kHexNumber, end, token);
      return;
    }
    if (word.size() == 1 && (word[0] == 'b' || word[0] == 'B') && single) {
      ScanQuotedLiteral(TokenKind::kBitNumber, end, token);
      return;
    }
    if (string_quote && ((word.size() == 1 && (word[0] == 'n' || word[0] == 'N')) ||
                         (word.size() > 1 && word[0] == '_'))) {
      token.kind = TokenKind::kString;
      ScanQuoted(end, q, !options_.no_backslash_escapes, token);
      return;
    }
  }
  if (word.size() > 1 && word[0] == '_' && IsCharsetName(word.substr(1))) {
    size_t at = end;
    while (at < n && IsSpace(sql_[at])) ++at;
    Token literal = token;
    if (at > end && ScanIntroducedLiteral(at, literal)) token = literal;
  }
}

void Tokenizer::ScanVariable(Token& token) {
  const size_t n = sql_.size();
  const size_t at = pos_ + 1;
  if (at < n && sql_[at] == '@') {
    token.kind = TokenKind::kSystemVariable;
    size_t end = at + 1;
    while (end < n && (IsWordChar(sql_[end]) || sql_[end] == '.')) ++end;
    if (end == at + 1) token.malformed = true;
    token.end = end;
    return;
  }
  if (at < n && (sql_[at] == '\'' || sql_[at] == '"' || sql_[at] == '`')) {
    token.kind = TokenKind::kUserVariable;
    ScanQuoted(at, sql_[at], sql_[at] != '`' && !options_.no_backslash_escapes, token);
    return;
  }
  if (at < n && IsWordChar(sql_[at])) {
    token.kind = TokenKind::kUserVariable;
    size_t end = at;
    while (end < n && (IsWordChar(sql_[end]) || sql_[end] == '.')) ++end;
    token.end = end;
    return;
  }
  token.kind = TokenKind::kOperator;
  token.end = at;
}

void Tokenizer::ScanBlockComment(Token& token) {
  token.kind = TokenKind::kComment;
  const size_t close = sql_.find("*/", pos_ + 2);
  if (close == absl::string_view::npos) {
    token.end = sql_.size();
    token.unterminated = true;
  } else {
    token.end = close + 2;
  }
}

bool Tokenizer::Next(Token& token) {
  const size_t n = sql_.size();
  while (pos_ < n && IsSpace(sql_[pos_])) ++pos_;
  if (pos_ >= n) return false;
  const bool name_after_dot = after_qualifier_dot_ && pos_ == last_end_;
  after_qualifier_dot_ = false;
  const bool glued = pos_ == last_end_;

  token = Token{};
  token.begin = pos_;
  token.end = pos_ + 1;
  token.kind = TokenKind::kOperator;
  const unsigned char c = sql_[pos_];
  const unsigned char c1 = pos_ + 1 < n ? sql_[pos_ + 1] : 0;
  const unsigned char c2 = pos_ + 2 < n ? sql_[pos_ + 2] : 0;

  if (in_executable_comment_ && c == '*' && c1 == '/') {
    token.kind = TokenKind::kExecutableCommentEnd;
    token.end = pos_ + 2;
    in_executable_comment_ = false;
  } else if (c == '\'') {
    token.kind = TokenKind::kString;
    ScanQuoted(pos_, '\'', !options_.no_backslash_escapes, token);
  } else if (c == '"') {
    if (options_.ansi_quotes) {
      token.kind = TokenKind::kQuotedIdentifier;
      ScanQuoted(pos_, '"', false, token);
    } else {
      token.kind = TokenKind::kString;
      ScanQuoted(pos_, '"', !options_.no_backslash_escapes, token);
    }
  } else if (c == '`') {
    token.kind = TokenKind::kQuotedIdentifier;
    ScanQuoted(pos_, '`', false, token);
  } else if ((c == '-' && c1 == '-' && (pos_ + 2 >= n || EndsDashes(c2))) || c == '#') {
    token.kind = TokenKind::kComment;
    const size_t eol = sql_.find('\n', pos_);
    token.end = eol == absl::string_view::npos ? n : eol;
  } else if (c == '/' && c1 == '*') {
    const bool bang = c2 == '!';
    const bool mariadb_bang = c2 == 'M' && pos_ + 3 < n && sql_[pos_ + 3] == '!';
    if ((bang || mariadb_bang) && options_.executable_comments_are_sql &&
        !in_executable_comment_) {
      token.kind = TokenKind::kExecutableCommentBegin;
      size_t end = pos_ + (bang ? 3 : 4);
      const size_t max_end = std::min(n, end + 6);
      while (end < max_end && IsDigit(sql_[end])) ++end;
      token.end = end;
      in_executable_comment_ = true;
    } else {
      ScanBlockComment(token);
    }
  } else if (IsDigit(c) || (IsWordChar(c))) {
    ScanWordOrNumber(token, name_after_dot);
  } else if (c == '.') {
    const bool after_name = glued && (last_kind_ == TokenKind::kWord ||
                                      last_kind_ == TokenKind::kQuotedIdentifier);
    if (after_name) {
      after_qualifier_dot_ = true;
    } else if (IsDigit(c1)) {
      token.kind = TokenKind::kNumber;
      size_t k = pos_ + 1;
      while (k < n && IsDigit(sql_[k])) ++k;
      if (k < n && (sql_[k] == 'e' || sql_[k] == 'E')) {
        size_t e = k + 1;
        if (e < n && (sql_[e] == '+' || sql_[e] == '-')) ++e;
        if (e < n && IsDigit(sql_[e])) {
          while (e < n && IsDigit(sql_[e])) ++e;
          k = e;
        }
      }
      token.end = k;
    }
  } else if (c == '?') {
    token.kind = TokenKind::kPlaceholder;
  } else if (c == ':') {
    if (c1 == ':') {
      size_t end = pos_;
      while (end < n && sql_[end] == ':') ++end;
      token.end = end;
    } else if (c1 == '=') {
      token.end = pos_ + 2;
    } else if (IsNameStart(c1)) {
      token.kind = TokenKind::kPlaceholder;
      size_t end = pos_ + 2;
      while (end < n && IsNameChar(sql_[end])) ++end;
      token.end = end;
    }
  } else if (c == '@') {
    // 'u'@'h', but 'u'@@x is a string then a system variable.
    const bool user_at_host =
        glued && c1 != '@' &&
        (last_kind_ == TokenKind::kWord || last_kind_ == TokenKind::kString ||
         last_kind_ == TokenKind::kQuotedIdentifier);
    if (!user_at_host) ScanVariable(token);
  } else if (c == ';') {
    token.kind = TokenKind::kSemicolon;
  } else if (c < 0x20 || c == 0x7f) {
    token.kind = TokenKind::kInvalid;
  } else if (c == '<') {
    if (c1 == '=' && c2 == '>') {
      token.end = pos_ + 3;
    } else if (c1 == '=' || c1 == '>' || c1 == '<') {
      token.end = pos_ + 2;
    }
  } else if (c == '>') {
    if (c1 == '=' || c1 == '>') token.end = pos_ + 2;
  } else if (c == '-') {
    if (c1 == '>') token.end = pos_ + (c2 == '>' ? 3 : 2);
  } else if ((c == '!' && c1 == '=') || (c == '|' && c1 == '|') || (c == '&' && c1 == '&')) {
    token.end = pos_ + 2;
  }

  pos_ = std::min(token.end, n);
  token.end = pos_;
  last_kind_ = token.kind;
  last_end_ = pos_;
  return true;
}

bool Tokenizer::NextSignificant(Token& token) {
  while (Next(token)) {
    if (!token.IsTrivia()) return true;
  }
  return false;
}

std::vector<Token> Tokenize(absl::string_view sql, const TokenizerOptions& options) {
  std::vector<Token> tokens;
  Tokenizer tokenizer(sql, options);
  Token token;
  while (tokenizer.Next(token)) tokens.push_back(token);
  return tokens;
}

std::vector<absl::string_view> SplitStatements(absl::string_view sql,
                                               const TokenizerOptions& options) {
  std::vector<absl::string_view> statements;
  Tokenizer tokenizer(sql, options);
  Token token;
  size_t begin = 0;
  size_t end = 0;
  bool started = false;
  bool has_sql = false;
  auto flush = [&] {
    if (has_sql) statements.push_back(sql.substr(begin, end - begin));
    started = false;
    has_sql = false;
  };
  while (tokenizer.Next(token)) {
    if (token.kind == TokenKind::kSemicolon) {
      flush();
      continue;
    }
    if (!started) {
      begin = token.begin;
      started = true;
    }
    end = token.end;
    if (!token.IsTrivia()) has_sql = true;
  }
  flush();
  return statements;
}

}  // namespace mysqlgw
