// From a backend's configuration to mysqlwire's connect options, with the
// password read from its file or environment variable.
#ifndef SERVER_CONFIG_BACKEND_OPTIONS_H_
#define SERVER_CONFIG_BACKEND_OPTIONS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"
#include "mysqlwire/connect_options.h"

namespace mysqlgw {

// mysqlwire::ParseDsn, refusing a DSN that carries a password. Error
// messages never contain the DSN nor any part of it that could be the
// password (a parse error in such a DSN is reported without details).
absl::StatusOr<mysqlwire::ConnectOptions> ParseDsnWithoutPassword(absl::string_view dsn);

// The DSN's options, plus:
//  - the password: password_file's contents without trailing CR/LF (the file
//    must exist), or the environment variable password_env (it must be set;
//    it may be empty), or none;
//  - pool.connect_timeout, unless the DSN gives connect-timeout itself (the
//    more specific setting wins). With no pool.connect_timeout the default
//    (5s) applies.
absl::StatusOr<mysqlwire::ConnectOptions> BackendConnectOptions(const v1::BackendConfig& backend);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_BACKEND_OPTIONS_H_
