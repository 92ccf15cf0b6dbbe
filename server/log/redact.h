// Keeps secrets out of what the gateway writes (its log, the access, audit
// and slow logs): credentials anywhere in a text, and statement literals in
// error messages.
//
// Credentials are masked by shape, wherever they appear, because a log line
// is built in many places and one careless StrCat must not leak a password:
//   Bearer abc.def             -> Bearer [REDACTED]
//   mysql://user:pw@host/db    -> mysql://user:[REDACTED]@host/db
//   password=pw, "token": "x"  -> password=[REDACTED], "token": "[REDACTED]"
//     (keys ending in password, passwd, pwd, secret or token, any case,
//     followed by = or :)
//   IDENTIFIED BY 'pw'         -> IDENTIFIED BY '[REDACTED]'
#ifndef SERVER_LOG_REDACT_H_
#define SERVER_LOG_REDACT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mysqlgw {

inline constexpr absl::string_view kRedacted = "[REDACTED]";

// `text` with credentials masked (see above).
std::string RedactSecrets(absl::string_view text);

// An error message fit for a log: credentials masked, and everything from
// the first quote (' or ") to the last replaced by '?', because MySQL
// quotes the caller's data in its messages ("Duplicate entry 'x' for key",
// "Incorrect integer value: 'x'", "... near 'x' at line 1", whose quoted
// text may itself hold quotes), and so do some of the gateway's own
// messages about parameter values.
std::string RedactErrorMessage(absl::string_view message);

}  // namespace mysqlgw

#endif  // SERVER_LOG_REDACT_H_
