#include "tests/listener/listener_fixture.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/server/test_certs.h"
#include "server/http/test_client.h"

namespace mysqlgw::testing {
namespace {

std::string NativeHash(absl::string_view password) {
  return mysqlwire::FormatNativePasswordHash(mysqlwire::ComputeNativePasswordHash(password));
}

std::string Sha2Hash(absl::string_view password) {
  return absl::BytesToHexString(mysqlwire::ComputeCachingSha2Hash(password));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Config(const ServerInfo& s, const ListenerOptions& o, const std::string& dir,
                   const std::string& cert, const std::string& key) {
  std::string tls;
  if (o.tls) tls = absl::StrCat("  tls:\n    cert_file: \"", cert, "\"\n    key_file: \"", key, "\"\n");
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
io_threads: IO_THREADS
shutdown_grace_period: "3s"
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/DATABASE?ssl-mode=disabled"
    password_env: MYSQLGW_LISTENER_BACKEND_PASSWORD
    pool:
      max_open: MAX_OPEN
mysql_listener:
  address: "127.0.0.1:0"
TLS
LISTENER_EXTRA
auth:
  principals:
    - name: app
      databases: ["*"]
      operations: [read, write, ddl, admin]
      mysql_native_password_hash: "APP_NATIVE"
      mysql_caching_sha2_password_hash: "APP_SHA2"
    - name: reader
      databases: ["DATABASE"]
      operations: [read]
      mysql_native_password_hash: "READER_NATIVE"
    - name: limited
      databases: ["*"]
      operations: [read, write]
      mysql_native_password_hash: "LIMITED_NATIVE"
    - name: tokenonly
      token_sha256: ["TOKEN_HASH"]
      databases: ["*"]
      operations: [read]
interception:
INTERCEPTION
)",
                             {{"IO_THREADS", absl::StrCat(o.io_threads)},
                              {"USER", s.user},
                              {"PORT", absl::StrCat(s.port)},
                              {"DATABASE", s.database},
                              {"MAX_OPEN", absl::StrCat(o.pool_max_open)},
                              {"TLS\n", tls},
                              {"LISTENER_EXTRA", o.listener_extra},
                              {"APP_NATIVE", NativeHash(kAppPassword)},
                              {"APP_SHA2", Sha2Hash(kAppPassword)},
                              {"READER_NATIVE", NativeHash(kReaderPassword)},
                              {"LIMITED_NATIVE", NativeHash(kLimitedPassword)},
                              {"TOKEN_HASH", Sha256Hex("tokenonly-token")},
                              {"INTERCEPTION", o.interception.empty() ? "  {}" : o.interception},
                              {"DIR", dir}});
}

}  // namespace

std::string FindProgram(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/local/bin"}) {
    std::string path = absl::StrCat(dir, "/", name);
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<ListenerGateway>> ListenerGateway::Start(
    const ServerInfo& server, const ListenerOptions& options) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/listener.XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  auto gw = std::unique_ptr<ListenerGateway>(new ListenerGateway());
  gw->cert_file_ = dir + "/cert.pem";
  const std::string key_file = dir + "/key.pem";
  std::ofstream(gw->cert_file_) << mysqlwire::testing::kTestCertPem;
  std::ofstream(key_file) << mysqlwire::testing::kTestKeyPem;
  const std::string mysql_port_file = dir + "/mysql.port";
  const std::string admin_port_file = dir + "/admin.port";

  GatewayProcessOptions process;
  process.config_yaml = Config(server, options, dir, gw->cert_file_, key_file);
  process.extra_args = {"--mysql_port_file=" + mysql_port_file, "--admin_address=127.0.0.1:0",
                        "--admin_port_file=" + admin_port_file};
  process.env = {{"MYSQLGW_LISTENER_BACKEND_PASSWORD", server.password}};
  absl::StatusOr<std::unique_ptr<GatewayProcess>> started = GatewayProcess::Start(process);
  if (!started.ok()) return started.status();
  gw->process_ = *std::move(started);
  // Both ports are written before the gRPC port the process waits for.
  int port = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(mysql_port_file)), &port) ||
      port <= 0) {
    return absl::InternalError(absl::StrCat("no MySQL port written; log:\n", gw->process_->Log()));
  }
  gw->mysql_port_ = static_cast<uint16_t>(port);
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(admin_port_file)), &gw->admin_port_)) {
    return absl::InternalError("no admin port written");
  }
  return gw;
}

absl::StatusOr<std::string> ListenerGateway::Metrics() const {
  absl::StatusOr<http::testing::ClientResponse> response =
      http::testing::Fetch("127.0.0.1", admin_port_, "/metrics");
  if (!response.ok()) return response.status();
  return response->body();
}

CommandResult Mariadb(uint16_t port, const std::string& user, const std::string& password,
                      const std::vector<std::string>& args, absl::Duration timeout) {
  std::vector<std::string> argv = {FindProgram("mariadb"),
                                   "--no-defaults",
                                   "--protocol=TCP",
                                   "-h127.0.0.1",
                                   absl::StrCat("-P", port),
                                   "-u" + user,
                                   "--password=" + password,
                                   "--batch",
                                   "--connect-timeout=10"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout = timeout;
  absl::StatusOr<CommandResult> r = RunProcess(argv, options);
  if (!r.ok()) {
    CommandResult failed;
    failed.exit_code = -1;
    failed.stderr_data = std::string(r.status().message());
    return failed;
  }
  return *std::move(r);
}

CommandResult Python(const std::string& script, const std::vector<std::string>& args,
                     absl::Duration timeout) {
  std::vector<std::string> argv = {FindProgram("python3"), "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.timeout = timeout;
  absl::StatusOr<CommandResult> r = RunProcess(argv, options);
  if (!r.ok()) {
    CommandResult failed;
    failed.exit_code = -1;
    failed.stderr_data = std::string(r.status().message());
    return failed;
  }
  return *std::move(r);
}

double MetricValue(const std::string& exposition, const std::string& sample) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.size() > sample.size() && line.substr(0, sample.size()) == sample &&
        line[sample.size()] == ' ') {
      double v = 0;
      if (absl::SimpleAtod(line.substr(sample.size() + 1), &v)) return v;
    }
  }
  return -1;
}

}  // namespace mysqlgw::testing
