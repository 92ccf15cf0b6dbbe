// MySQL's binary JSON format (the storage format of JSON columns, which is
// also what row events carry for them) and the JSON text MySQL prints for it.
//
// The text is byte-for-byte what MySQL's JSON-to-string conversion produces
// (e.g. `SELECT json_col`), so that a change stream shows the same documents
// a client of the server would see:
//   - `{"a": 1, "b": [true, null, "x"]}`: ", " between elements, ": " after
//     keys, object keys in stored order (MySQL stores them sorted by length,
//     then bytewise);
//   - strings quoted with \" \\ \b \f \n \r \t escaped, every other byte
//     below 0x20 as \u00xx (lowercase hex), everything else (including
//     non-ASCII UTF-8 and 0x7f) passed through unchanged;
//   - doubles as MySQL's my_gcvt() prints them with a 34-character field: the
//     shortest digits that read back to the same double, fixed notation when
//     the decimal exponent is in [-14, 15] (or the digits have a fraction),
//     otherwise scientific with no '+' and no zero padding ("1e300",
//     "1.5e-20"); ".0" appended when neither '.' nor 'e' was printed, as
//     MySQL 8.0 does to keep doubles apart from integers ("1.0", "-0.0",
//     "100000000000000.0");
//   - opaque values (a MySQL column type byte plus raw bytes):
//       NEWDECIMAL (246)       the decimal unquoted with all its scale
//                              digits ("9.00");
//       DATE (10)              "2024-01-02";
//       DATETIME (12) and
//       TIMESTAMP (7)          "2024-01-02 03:04:05.000000" (always six
//                              fractional digits, as MySQL prints them);
//       TIME (11)              "-838:59:59.000000" style, hours not wrapped;
//       VAR_STRING (253)       the bytes as a JSON string (newer MySQL
//                              prints these as strings, not base64);
//       anything else          "base64:typeN:..." with N the type number and
//                              MySQL's base64 (a newline every 76 characters,
//                              printed escaped as \n).
//
// Hostile input: every count, offset and length is checked against the bytes
// that hold it, nesting is limited to kJsonMaxDepth arrays/objects (MySQL's
// own limit), and the text produced is capped relative to the input size so
// that containers whose entries share one offset cannot blow up the output.
#ifndef MYSQLWIRE_BINLOG_JSON_BINARY_H_
#define MYSQLWIRE_BINLOG_JSON_BINARY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/json_string.h"

namespace mysqlwire::binlog {

// MySQL's JSON_DOCUMENT_MAX_DEPTH: objects and arrays nest at most this deep.
inline constexpr int kJsonMaxDepth = 100;

// Converts one binary JSON value (a JSON cell without its length prefix) to
// MySQL's JSON text. An empty value is JSON null: MySQL stores one when NULL
// or DEFAULT is forced into a NOT NULL JSON column (INSERT IGNORE, non-strict
// sql_mode) and reads it back as null. Malformed or truncated input is a
// ProtocolError (mysqlwire/error.h); trailing bytes after the top-level value
// are ignored, as MySQL ignores them.
absl::StatusOr<std::string> JsonBinaryToText(absl::string_view binary);

// The pieces of MySQL's JSON text format, shared with json_diff so that the
// two writers cannot drift apart.
inline constexpr absl::string_view kJsonElementSeparator = ", ";
inline constexpr absl::string_view kJsonKeySeparator = ": ";

// Strings are escaped by mysqlwire::AppendJsonString (json_string.h).

// Appends a double as MySQL prints a JSON double. Non-finite values cannot
// occur in JSON; the caller rejects them first.
void AppendJsonDouble(double value, std::string* out);

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_JSON_BINARY_H_
