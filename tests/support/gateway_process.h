// Runs the real mysqlgw binary as a child process for integration tests:
// writes a config file, starts the gateway on a free port, waits until it
// serves, and stops it with SIGTERM (as a supervisor would).
#ifndef TESTS_SUPPORT_GATEWAY_PROCESS_H_
#define TESTS_SUPPORT_GATEWAY_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw::testing {

struct GatewayProcessOptions {
  std::string config_yaml;  // Written to a file and passed as --config.
  std::vector<std::string> extra_args;
  std::vector<std::pair<std::string, std::string>> env;  // Added to ours.
};

class GatewayProcess {
 public:
  static absl::StatusOr<std::unique_ptr<GatewayProcess>> Start(GatewayProcessOptions options);
  ~GatewayProcess();  // SIGTERM, then SIGKILL after 15 s.

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  // Resident memory of the gateway process, in bytes (from /proc).
  absl::StatusOr<size_t> ResidentBytes() const;
  // Open file descriptors of the gateway process.
  absl::StatusOr<size_t> OpenFds() const;
  // Sends SIGTERM and waits; returns the exit status.
  absl::StatusOr<int> Stop();
  // Everything the gateway wrote to stderr so far.
  std::string Log() const;
  // The configuration file the gateway was started with (rewrite it to
  // test hot reload).
  std::string config_path() const { return dir_ + "/config.yaml"; }
  // Sends `signal` (e.g. SIGHUP) to the gateway.
  void Signal(int signal) const;

 private:
  GatewayProcess() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

// sha256 hex of `token`, for test configs.
std::string Sha256Hex(absl::string_view token);

}  // namespace mysqlgw::testing

#endif  // TESTS_SUPPORT_GATEWAY_PROCESS_H_
