// Named parameters: `:name` placeholders rewritten to the `?` placeholders
// that MySQL prepares (and mysqlwire interpolates), with the order in which
// the names must be bound.
#ifndef SERVER_CONVERT_NAMED_PARAMS_H_
#define SERVER_CONVERT_NAMED_PARAMS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw {

struct RewrittenSql {
  std::string sql;  // The statement with each `:name` replaced by `?`.
  // The name behind each `?`, in order; a name used twice appears twice.
  std::vector<std::string> order;
};

// Replaces each `:name` placeholder (name = [A-Za-z_][A-Za-z0-9_]*) in `sql`
// with `?`. Everything else is copied byte for byte. Names are
// case-sensitive and are the map's keys without the colon.
//
// A `:name` is a placeholder unless it is inside a '...' or "..." string
// (backslash and doubled-quote escapes), a `...` identifier, or a comment
// (-- followed by whitespace, #, /* ... */). Executable comments /*! ... */
// and /*M! ... */ hold live SQL, so placeholders in them are replaced. A
// colon not followed by a name start is left alone, which keeps MySQL's
// `@v := 1`, `::`, times and `: ` as they are; a run of colons is never a
// placeholder ("::x" is not one).
//
// A stored-program label written without a space (`l1:LOOP`) reads as the
// placeholder :LOOP and fails as an unknown name; write `l1: LOOP`.
//
// The scan assumes the default sql_mode. When a string literal holds a
// backslash, the statement is scanned again as NO_BACKSLASH_ESCAPES and
// ANSI_QUOTES would read it; if that reading finds other placeholders
// (`:name` or `?`), the call fails rather than bind a value inside what the
// server takes for a literal. (Doubled quotes, 'it''s', avoid this.)
//
// InvalidArgument when:
//   - a placeholder's name is not a key of `named`;
//   - a key of `named` is never used;
//   - the statement also holds a `?` placeholder (one request uses either
//     positional or named parameters);
//   - a quote, identifier or comment is not terminated, or executable
//     comments are nested.
absl::StatusOr<RewrittenSql> RewriteNamedParams(
    absl::string_view sql,
    const google::protobuf::Map<std::string, mysqlgw::v1::Value>& named);

}  // namespace mysqlgw

#endif  // SERVER_CONVERT_NAMED_PARAMS_H_
