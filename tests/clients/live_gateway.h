// A real gateway in front of the test's MariaDB, for the C++ client's live
// tests: one config (tokens below), optionally TLS.
#ifndef TESTS_CLIENTS_LIVE_GATEWAY_H_
#define TESTS_CLIENTS_LIVE_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::testing {

// read, write, ddl, admin (stored procedures need admin: see
// server/sql/statement_kind.h) and binlog (change streams).
inline constexpr char kAppToken[] = "cpp-client-app-token-0123456789";
// read only, database mysqlgw_test only (no change streams).
inline constexpr char kReaderToken[] = "cpp-client-reader-token-0123456789";

// The listen.tls section: cert_file, key_file and (for mTLS) client_ca_file.
struct GatewayTls {
  std::string cert_file, key_file, client_ca_file;
};

// Buffered results are capped at 5000 rows (so that 100k rows need
// streaming), stream chunks are 64 KiB, and transactions idle out after 60 s
// (far beyond any test, so a rollback seen in a test was asked for).
std::string ClientTestConfig(const ServerInfo& server, const GatewayTls* tls = nullptr);

absl::StatusOr<std::unique_ptr<GatewayProcess>> StartClientTestGateway(
    const ServerInfo& server, const GatewayTls* tls = nullptr);

}  // namespace mysqlgw::testing

#endif  // TESTS_CLIENTS_LIVE_GATEWAY_H_
