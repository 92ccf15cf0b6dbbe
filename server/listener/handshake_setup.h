// The handshake options every listener connection starts from, built once
// from the listener's configuration: TLS (the same certificate and key files
// as gRPC's TlsServerConfig; a client CA requires client certificates), the
// RSA key for caching_sha2_password without TLS, the announced version and
// the default authentication plugin. Per connection the session adds the
// connection id, the deadline and the credential lookup.
#ifndef SERVER_LISTENER_HANDSHAKE_SETUP_H_
#define SERVER_LISTENER_HANDSHAKE_SETUP_H_

#include "absl/status/statusor.h"
#include "mysqlgw/v1/config.pb.h"
#include "mysqlwire/server/server_connection.h"

namespace mysqlgw {

// Reads the TLS and RSA files; an unreadable or invalid file, an unknown
// plugin, or require_tls without a certificate is INVALID_ARGUMENT.
absl::StatusOr<mysqlwire::ServerHandshakeOptions> BuildHandshakeOptions(
    const v1::MySqlListenerConfig& config);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_HANDSHAKE_SETUP_H_
