// The StreamBinlog subscriptions open now, for /statusz and the change
// stream metrics: who reads, from where, how far they are, how far behind.
//
// A stream registers when it starts and unregisters when its handle is
// destroyed. It reports progress once per batch sent (never per event): a
// per-stream mutex taken once per batch, so the event loop's hot path stays
// as it was. Snapshot() and the totals may be read from any thread.
//
//   StreamRegistry registry;
//   std::unique_ptr<StreamHandle> h = registry.Open(identity);
//   h->Sent(progress);  // After each batch.
//   ... registry.Snapshot() ...
//   h.reset();  // unregistered
#ifndef SERVER_BINLOG_STREAM_REGISTRY_H_
#define SERVER_BINLOG_STREAM_REGISTRY_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/metrics/registry.h"

namespace mysqlgw {

struct StreamIdentity {
  std::string principal;
  std::string peer;  // As gRPC names it ("ipv4:127.0.0.1:51234").
  std::string mode;  // "follow" or "until_now".
  uint32_t replica_server_id = 0;
};

// What a stream has delivered by the end of one batch.
struct StreamProgress {
  uint64_t events = 0;      // Change events in the batch (heartbeats excluded).
  uint64_t heartbeats = 0;  // Heartbeats in the batch.
  uint64_t bytes = 0;       // Serialized size of the batch.
  // Row changes by v1::ChangeKind (insert, update, delete, snapshot), and
  // binlog bytes read from the server for this batch.
  std::array<uint64_t, 5> rows{};
  uint64_t binlog_bytes = 0;
  // The binlog position of the last event that carries one, and the GTID of
  // the last transaction committed (empty without GTIDs).
  std::string file;
  uint64_t position = 0;
  std::string gtid;
  // The binlog timestamp of the last event in the batch (seconds since the
  // epoch; 0: none), and whether the server said it had nothing more
  // (a heartbeat): then the stream is not behind whatever that timestamp.
  uint32_t last_event_timestamp = 0;
  bool caught_up = false;
};

struct StreamStatus {
  uint64_t id = 0;
  StreamIdentity identity;
  absl::Time started;
  absl::Time last_sent;  // InfinitePast: nothing sent yet.
  std::string file;
  uint64_t position = 0;
  std::string gtid;  // Of the last transaction sent.
  // now - timestamp of the last event sent, 0 once caught up; nullopt before
  // any event or heartbeat was sent.
  std::optional<double> seconds_behind;
  uint64_t events_sent = 0;
  uint64_t heartbeats_sent = 0;
  uint64_t batches_sent = 0;
  uint64_t bytes_sent = 0;
};

class StreamRegistry;

// One open stream. Destroying it unregisters the stream. Sent() from the
// stream's own thread; the registry reads under the same mutex.
class StreamHandle {
 public:
  ~StreamHandle();
  StreamHandle(const StreamHandle&) = delete;
  StreamHandle& operator=(const StreamHandle&) = delete;

  void Sent(const StreamProgress& batch);
  uint64_t id() const { return id_; }

 private:
  friend class StreamRegistry;
  StreamHandle(StreamRegistry* registry, uint64_t id, StreamIdentity identity, absl::Time now);
  StreamStatus Status(absl::Time now) const;

  StreamRegistry* const registry_;
  const uint64_t id_;
  mutable std::mutex mu_;
  StreamStatus status_;        // Guarded by mu_ (id and identity are fixed).
  uint32_t last_event_ts_ = 0;  // Guarded by mu_.
  bool caught_up_ = false;      // Guarded by mu_.
  bool any_sent_ = false;       // Guarded by mu_.
};

class StreamRegistry {
 public:
  StreamRegistry() = default;
  // Every handle must be gone first.
  ~StreamRegistry() = default;
  StreamRegistry(const StreamRegistry&) = delete;
  StreamRegistry& operator=(const StreamRegistry&) = delete;

  std::unique_ptr<StreamHandle> Open(StreamIdentity identity);

  // The open streams by id (oldest first), as of `now`.
  std::vector<StreamStatus> Snapshot(absl::Time now = absl::Now()) const;
  size_t open() const;
  // Since start, over every stream, open or closed.
  uint64_t events_sent() const { return events_sent_.load(std::memory_order_relaxed); }
  uint64_t streams_opened() const { return opened_.load(std::memory_order_relaxed); }
  // Lost server connections a stream bridged by reconnecting, and streams
  // started from a resume token.
  void CountReconnect() { reconnects_.fetch_add(1, std::memory_order_relaxed); }
  void CountResume() { resumes_.fetch_add(1, std::memory_order_relaxed); }
  uint64_t rows(int kind) const { return rows_[kind].load(std::memory_order_relaxed); }
  uint64_t binlog_bytes() const { return binlog_bytes_.load(std::memory_order_relaxed); }
  uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
  uint64_t resumes() const { return resumes_.load(std::memory_order_relaxed); }

 private:
  friend class StreamHandle;
  void Close(uint64_t id);

  mutable std::mutex mu_;
  std::map<uint64_t, StreamHandle*> open_;  // Guarded by mu_.
  uint64_t next_id_ = 1;                    // Guarded by mu_.
  std::atomic<uint64_t> events_sent_{0};
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> resumes_{0};
  std::array<std::atomic<uint64_t>, 5> rows_{};
  std::atomic<uint64_t> binlog_bytes_{0};
};

// mysqlgw_change_stream_events_total, mysqlgw_change_stream_reconnects_total,
// mysqlgw_change_stream_resumes_total (counters) and
// mysqlgw_change_stream_lag_seconds (gauge: the most any open stream is
// behind; 0 while none is open or none has sent anything yet).
// `streams` must outlive the registry's scrapes.
absl::Status RegisterStreamMetrics(metrics::Registry& registry, const StreamRegistry& streams);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_STREAM_REGISTRY_H_
