// Client-side literal escaping, for callers that bind `?` placeholders into
// the statement text instead of preparing it on the server.
//
// Safe only when the connection character set is ASCII-transparent: no byte
// below 0x80 may be part of a multi-byte character (utf8mb4, utf8mb3, latin1,
// ascii and binary qualify). Under big5, cp932, gbk, sjis or gb18030 a
// backslash can be the second byte of a character and the escaping below can
// be subverted; use server-side prepared statements there.
//
// `no_backslash_escapes` must reflect the session's sql_mode as the server
// reports it (kServerStatusNoBackslashEscapes in the status flags of OK
// packets): getting it wrong changes where string literals end, which no
// escaping can survive.
#ifndef MYSQLWIRE_PROTOCOL_ESCAPING_H_
#define MYSQLWIRE_PROTOCOL_ESCAPING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

// A complete single-quoted literal whose value is exactly `s`. With backslash
// escapes, NUL, \n, \r, \, ', " and \x1a are escaped (\0 \n \r \\ \' \" \Z);
// under NO_BACKSLASH_ESCAPES only ' is escaped, by doubling it.
std::string EscapeStringLiteral(absl::string_view s, bool no_backslash_escapes);

// x'..' with lowercase hex digits; x'' for empty data.
std::string HexLiteral(absl::string_view data);

// The SQL literal for a value:
//   Null                NULL
//   Int64, Uint64       decimal digits
//   Float, Double       shortest digits that read back as the same double,
//                       with an exponent so MySQL reads a DOUBLE, not a
//                       DECIMAL ("0.1e0", "1e15"); a Float is widened first,
//                       which is how MySQL compares FLOAT columns
//   Decimal             its text, after checking it is a decimal number
//   String              EscapeStringLiteral
//   Bytes               HexLiteral
//   Date/DateTime/Time  quoted: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]',
//                       '[-]HH:MM:SS[.ffffff]'
// InvalidArgument for NaN, infinity, text that is not a decimal, and
// date/time fields out of range.
absl::StatusOr<std::string> ValueToSqlLiteral(const Value& v,
                                              bool no_backslash_escapes);

// Replaces each `?` placeholder in `sql` with the literal for the next
// parameter. A `?` is a placeholder unless it is inside a '...' or "..."
// string, a `...` identifier, or a comment (-- to end of line, # to end of
// line, /* ... */). Executable comments /*!...*/ and /*M!...*/ hold live SQL,
// so placeholders inside them are replaced.
//
// InvalidArgument when the number of placeholders differs from params.size(),
// for an unterminated quote or comment, and wherever the server might see the
// text differently from this scanner:
//   - a "..." string containing a backslash, with backslash escapes on: under
//     ANSI_QUOTES it would be an identifier where \ escapes nothing;
//   - "*/" inside a quoted string or a parameter's literal within an
//     executable comment: a server that skips the comment (version too high,
//     or /*M! on MySQL) ends it at the first "*/", quotes or not;
//   - a nested executable comment.
// A literal next to a word character or quote is separated by a space, so it
// cannot merge into a neighbouring token (x'..', N'..', 'a''b', --1).
absl::StatusOr<std::string> InterpolatePlaceholders(
    absl::string_view sql, absl::Span<const Value> params,
    bool no_backslash_escapes);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_ESCAPING_H_
