// The parts of MySQL SQL text that are not code: quoted strings and
// identifiers, comments, and the markers of executable comments (/*! ... */
// and /*M! ... */, whose content is code). Shared by everything that
// scans SQL for placeholders, so they all agree on where code is.
#ifndef MYSQLWIRE_PROTOCOL_SQL_SPANS_H_
#define MYSQLWIRE_PROTOCOL_SQL_SPANS_H_

#include <cstddef>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

// Index just past the quote that closes the quoted text opening at `open`
// (doubled quotes are escapes; with `backslash`, so is \ before any byte),
// or npos when it never closes. Sets *saw_backslash (when given) if a
// backslash occurs inside.
size_t EndOfQuoted(absl::string_view sql, size_t open, bool backslash,
                   bool* saw_backslash = nullptr);

enum class CommentKind {
  kNone,             // sql[i] starts no comment syntax.
  kLine,             // # or "-- " to the end of the line.
  kBlock,            // /* ... */
  kExecutableOpen,   // /*! or /*M!: what follows is code.
  kExecutableClose,  // The */ ending an executable comment.
};
struct CommentSpan {
  CommentKind kind = CommentKind::kNone;
  size_t end = 0;  // Index just past the span.
};

// The comment syntax starting at sql[i], given whether an executable comment
// is open. INVALID_ARGUMENT for an unterminated /* comment and for a nested
// executable comment (the server has no nesting: the inner */ would end
// both).
absl::StatusOr<CommentSpan> ScanComment(absl::string_view sql, size_t i, bool in_executable);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_SQL_SPANS_H_
