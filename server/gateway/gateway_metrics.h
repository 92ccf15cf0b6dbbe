// The gateway's Prometheus metrics: RPCs by method and status code, their
// latency, pools per backend, open change streams, plus process metrics.
// Every counter an RPC touches is resolved once at startup, so recording a
// call is a few atomic adds and takes no lock.
#ifndef SERVER_GATEWAY_GATEWAY_METRICS_H_
#define SERVER_GATEWAY_GATEWAY_METRICS_H_

#include <array>
#include <chrono>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/metrics/registry.h"

namespace mysqlgw {

class Gateway;

enum class RpcMethod {
  kQuery,
  kStreamQuery,
  kExecute,
  kExecuteBatch,
  kBeginTransaction,
  kCommit,
  kRollback,
  kStreamBinlog,
};
inline constexpr int kRpcMethodCount = 8;

class GatewayMetrics {
 public:
  // Registers everything in `registry`; `gateway` must outlive the registry's
  // scrapes (its pool statistics are read at scrape time).
  static absl::StatusOr<std::unique_ptr<GatewayMetrics>> Create(metrics::Registry& registry,
                                                                const Gateway& gateway);

  // Any thread.
  void RecordRpc(RpcMethod method, absl::StatusCode code, std::chrono::steady_clock::duration d);
  void StreamOpened();
  void StreamClosed();

 private:
  GatewayMetrics() = default;

  static constexpr int kCodes = 17;  // absl/gRPC status codes 0..16.
  std::array<std::array<metrics::Counter*, kCodes>, kRpcMethodCount> requests_{};
  std::array<metrics::Histogram*, kRpcMethodCount> durations_{};
  metrics::Gauge* change_streams_ = nullptr;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_GATEWAY_METRICS_H_
