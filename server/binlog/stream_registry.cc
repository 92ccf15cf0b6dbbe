#include "server/binlog/stream_registry.h"

#include <algorithm>
#include <utility>

namespace mysqlgw {

StreamHandle::StreamHandle(StreamRegistry* registry, uint64_t id, StreamIdentity identity,
                           absl::Time now)
    : registry_(registry), id_(id) {
  status_.id = id;
  status_.identity = std::move(identity);
  status_.started = now;
  status_.last_sent = absl::InfinitePast();
}

StreamHandle::~StreamHandle() { registry_->Close(id_); }

void StreamHandle::Sent(const StreamProgress& batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_.last_sent = absl::Now();
    if (!batch.file.empty()) {
      status_.file = batch.file;
      status_.position = batch.position;
    }
    if (!batch.gtid.empty()) status_.gtid = batch.gtid;
    status_.events_sent += batch.events;
    status_.heartbeats_sent += batch.heartbeats;
    status_.bytes_sent += batch.bytes;
    ++status_.batches_sent;
    if (batch.last_event_timestamp != 0) last_event_ts_ = batch.last_event_timestamp;
    // A heartbeat means the server had nothing newer; new events mean the
    // stream may be behind again until the next one.
    if (batch.caught_up) {
      caught_up_ = true;
    } else if (batch.events > 0) {
      caught_up_ = false;
    }
    any_sent_ = true;
  }
  registry_->events_sent_.fetch_add(batch.events, std::memory_order_relaxed);
  for (size_t k = 0; k < batch.rows.size(); ++k) {
    if (batch.rows[k] != 0) registry_->rows_[k].fetch_add(batch.rows[k], std::memory_order_relaxed);
  }
  registry_->binlog_bytes_.fetch_add(batch.binlog_bytes, std::memory_order_relaxed);
}

StreamStatus StreamHandle::Status(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  StreamStatus out = status_;
  if (caught_up_) {
    out.seconds_behind = 0;
  } else if (last_event_ts_ != 0) {
    // Binlog timestamps have a one-second resolution, and the clocks of the
    // server and the gateway may differ a little: never negative.
    out.seconds_behind =
        std::max(0.0, absl::ToDoubleSeconds(now - absl::FromUnixSeconds(last_event_ts_)));
  } else if (any_sent_) {
    out.seconds_behind = 0;
  }
  return out;
}

std::unique_ptr<StreamHandle> StreamRegistry::Open(StreamIdentity identity) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t id = next_id_++;
  std::unique_ptr<StreamHandle> handle(
      new StreamHandle(this, id, std::move(identity), absl::Now()));
  open_.emplace(id, handle.get());
  opened_.fetch_add(1, std::memory_order_relaxed);
  return handle;
}

void StreamRegistry::Close(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(id);
}

std::vector<StreamStatus> StreamRegistry::Snapshot(absl::Time now) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StreamStatus> out;
  out.reserve(open_.size());
  for (const auto& [id, handle] : open_) out.push_back(handle->Status(now));
  return out;
}

size_t StreamRegistry::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

absl::Status RegisterStreamMetrics(metrics::Registry& registry, const StreamRegistry& streams) {
  const StreamRegistry* s = &streams;
  if (absl::Status status = registry.AddCallbackCounter(
          "mysqlgw_change_stream_events_total",
          "Change events sent to StreamBinlog subscribers (heartbeats excluded).",
          [s] { return static_cast<double>(s->events_sent()); });
      !status.ok()) {
    return status;
  }
  if (absl::Status status = registry.AddCallback(
          metrics::MetricType::kCounter, "mysqlgw_change_stream_rows_total",
          "Row changes sent to StreamBinlog subscribers, by kind (snapshot: rows of a "
          "snapshot copy).",
          {"kind"},
          [s] {
            static constexpr const char* kKinds[] = {"unspecified", "insert", "update", "delete",
                                                     "snapshot"};
            std::vector<metrics::LabeledValue> out;
            for (int k = 1; k < 5; ++k) {
              out.push_back({{kKinds[k]}, static_cast<double>(s->rows(k))});
            }
            return out;
          });
      !status.ok()) {
    return status;
  }
  if (absl::Status status = registry.AddCallbackCounter(
          "mysqlgw_change_stream_binlog_bytes_total",
          "Binlog bytes StreamBinlog subscriptions read from the server (events as received, "
          "before filtering).",
          [s] { return static_cast<double>(s->binlog_bytes()); });
      !status.ok()) {
    return status;
  }
  if (absl::Status status = registry.AddCallbackCounter(
          "mysqlgw_change_stream_reconnects_total",
          "Lost server connections StreamBinlog subscriptions bridged by reconnecting.",
          [s] { return static_cast<double>(s->reconnects()); });
      !status.ok()) {
    return status;
  }
  if (absl::Status status = registry.AddCallbackCounter(
          "mysqlgw_change_stream_resumes_total",
          "StreamBinlog subscriptions started from a resume token.",
          [s] { return static_cast<double>(s->resumes()); });
      !status.ok()) {
    return status;
  }
  return registry.AddCallback(
      metrics::MetricType::kGauge, "mysqlgw_change_stream_lag_seconds",
      "How far behind the binlog's head the most lagging open StreamBinlog subscription is "
      "(now minus the timestamp of the last event sent; 0 once caught up, or with no stream "
      "open).",
      {}, [s] {
        double worst = 0;
        for (const StreamStatus& st : s->Snapshot()) {
          worst = std::max(worst, st.seconds_behind.value_or(0.0));
        }
        return std::vector<metrics::LabeledValue>{{{}, worst}};
      });
}

}  // namespace mysqlgw
