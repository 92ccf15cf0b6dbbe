// Options of the client, of one call and of a transaction.
#ifndef CLIENTS_CPP_OPTIONS_H_
#define CLIENTS_CPP_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

struct TlsOptions {
  // PEM file of the CA(s) that signed the gateway's certificate. Empty:
  // gRPC's default roots.
  std::string root_ca_path;
  // For mTLS (a gateway with client_ca_file): the client's certificate chain
  // and private key, PEM files. Both or neither.
  std::string client_cert_path;
  std::string client_key_path;
  // Check the certificate against this name instead of the target's host
  // (e.g. dialing an IP address whose certificate names a host).
  std::string server_name_override;
};

struct ClientOptions {
  ClientOptions() = default;
  // Implicit, so that Connect(target, {token}) and ClientOptions{token, tls,
  // default_timeout} read naturally.
  ClientOptions(std::string token, std::optional<TlsOptions> tls = std::nullopt,  // NOLINT
                absl::Duration default_timeout = absl::InfiniteDuration())
      : token(std::move(token)), tls(std::move(tls)), default_timeout(default_timeout) {}

  // Sent with every call as `authorization: Bearer <token>`. Empty: none.
  std::string token;
  // nullopt: plaintext, for loopback and development. The token then
  // travels in clear, so use TLS across any network.
  std::optional<TlsOptions> tls;
  // gRPC deadline of each call that sets none itself. When it passes the
  // gateway kills the statement and the call fails with DEADLINE_EXCEEDED.
  absl::Duration default_timeout = absl::InfiniteDuration();
  // Connect waits this long for the channel to be ready, so that a wrong
  // address or TLS setup fails there, not at the first call. Zero: connect
  // lazily, on the first call.
  absl::Duration connect_timeout = absl::Seconds(10);
};

struct CallOptions {
  // gRPC deadline of this call. Zero: ClientOptions::default_timeout.
  absl::Duration timeout = absl::ZeroDuration();
  // Asks the gateway to kill the statement after this long, independently
  // of the deadline. Zero: none.
  absl::Duration statement_timeout = absl::ZeroDuration();
  // Default database of the statement. Empty: the backend's default.
  std::string database;
  // Limits of a buffered Query result; 0: the gateway's defaults. Beyond
  // either the call fails with RESOURCE_EXHAUSTED (use Stream instead).
  uint64_t max_rows = 0;
  uint64_t max_bytes = 0;
  // The statement may be retried on another connection after a transient
  // failure. Never applies inside a transaction.
  bool idempotent = false;
  v1::ParameterMode parameter_mode = v1::PARAMETER_MODE_UNSPECIFIED;
};

struct TransactionOptions {
  v1::IsolationLevel isolation = v1::ISOLATION_LEVEL_UNSPECIFIED;
  bool read_only = false;
  std::string database;
  // The gateway rolls the transaction back after this long without a call.
  // Zero: its configured default (capped by its configured maximum).
  absl::Duration idle_timeout = absl::ZeroDuration();
  // gRPC deadline of the BeginTransaction call. Zero: the client's default.
  absl::Duration timeout = absl::ZeroDuration();
};

}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_OPTIONS_H_
