// What the reliability tests share: a gateway process with its admin port,
// calls that report how long they took, the pool gauges from /metrics, and
// the leak checks run after every fault.
#ifndef TESTS_RELIABILITY_HARNESS_H_
#define TESTS_RELIABILITY_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::testing {

inline constexpr char kReliabilityToken[] = "reliability-token-0123456789";

struct GatewaySettings {
  std::string backend_host = "127.0.0.1";
  uint16_t backend_port = 0;
  int max_open = 4;
  std::string connect_timeout = "2s";
  // Appended to the config as is (top-level YAML).
  std::string extra;
};

// The gateway config: one primary, one event loop (one pool shard, so the
// gauges and the proxy's connection count compare one to one), the test
// principal with every operation.
std::string ReliabilityConfig(const ServerInfo& server, const GatewaySettings& settings);

// A gateway process plus its admin port.
struct RunningGateway {
  std::unique_ptr<GatewayProcess> process;
  int admin_port = 0;
  std::unique_ptr<v1::Gateway::Stub> stub;
};
absl::StatusOr<RunningGateway> StartReliabilityGateway(const ServerInfo& server,
                                                       const GatewaySettings& settings);

struct CallResult {
  grpc::Status status;
  std::chrono::steady_clock::duration elapsed{};
  v1::QueryResponse response;
};

// Query with a deadline `deadline` from now.
CallResult TimedQuery(v1::Gateway::Stub& stub, const std::string& sql,
                      std::chrono::milliseconds deadline);
// StreamQuery: rows received in total and the final status.
struct StreamResult {
  grpc::Status status;
  std::chrono::steady_clock::duration elapsed{};
  int64_t rows = 0;
};
StreamResult TimedStreamQuery(v1::Gateway::Stub& stub, const std::string& sql,
                              std::chrono::milliseconds deadline);
// Execute (a write unless marked idempotent).
CallResult TimedExecute(v1::Gateway::Stub& stub, const std::string& sql,
                        std::chrono::milliseconds deadline, bool idempotent = false);

struct PoolGauges {
  int64_t open = -1;
  int64_t in_use = -1;
  int64_t waiters = -1;
};
// mysqlgw_pool_* for backend "primary" from /metrics.
absl::StatusOr<PoolGauges> ScrapePool(int admin_port);

// The process exists and is not a zombie (it did not crash or exit).
bool ProcessAlive(pid_t pid);

// Polls `pred` every 100 ms until it holds or `limit` passes.
template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace mysqlgw::testing

#endif  // TESTS_RELIABILITY_HARNESS_H_
