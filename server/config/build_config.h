// The gateway's configuration from its file and command-line flags: parse,
// override, fill defaults, validate.
#ifndef SERVER_CONFIG_BUILD_CONFIG_H_
#define SERVER_CONFIG_BUILD_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

// Empty strings and false mean "flag not given".
struct FlagOverrides {
  std::string listen_address;
  std::string backend_dsn;
  std::string backend_password_file;
  std::string backend_password_env;
  bool allow_anonymous = false;
};

// The backend created from --backend_dsn when the configuration has none.
inline constexpr char kFlagBackendName[] = "default";
// The principal --allow_anonymous acts as when the configuration names none.
inline constexpr char kFlagAnonymousPrincipal[] = "anonymous";

// `config_path` may be empty: the flags alone then describe the gateway.
// Flags override the file:
//  - listen_address replaces listen.address;
//  - backend_dsn (with backend_password_file / backend_password_env) sets the
//    only backend: without one in the file, a backend "default" is created;
//    with one, its dsn is replaced; with several, it is an error (which one
//    would be ambiguous). A password flag alone applies to that one backend
//    too, and replaces the other password source;
//  - allow_anonymous turns anonymous access on. When the file names no
//    anonymous_principal, "anonymous" is used, and created when missing with
//    databases ["*"] and operations read, write and ddl: the flag is for
//    local development, where a file is overkill; admin and binlog need one.
// The result has defaults applied and has passed ValidateConfig.
absl::StatusOr<v1::GatewayConfig> BuildConfig(const std::string& config_path,
                                              const FlagOverrides& flags);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_BUILD_CONFIG_H_
