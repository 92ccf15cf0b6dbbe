// Checks a configuration for mistakes that parsing cannot see. Run it after
// ApplyDefaults: zero counts mean "unset" until then (pool.max_open: 0 would
// be reported), and the transaction timeouts are compared with their
// defaults filled in.
//
// Rules:
//  - at least one backend; names non-empty and unique;
//  - each DSN parses (mysqlwire::ParseDsn) and holds no password
//    (password_file or password_env carry it; neither means an empty one);
//    password_file and password_env are not both set;
//  - pool: max_open >= 1, min_idle <= max_open;
//  - every duration in the configuration is non-negative;
//  - principals: names non-empty and unique; token_sha256 entries are 64
//    lower-case hex characters and no hash belongs to two principals (the
//    token would be ambiguous); operations are not OPERATION_UNSPECIFIED;
//    database names are non-empty;
//  - auth.allow_anonymous needs anonymous_principal naming a principal;
//  - transactions.max_idle_timeout >= default_idle_timeout;
//  - listen.tls: cert_file and key_file both or neither, client_ca_file only
//    with them, every named file a readable regular file.
//
// All problems are reported at once, one per line, in an INVALID_ARGUMENT
// status; no message contains a password.
#ifndef SERVER_CONFIG_CONFIG_VALIDATE_H_
#define SERVER_CONFIG_CONFIG_VALIDATE_H_

#include "absl/status/status.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

absl::Status ValidateConfig(const v1::GatewayConfig& config);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_CONFIG_VALIDATE_H_
