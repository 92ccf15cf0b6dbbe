// How to reach and authenticate to a MySQL/MariaDB server.
#ifndef MYSQLWIRE_CONNECT_OPTIONS_H_
#define MYSQLWIRE_CONNECT_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mysqlwire {

enum class SslMode {
  kDisable,         // Never TLS.
  kPreferred,       // TLS when the server offers it, without verification.
  kRequired,        // TLS or fail; the certificate is not verified.
  kVerifyCa,        // TLS, certificate chain verified against ssl_ca_file.
  kVerifyIdentity,  // As kVerifyCa, and the host name must match.
};

struct ConnectOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;  // Optional default schema.

  SslMode ssl_mode = SslMode::kPreferred;
  std::string ssl_ca_file;
  std::string ssl_server_name;  // For kVerifyIdentity and SNI; default host.

  // caching_sha2_password / sha256_password without TLS: the server's RSA
  // public key (PEM). When empty, it is requested from the server only if
  // allow_public_key_retrieval is set (it is otherwise open to a MITM).
  std::string server_public_key_pem;
  bool allow_public_key_retrieval = false;

  // Applies to TCP connect, TLS and authentication together.
  std::chrono::milliseconds connect_timeout{10000};
  // Applies to each read or write of a packet once connected; zero disables.
  // Long statements are bounded by the caller's deadline, not by this.
  std::chrono::milliseconds io_timeout{0};

  // Run after connecting and again after every ResetSession(): the session
  // baseline (e.g. "SET SESSION session_track_state_change = ON").
  std::vector<std::string> init_statements;

  // Prepared statements kept open per connection by PrepareCached(), least
  // recently used evicted first. Mind the server-wide limit
  // (max_prepared_stmt_count, 16382 by default) across all connections.
  size_t statement_cache_size = 0;

  uint8_t character_set = 45;  // utf8mb4_general_ci
  size_t max_message_size = size_t{1} << 30;
  bool multi_statements = true;
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"_client_name", "mysqlwire"}, {"program_name", "mysqlgw"}};
};

}  // namespace mysqlwire

#endif  // MYSQLWIRE_CONNECT_OPTIONS_H_
