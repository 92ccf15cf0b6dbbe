// A real Prometheus server as a child process, for tests: scrapes the given
// targets every second and answers instant queries over its HTTP API.
//
//   auto prom = PrometheusServer::Start({"127.0.0.1:9464"}, dir);
//   absl::StatusOr<std::string> v = (*prom)->WaitForValue(
//       "mysqlgw_rpc_requests_total", "5", absl::Now() + absl::Seconds(30));
//
// The binary is found in PATH (Debian's `prometheus` package, installed by
// scripts/setup). Stopped with SIGTERM (SIGKILL after 10 s) when destroyed.
#ifndef TESTS_METRICS_PROMETHEUS_SERVER_H_
#define TESTS_METRICS_PROMETHEUS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mysqlgw::testing {

// The absolute path of `name` in PATH; NotFound when it is not there.
absl::StatusOr<std::string> FindInPath(absl::string_view name);

// A loopback TCP port that was free a moment ago.
absl::StatusOr<int> PickFreePort();

// "%XX" for everything but unreserved characters (RFC 3986).
std::string UrlEncode(absl::string_view text);

class PrometheusServer {
 public:
  // Writes its configuration into `dir` (which must exist) and keeps its
  // data and log there. Returns once its HTTP API answers.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(
      const std::vector<std::string>& targets, const std::string& dir,
      absl::Duration timeout = absl::Seconds(20));
  ~PrometheusServer();

  int port() const { return port_; }
  // Prometheus' own log (stderr) so far.
  std::string Log() const;

  // GET /api/v1/query?query=<expr>: the raw JSON answer.
  absl::StatusOr<std::string> QueryJson(absl::string_view expr) const;
  // The value of the first sample of an instant query, or nullopt when the
  // result is empty (nothing scraped yet).
  absl::StatusOr<std::optional<std::string>> QueryValue(absl::string_view expr) const;
  // Polls QueryValue until it returns `expected`. DeadlineExceeded (with the
  // last value seen) past `deadline`.
  absl::Status WaitForValue(absl::string_view expr, absl::string_view expected,
                            absl::Time deadline) const;

  // SIGTERM, then SIGKILL after 10 s; returns the exit status. Idempotent.
  absl::StatusOr<int> Stop();

 private:
  PrometheusServer() = default;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

}  // namespace mysqlgw::testing

#endif  // TESTS_METRICS_PROMETHEUS_SERVER_H_
