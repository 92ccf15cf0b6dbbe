#include "mysqlwire/protocol/sql_spans.h"

#include "absl/strings/str_cat.h"

namespace mysqlwire {
namespace {

constexpr size_t kNpos = absl::string_view::npos;

// What MySQL's lexer accepts after "--" to start a comment: whitespace or a
// control character. The end of the text counts too.
bool EndsDashDash(absl::string_view sql, size_t at) {
  if (at >= sql.size()) return true;
  const unsigned char u = static_cast<unsigned char>(sql[at]);
  return u <= 0x20 || u == 0x7f;
}

}  // namespace

size_t EndOfQuoted(absl::string_view sql, size_t open, bool backslash, bool* saw_backslash) {
  const char quote = sql[open];
  size_t i = open + 1;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\\') {
      if (saw_backslash != nullptr) *saw_backslash = true;
      if (backslash) {
        i += 2;
        continue;
      }
    }
    if (c == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return kNpos;
}

absl::StatusOr<CommentSpan> ScanComment(absl::string_view sql, size_t i, bool in_executable) {
  const char c = sql[i];
  const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  // Line comments run to the newline. MariaDB also ends them at a NUL byte
  // and then rejects the NUL as a syntax error, so treating the rest of the
  // line as comment only leaves placeholders unreplaced: the safe side.
  if (c == '#' || (c == '-' && next == '-' && EndsDashDash(sql, i + 2))) {
    const size_t newline = sql.find('\n', i);
    return CommentSpan{CommentKind::kLine, newline == kNpos ? sql.size() : newline + 1};
  }
  if (c == '/' && next == '*') {
    const bool executable = sql.substr(i + 2, 1) == "!" || sql.substr(i + 2, 2) == "M!";
    if (executable) {
      if (in_executable) {
        return absl::InvalidArgumentError(absl::StrCat("nested executable comment at offset ", i));
      }
      return CommentSpan{CommentKind::kExecutableOpen, i + (sql[i + 2] == '!' ? 3 : 4)};
    }
    const size_t close = sql.find("*/", i + 2);
    if (close == kNpos) {
      return absl::InvalidArgumentError(absl::StrCat("unterminated /* comment at offset ", i));
    }
    return CommentSpan{CommentKind::kBlock, close + 2};
  }
  if (in_executable && c == '*' && next == '/') {
    return CommentSpan{CommentKind::kExecutableClose, i + 2};
  }
  return CommentSpan{};
}

}  // namespace mysqlwire
