#include "tests/clients/live_gateway.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mysqlgw::testing {

std::string ClientTestConfig(const ServerInfo& server, const GatewayTls* tls) {
  std::string tls_yaml;
  if (tls != nullptr) {
    tls_yaml = absl::StrCat("  tls:\n    cert_file: \"", tls->cert_file, "\"\n    key_file: \"",
                            tls->key_file, "\"\n");
    if (!tls->client_ca_file.empty()) {
      absl::StrAppend(&tls_yaml, "    client_ca_file: \"", tls->client_ca_file, "\"\n");
    }
  }
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
TLS_YAML
io_threads: 2
backends:
  - name: primary
    dsn: "mysql://USER@HOST:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_CPP_IT_BACKEND_PASSWORD
    pool:
      max_open: 8
limits:
  default_max_rows: 5000
  stream_chunk_bytes: 65536
transactions:
  default_idle_timeout: "60s"
auth:
  principals:
    - name: app
      token_sha256: ["APP_HASH"]
      databases: ["*"]
      operations: [read, write, ddl, admin, binlog]
    - name: reader
      token_sha256: ["READER_HASH"]
      databases: ["mysqlgw_test"]
      operations: [read]
)",
                             {{"TLS_YAML\n", tls_yaml},
                              {"USER", server.user},
                              {"HOST", server.host},
                              {"PORT", std::to_string(server.port)},
                              {"APP_HASH", Sha256Hex(kAppToken)},
                              {"READER_HASH", Sha256Hex(kReaderToken)}});
}

absl::StatusOr<std::unique_ptr<GatewayProcess>> StartClientTestGateway(const ServerInfo& server,
                                                                       const GatewayTls* tls) {
  GatewayProcessOptions options;
  options.config_yaml = ClientTestConfig(server, tls);
  options.env = {{"MYSQLGW_CPP_IT_BACKEND_PASSWORD", server.password}};
  return GatewayProcess::Start(std::move(options));
}

}  // namespace mysqlgw::testing
