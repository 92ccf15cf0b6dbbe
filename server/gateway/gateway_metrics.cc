#include "server/gateway/gateway_metrics.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "server/gateway/gateway.h"
#include "server/metrics/metrics.h"

namespace mysqlgw {
namespace {

constexpr const char* kMethodNames[kRpcMethodCount] = {
    "Query", "StreamQuery", "Execute", "ExecuteBatch", "BeginTransaction",
    "Commit", "Rollback", "StreamBinlog"};

// gRPC's code names, as Prometheus users know them from other gRPC servers.
std::string CodeName(int code) {
  return absl::AsciiStrToUpper(absl::StatusCodeToString(static_cast<absl::StatusCode>(code)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayMetrics>> GatewayMetrics::Create(
    metrics::Registry& registry, const Gateway& gateway) {
  std::unique_ptr<GatewayMetrics> m(new GatewayMetrics());
  absl::StatusOr<metrics::Family<metrics::Counter>*> requests = registry.AddCounter(
      "mysqlgw_rpc_requests_total", "gRPC calls served, by method and status code.",
      {"method", "code"});
  if (!requests.ok()) return requests.status();
  absl::StatusOr<metrics::Family<metrics::Histogram>*> durations = registry.AddHistogram(
      "mysqlgw_rpc_duration_seconds", "Time from a call's arrival to its status, by method.",
      {"method"}, metrics::LatencyBuckets());
  if (!durations.ok()) return durations.status();
  for (int method = 0; method < kRpcMethodCount; ++method) {
    for (int code = 0; code < kCodes; ++code) {
      m->requests_[method][code] = &(*requests)->WithLabels({kMethodNames[method], CodeName(code)});
    }
    m->durations_[method] = &(*durations)->WithLabels({kMethodNames[method]});
  }
  absl::StatusOr<metrics::Family<metrics::Gauge>*> streams = registry.AddGauge(
      "mysqlgw_change_streams_open", "StreamBinlog subscriptions currently open.");
  if (!streams.ok()) return streams.status();
  m->change_streams_ = &(*streams)->WithLabels({});

  const Gateway* gw = &gateway;
  auto pool_gauge = [gw](auto pick) {
    return [gw, pick]() {
      std::vector<metrics::LabeledValue> out;
      for (const auto& [backend, stats] : gw->PoolStatistics()) {
        out.push_back(metrics::LabeledValue{{backend}, static_cast<double>(pick(stats))});
      }
      return out;
    };
  };
  struct Spec {
    metrics::MetricType type;
    const char* name;
    const char* help;
    std::function<std::vector<metrics::LabeledValue>()> collect;
  };
  const Spec specs[] = {
      {metrics::MetricType::kGauge, "mysqlgw_pool_connections_open",
       "Backend connections open, per backend.",
       pool_gauge([](const PoolStats& s) { return s.open; })},
      {metrics::MetricType::kGauge, "mysqlgw_pool_connections_in_use",
       "Backend connections lent to calls, per backend.",
       pool_gauge([](const PoolStats& s) { return s.in_use; })},
      {metrics::MetricType::kGauge, "mysqlgw_pool_waiters",
       "Calls waiting for a backend connection, per backend.",
       pool_gauge([](const PoolStats& s) { return s.waiting; })},
      {metrics::MetricType::kCounter, "mysqlgw_pool_connects_total",
       "Backend connections opened, per backend.",
       pool_gauge([](const PoolStats& s) { return s.connects; })},
      {metrics::MetricType::kCounter, "mysqlgw_pool_connect_failures_total",
       "Backend connection attempts that failed, per backend.",
       pool_gauge([](const PoolStats& s) { return s.connect_failures; })},
      {metrics::MetricType::kCounter, "mysqlgw_pool_waits_total",
       "Calls that queued for a backend connection, per backend.",
       pool_gauge([](const PoolStats& s) { return s.waits; })},
      {metrics::MetricType::kCounter, "mysqlgw_pool_wait_seconds_total",
       "Time calls spent queued for a backend connection, per backend.",
       pool_gauge([](const PoolStats& s) { return s.wait_seconds_sum; })},
      {metrics::MetricType::kCounter, "mysqlgw_pool_wait_timeouts_total",
       "Calls that queued for a backend connection until their deadline, per backend.",
       pool_gauge([](const PoolStats& s) { return s.wait_timeouts; })},
  };
  for (const Spec& spec : specs) {
    if (absl::Status s = registry.AddCallback(spec.type, spec.name, spec.help, {"backend"},
                                              spec.collect);
        !s.ok()) {
      return s;
    }
  }
  return m;
}

void GatewayMetrics::RecordRpc(RpcMethod method, absl::StatusCode code,
                               std::chrono::steady_clock::duration d) {
  const int m = static_cast<int>(method);
  int c = static_cast<int>(code);
  if (c < 0 || c >= kCodes) c = static_cast<int>(absl::StatusCode::kUnknown);
  requests_[m][c]->Increment();
  durations_[m]->Observe(std::chrono::duration<double>(d).count());
}

void GatewayMetrics::StreamOpened() { change_streams_->Increment(); }
void GatewayMetrics::StreamClosed() { change_streams_->Decrement(); }

}  // namespace mysqlgw
