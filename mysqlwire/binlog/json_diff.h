// JSON diffs of PARTIAL_UPDATE_ROWS events (binlog_row_value_options =
// PARTIAL_JSON): instead of the whole new document, the after image of a
// JSON column may hold the list of changes a JSON_SET / JSON_REPLACE /
// JSON_REMOVE made, which the reader applies to the document it last saw.
//
// The diff list (MySQL's Json_diff_vector::write_binary after its 4-byte
// length, i.e. the column's bytes after the usual JSON length prefix) is a
// sequence of
//   operation   1 byte: 0 REPLACE, 1 INSERT, 2 REMOVE
//   path        int<lenenc> length, then the path text, e.g. `$.a[1]."k y"`
//   value       REPLACE and INSERT only: int<lenenc> length, then binary
//               JSON (json_binary.h)
//
// The diffs are applied as MySQL's apply_json_diffs() applies them, with the
// path resolved exactly (no wildcards, no auto-wrapping):
//   REPLACE  the value at the path must exist and is replaced;
//   INSERT   the parent must exist; into an object the key must be new and
//            goes where MySQL keeps it (keys sorted by length, then
//            bytewise); into an array at the index, or appended when the
//            index is past the end;
//   REMOVE   the member or in-range array element must exist.
// The root itself (`$`) is never the target of a diff. Anything MySQL would
// reject (a missing path, an existing key on INSERT, ...) is an error here.
#ifndef MYSQLWIRE_BINLOG_JSON_DIFF_H_
#define MYSQLWIRE_BINLOG_JSON_DIFF_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire::binlog {

// Applies `diffs` to `before_text`, the document as JsonBinaryToText printed
// it, and returns the new document in the same format (so that the result is
// what JsonBinaryToText would print for the new binary value). Malformed
// diffs (including a bad path) are a ProtocolError; `before_text` that is not
// JSON is kInvalidArgument; a diff that does not fit the document, or a
// result nested deeper than kJsonMaxDepth, is kFailedPrecondition (the
// stream and the document the reader holds disagree).
absl::StatusOr<std::string> ApplyJsonDiffs(absl::string_view before_text,
                                           absl::string_view diffs);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_JSON_DIFF_H_
