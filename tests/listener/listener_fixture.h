// The real gateway binary with its MySQL-protocol listener on a free port,
// in front of the sandbox MariaDB, and real MySQL clients (the mariadb CLI,
// PyMySQL) run as subprocesses against it.
//
// Principals (MySQL user / password):
//   app      / app-pw       every database; read, write, ddl, admin
//   reader   / reader-pw    mysqlgw_test only; read
//   limited  / limited-pw   every database; read, write (for limit rules)
//   tokenonly               a gRPC token, no MySQL password: cannot log in
#ifndef TESTS_LISTENER_LISTENER_FIXTURE_H_
#define TESTS_LISTENER_LISTENER_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::testing {

inline constexpr char kAppPassword[] = "app-pw";
inline constexpr char kReaderPassword[] = "reader-pw";
inline constexpr char kLimitedPassword[] = "limited-pw";

struct ListenerOptions {
  // YAML under `interception:`, indented by two spaces.
  std::string interception;
  // Extra keys under `mysql_listener:`, indented by two spaces.
  std::string listener_extra;
  bool tls = false;
  int pool_max_open = 4;
  int io_threads = 2;
};

class ListenerGateway {
 public:
  static absl::StatusOr<std::unique_ptr<ListenerGateway>> Start(const ServerInfo& server,
                                                                const ListenerOptions& options);

  uint16_t mysql_port() const { return mysql_port_; }
  int admin_port() const { return admin_port_; }
  GatewayProcess& process() { return *process_; }
  // The listener's certificate (with tls).
  const std::string& cert_file() const { return cert_file_; }
  // GET /metrics on the admin port.
  absl::StatusOr<std::string> Metrics() const;

 private:
  std::unique_ptr<GatewayProcess> process_;
  uint16_t mysql_port_ = 0;
  int admin_port_ = 0;
  std::string cert_file_;
};

// The mariadb CLI against the listener, in batch mode (tab-separated, no
// column names unless `args` say otherwise). Its exit code and stderr say
// how it failed: "ERROR 1146 (42S02) at line 1: ...".
CommandResult Mariadb(uint16_t port, const std::string& user, const std::string& password,
                      const std::vector<std::string>& args, absl::Duration timeout = absl::Seconds(30));

// python3 running `script` with `args`; the test fails if it cannot run.
CommandResult Python(const std::string& script, const std::vector<std::string>& args,
                     absl::Duration timeout = absl::Seconds(60));

// Absolute path of a program, or empty.
std::string FindProgram(const std::string& name);

// The value of a sample line `name{labels} value` in a Prometheus text
// exposition, or -1 when absent.
double MetricValue(const std::string& exposition, const std::string& sample);

}  // namespace mysqlgw::testing

#endif  // TESTS_LISTENER_LISTENER_FIXTURE_H_
