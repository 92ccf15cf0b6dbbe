#include "server/sql/sql_lexer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace mysqlgw {
namespace {

bool IsWordChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return absl::ascii_isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

bool SqlToken::Is(absl::string_view keyword) const {
  return type == Type::kWord && absl::EqualsIgnoreCase(text, keyword);
}

SqlLexer::SqlLexer(absl::string_view sql, SqlLexerMode mode) : sql_(sql), mode_(mode) {}

void SqlLexer::SkipSpaceAndComments() {
  while (pos_ < sql_.size()) {
    char c = sql_[pos_];
    if (IsSpace(c)) {
      ++pos_;
      continue;
    }
    absl::string_view rest = sql_.substr(pos_);
    // "--" starts a comment only before whitespace, a control character or
    // the end: "1--1" is arithmetic.
    bool dash_comment = absl::StartsWith(rest, "--") &&
                        (rest.size() == 2 || static_cast<unsigned char>(rest[2]) <= 0x20);
    if (c == '#' || dash_comment) {
      size_t eol = sql_.find('\n', pos_);
      pos_ = eol == absl::string_view::npos ? sql_.size() : eol + 1;
      continue;
    }
    if (in_version_comment_ && absl::StartsWith(rest, "*/")) {
      in_version_comment_ = false;  // The end of /*!...*/: its content was SQL.
      pos_ += 2;
      continue;
    }
    if (absl::StartsWith(rest, "/*")) {
      size_t prefix = absl::StartsWith(rest, "/*!") ? 3 : absl::StartsWith(rest, "/*M!") ? 4 : 0;
      if (prefix > 0 && mode_.version_comments_are_sql && !in_version_comment_) {
        pos_ += prefix;
        for (int digits = 0; digits < 6 && pos_ < sql_.size() &&
                             absl::ascii_isdigit(static_cast<unsigned char>(sql_[pos_]));
             ++digits) {
          ++pos_;
        }
        in_version_comment_ = true;
        continue;
      }
      size_t close = sql_.find("*/", pos_ + 2);
      pos_ = close == absl::string_view::npos ? sql_.size() : close + 2;
      continue;
    }
    return;
  }
}

// The index just past the closing quote (or the end of input).
size_t SqlLexer::QuotedEnd(size_t open, bool backslash_escapes) const {
  const char quote = sql_[open];
  size_t i = open + 1;
  while (i < sql_.size()) {
    char c = sql_[i];
    if (c == '\\' && backslash_escapes) {
      i += 2;
      continue;
    }
    if (c == quote) {
      if (i + 1 < sql_.size() && sql_[i + 1] == quote) {  // Doubled: literal quote.
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return sql_.size();
}

SqlToken SqlLexer::Scan() {
  SkipSpaceAndComments();
  SqlToken token;
  if (pos_ >= sql_.size()) return token;
  const size_t start = pos_;
  const char c = sql_[pos_];
  if (c == '\'') {
    token.type = SqlToken::Type::kString;
    pos_ = QuotedEnd(pos_, mode_.backslash_escapes_in_single_quotes);
  } else if (c == '"') {
    token.type = SqlToken::Type::kString;
    pos_ = QuotedEnd(pos_, mode_.backslash_escapes_in_double_quotes);
  } else if (c == '`') {
    token.type = SqlToken::Type::kQuotedIdent;
    pos_ = QuotedEnd(pos_, /*backslash_escapes=*/false);
  } else if (c == '@') {
    token.type = SqlToken::Type::kVariable;
    ++pos_;
    if (pos_ < sql_.size() && sql_[pos_] == '@') ++pos_;
    if (pos_ < sql_.size() && (sql_[pos_] == '\'' || sql_[pos_] == '"' || sql_[pos_] == '`')) {
      bool escapes = sql_[pos_] == '\''  ? mode_.backslash_escapes_in_single_quotes
                     : sql_[pos_] == '"' ? mode_.backslash_escapes_in_double_quotes
                                         : false;
      pos_ = QuotedEnd(pos_, escapes);
    } else {
      while (pos_ < sql_.size() && (IsWordChar(sql_[pos_]) || sql_[pos_] == '.')) ++pos_;
    }
  } else if (IsWordChar(c)) {
    token.type = SqlToken::Type::kWord;
    while (pos_ < sql_.size() && IsWordChar(sql_[pos_])) ++pos_;
  } else {
    token.type = SqlToken::Type::kPunct;
    ++pos_;
  }
  if (pos_ > sql_.size()) pos_ = sql_.size();  // A trailing backslash.
  token.text = sql_.substr(start, pos_ - start);
  return token;
}

SqlToken SqlLexer::Next() {
  if (peeked_.has_value()) {
    SqlToken token = *peeked_;
    peeked_.reset();
    return token;
  }
  return Scan();
}

const SqlToken& SqlLexer::Peek() {
  if (!peeked_.has_value()) peeked_ = Scan();
  return *peeked_;
}

SqlToken SqlLexer::NextInStatement() {
  if (Peek().IsPunct(';')) return SqlToken();
  return Next();
}

const SqlToken& SqlLexer::PeekInStatement() {
  if (Peek().IsPunct(';')) return end_of_statement_;
  return Peek();
}

}  // namespace mysqlgw
