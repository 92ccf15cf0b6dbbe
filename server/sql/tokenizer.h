// A MySQL/MariaDB lexer: splits SQL text into tokens (kind + byte span into
// the input, nothing copied). It never validates and never fails: every byte
// of the input lands in exactly one token or in whitespace, an unterminated
// string, quoted identifier or comment runs to the end of the input and is
// flagged, and each call to Next() consumes at least one byte.
//
// Lexical rules, following MySQL 8 and MariaDB 10.x:
//  - Words: [A-Za-z0-9_$] and every byte >= 0x80 (so invalid UTF-8 is an
//    identifier character, as the server's lexer reads it). A word made of
//    digits only is a number; "1abc" and "0xZZ" are identifiers. After a
//    qualifier dot ("t.1e5") the next word is always an identifier.
//  - Strings: '...' and "..." (unless ANSI_QUOTES), a doubled quote escapes
//    the quote, '\' escapes any byte unless NO_BACKSLASH_ESCAPES. A charset
//    introducer (_utf8mb4'x', N'x', and "_latin1 'x'" with a known charset
//    name) belongs to the literal. Adjacent strings ('a' 'b') stay separate
//    tokens.
//  - Hex X'0A' / 0x0A and bit B'01' / 0b01 literals; X'ZZ' and X'ABC' are
//    kHexNumber tokens flagged malformed (the server rejects them).
//  - Placeholders: '?' and ":name" (name = [A-Za-z_][A-Za-z0-9_]*, as in
//    server/convert/named_params.h: a label written "l1:LOOP" reads as one).
//  - Variables: @x, @'x', @"x", @`x` (user), @@x, @@session.x (system). An
//    '@' right after a word, string or quoted identifier is the user@host
//    operator ('u'@'h').
//  - Comments: "-- " (two dashes then whitespace, a control byte or the
//    end), '#', /* ... */, optimizer hints /*+ ... */. "1--1" is 1 - -1.
//  - Executable comments /*! ... */, /*!50100 ... */, /*M!100100 ... */ (up
//    to 6 version digits): by default their content is SQL, reported between
//    kExecutableCommentBegin and kExecutableCommentEnd tokens; with
//    executable_comments_are_sql = false the whole comment is one kComment.
//    Comments do not nest: inside one, "/*" opens a plain comment.
//  - Any other byte is a one-byte kOperator (punctuation included), except
//    ';' (kSemicolon) and control bytes (kInvalid).
#ifndef SERVER_SQL_TOKENIZER_H_
#define SERVER_SQL_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"

namespace mysqlgw {

struct TokenizerOptions {
  // sql_mode NO_BACKSLASH_ESCAPES: '\' is an ordinary character in strings.
  bool no_backslash_escapes = false;
  // sql_mode ANSI_QUOTES: "..." is an identifier, not a string.
  bool ansi_quotes = false;
  // /*! */ and /*M! */ hold SQL (a server at least that version) rather
  // than a comment.
  bool executable_comments_are_sql = true;
};

enum class TokenKind : uint8_t {
  kWord,              // Keyword or bare identifier.
  kQuotedIdentifier,  // `a``b`, or "a""b" under ANSI_QUOTES.
  kString,            // 'x', "x", _utf8mb4'x', N'x'.
  kNumber,            // 1, 1.5, .5, 1., 1e10, 1.5E-3.
  kHexNumber,         // X'0A', 0x0A (with an optional introducer).
  kBitNumber,         // B'01', 0b01.
  kPlaceholder,       // ? or :name.
  kUserVariable,      // @x, @'x', @`x`.
  kSystemVariable,    // @@x, @@session.x.
  kOperator,          // Operators and punctuation: = <=> ->> ( , . ...
  kSemicolon,         // ; (statement separator).
  kComment,           // -- x, # x, /* x */, /*+ hint */.
  kExecutableCommentBegin,  // "/*!50100" or "/*M!100100" (content follows).
  kExecutableCommentEnd,    // The "*/" closing an executable comment.
  kInvalid,           // A control byte outside strings and comments.
};

struct Token {
  TokenKind kind = TokenKind::kInvalid;
  // The string, quoted identifier, comment or executable comment runs to the
  // end of the input without its closing delimiter.
  bool unterminated = false;
  // A literal the server would reject: X'ZZ', X'ABC', B'12'.
  bool malformed = false;
  size_t begin = 0;  // Byte offsets into the input: [begin, end).
  size_t end = 0;

  absl::string_view Text(absl::string_view sql) const {
    return sql.substr(begin, end - begin);
  }
  // A comment of any form (not the markers of an executable comment).
  bool IsComment() const { return kind == TokenKind::kComment; }
  // Comments and executable-comment markers: no meaning for the statement.
  bool IsTrivia() const {
    return kind == TokenKind::kComment || kind == TokenKind::kExecutableCommentBegin ||
           kind == TokenKind::kExecutableCommentEnd;
  }
  // A literal value: string, number, hex or bit literal.
  bool IsLiteral() const {
    return kind == TokenKind::kString || kind == TokenKind::kNumber ||
           kind == TokenKind::kHexNumber || kind == TokenKind::kBitNumber;
  }
};

// Pulls tokens one at a time, without allocating. Cheap to copy, so a copy
// serves as a lookahead.
class Tokenizer {
 public:
  explicit Tokenizer(absl::string_view sql, TokenizerOptions options = {})
      : sql_(sql), options_(options) {}

  // The next token; false at the end of the input.
  bool Next(Token& token);
  // As Next, but skipping comments and executable-comment markers.
  bool NextSignificant(Token& token);

  absl::string_view sql() const { return sql_; }
  size_t position() const { return pos_; }

 private:
  void ScanQuoted(size_t open, char quote, bool backslash_escapes, Token& token);
  void ScanBlockComment(Token& token);
  void ScanWordOrNumber(Token& token, bool identifier_only);
  bool ScanIntroducedLiteral(size_t literal_start, Token& token);
  void ScanQuotedLiteral(TokenKind kind, size_t quote_pos, Token& token);
  void ScanVariable(Token& token);

  absl::string_view sql_;
  TokenizerOptions options_;
  size_t pos_ = 0;
  bool in_executable_comment_ = false;
  // The last token was a '.' right after a name: the next word is a name.
  bool after_qualifier_dot_ = false;
  TokenKind last_kind_ = TokenKind::kInvalid;
  size_t last_end_ = static_cast<size_t>(-1);
};

// Every token of `sql`, comments included. Allocates: for tests and tools.
std::vector<Token> Tokenize(absl::string_view sql, const TokenizerOptions& options = {});

// The statements of a multi-statement text, split at each ';' token (never
// inside a string, identifier or comment, but inside an executable comment,
// as the server does). Each statement runs from its first token to its last
// before the ';', comments included; statements with nothing but comments
// and whitespace are left out.
std::vector<absl::string_view> SplitStatements(absl::string_view sql,
                                               const TokenizerOptions& options = {});

}  // namespace mysqlgw

#endif  // SERVER_SQL_TOKENIZER_H_
