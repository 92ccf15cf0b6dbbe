// Read-your-writes: after a principal writes, its reads go to the primary
// for a while, so it never reads older data from a replica than it just
// wrote (RoutingConfig.read_your_writes_window).
//
// Per principal: the time of its last write and, when the caller knows it,
// the primary's GTID position after that write (a caller may instead pick a
// replica that has reached it). Entries older than the window are forgotten.
//
// Memory is bounded: at most `max_principals` entries. Beyond that the
// expired ones go first, then the oldest writes, so under a flood of
// distinct principals the oldest writers may read from a replica early.
//
// Thread-safe: entries are spread over shards, each with its own mutex, so
// event loops recording writes of different principals rarely meet.
#ifndef SERVER_ROUTING_READ_YOUR_WRITES_H_
#define SERVER_ROUTING_READ_YOUR_WRITES_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mysqlgw {

class ReadYourWrites {
 public:
  using Clock = std::chrono::steady_clock;

  // A zero (or negative) window turns the feature off.
  explicit ReadYourWrites(std::chrono::milliseconds window, size_t max_principals = 100000);
  ReadYourWrites(const ReadYourWrites&) = delete;
  ReadYourWrites& operator=(const ReadYourWrites&) = delete;

  // `primary_gtid`: e.g. MariaDB's gtid_binlog_pos after the write; empty
  // when unknown (a later write without one clears an older one).
  void RecordWrite(absl::string_view principal, Clock::time_point now,
                   absl::string_view primary_gtid = "");

  // The principal wrote less than `window` before `now`.
  bool MustUsePrimary(absl::string_view principal, Clock::time_point now) const;

  // The GTID recorded with that write, while MustUsePrimary holds and one
  // was given.
  std::optional<std::string> PendingGtid(absl::string_view principal,
                                         Clock::time_point now) const;

  // For a configuration reload.
  void set_window(std::chrono::milliseconds window);
  std::chrono::milliseconds window() const {
    return std::chrono::milliseconds(window_ms_.load(std::memory_order_relaxed));
  }

  // Entries held, expired ones included until they are swept.
  size_t size() const;

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    Clock::time_point written;
    std::string gtid;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
    Clock::time_point last_sweep ABSL_GUARDED_BY(mu){};
  };

  Shard& ShardFor(absl::string_view principal) const;
  // Drops entries older than the window; if still at the cap, the oldest.
  void MakeRoom(Shard& shard, Clock::time_point now, std::chrono::milliseconds window)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  std::atomic<int64_t> window_ms_;
  const size_t max_per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_READ_YOUR_WRITES_H_
