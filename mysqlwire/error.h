// Error model of mysqlwire. Nothing in mysqlwire throws across a layer: every
// fallible call returns absl::Status / absl::StatusOr, and the kind of failure
// is readable from the status alone:
//   - server errors (an ERR packet) carry errno, SQLSTATE and message as a
//     payload; GetServerError() recovers them;
//   - protocol errors (malformed, truncated or unexpected bytes) are kInternal
//     with the "mysqlwire.protocol" payload; the connection that saw them is
//     no longer usable;
//   - transport failures are kUnavailable, timeouts kDeadlineExceeded,
//     cancellation kCancelled.
#ifndef MYSQLWIRE_ERROR_H_
#define MYSQLWIRE_ERROR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

struct ServerError {
  uint16_t code = 0;      // MySQL errno, e.g. 1062 (ER_DUP_ENTRY).
  std::string sql_state;  // Five characters, e.g. "23000"; "HY000" if absent.
  std::string message;
};

// Builds the status for an ERR packet. The status code is a coarse class
// (see ClassifyServerErrno); callers that need precision read the payload.
absl::Status ServerErrorStatus(const ServerError& error);

// The server error carried by `status`, if it came from an ERR packet.
std::optional<ServerError> GetServerError(const absl::Status& status);

// A malformed, truncated or out-of-sequence message from the peer.
absl::Status ProtocolError(absl::string_view what);
bool IsProtocolError(const absl::Status& status);

// The status code used for a server errno in the absence of a finer mapping.
absl::StatusCode ClassifyServerErrno(uint16_t code);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_ERROR_H_
