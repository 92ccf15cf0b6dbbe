// A minimal MySQL/MariaDB lexer: just enough to find keywords, statement
// boundaries and the extent of strings and comments. It does not validate.
//
// How the server reads some text depends on its sql_mode and version, which
// the gateway does not know, so the mode is a parameter and callers that
// decide on security scan under each plausible mode:
//  - NO_BACKSLASH_ESCAPES: '\' is an ordinary character in strings;
//  - ANSI_QUOTES: "..." is an identifier, where '\' never escapes;
//  - /*!NNNNN ... */ and /*M!NNNNNN ... */: executable comments, SQL to a
//    server at least that version (every MariaDB for /*M!), a comment to
//    older servers (and to MySQL for /*M!).
#ifndef SERVER_SQL_SQL_LEXER_H_
#define SERVER_SQL_SQL_LEXER_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace mysqlgw {

struct SqlLexerMode {
  bool backslash_escapes_in_single_quotes = true;
  bool backslash_escapes_in_double_quotes = true;
  bool version_comments_are_sql = true;
};

struct SqlToken {
  enum class Type {
    kEnd,          // End of input (or, from NextInStatement, a ';' ahead).
    kWord,         // Keyword, identifier or number: [A-Za-z0-9_$] and non-ASCII.
    kString,       // '...' or "...", quotes included (possibly unterminated).
    kQuotedIdent,  // `...`, never a keyword.
    kVariable,     // @name, @'name', @@scope.name.
    kPunct,        // Any other single character, ';' included.
  };
  Type type = Type::kEnd;
  absl::string_view text;

  bool IsEnd() const { return type == Type::kEnd; }
  // A keyword, case-insensitively (quoted identifiers never match).
  bool Is(absl::string_view keyword) const;
  bool IsPunct(char c) const { return type == Type::kPunct && text.size() == 1 && text[0] == c; }
};

class SqlLexer {
 public:
  explicit SqlLexer(absl::string_view sql, SqlLexerMode mode = SqlLexerMode());

  // The next token, skipping whitespace and comments.
  SqlToken Next();
  const SqlToken& Peek();
  // As Next, but a ';' ahead is reported as kEnd and not consumed: the end
  // of the current statement.
  SqlToken NextInStatement();
  const SqlToken& PeekInStatement();

 private:
  SqlToken Scan();
  void SkipSpaceAndComments();
  size_t QuotedEnd(size_t open, bool backslash_escapes) const;

  absl::string_view sql_;
  SqlLexerMode mode_;
  size_t pos_ = 0;
  bool in_version_comment_ = false;
  std::optional<SqlToken> peeked_;
  SqlToken end_of_statement_;
};

}  // namespace mysqlgw

#endif  // SERVER_SQL_SQL_LEXER_H_
