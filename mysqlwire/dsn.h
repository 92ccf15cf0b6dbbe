// Data source names: mysql://user:password@host:port/database?option=value
//
// User and password may be percent-encoded. Options:
//   ssl-mode=disabled|preferred|required|verify-ca|verify-identity
//   ssl-ca=PATH            (implies verify-identity unless ssl-mode is given)
//   ssl-server-name=NAME
//   connect-timeout=MS     io-timeout=MS
//   allow-public-key-retrieval=true|false
// Unknown options are an error, so a typo never silently weakens security.
#ifndef MYSQLWIRE_DSN_H_
#define MYSQLWIRE_DSN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/connect_options.h"

namespace mysqlwire {

absl::StatusOr<ConnectOptions> ParseDsn(absl::string_view dsn);

// The DSN with the password replaced by "***", for logs.
std::string RedactDsn(absl::string_view dsn);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_DSN_H_
