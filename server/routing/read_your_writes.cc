#include "server/routing/read_your_writes.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mysqlgw {

ReadYourWrites::ReadYourWrites(std::chrono::milliseconds window, size_t max_principals)
    : window_ms_(window.count()),
      max_per_shard_(std::max<size_t>(1, (max_principals + kShards - 1) / kShards)) {}

ReadYourWrites::Shard& ReadYourWrites::ShardFor(absl::string_view principal) const {
  return shards_[absl::HashOf(principal) % kShards];
}

void ReadYourWrites::set_window(std::chrono::milliseconds window) {
  window_ms_.store(window.count(), std::memory_order_relaxed);
}

void ReadYourWrites::MakeRoom(Shard& shard, Clock::time_point now,
                              std::chrono::milliseconds window) {
  absl::erase_if(shard.entries, [&](const auto& kv) { return now - kv.second.written >= window; });
  shard.last_sweep = now;
  while (shard.entries.size() >= max_per_shard_) {
    auto oldest = shard.entries.begin();
    for (auto it = shard.entries.begin(); it != shard.entries.end(); ++it) {
      if (it->second.written < oldest->second.written) oldest = it;
    }
    shard.entries.erase(oldest);
  }
}

void ReadYourWrites::RecordWrite(absl::string_view principal, Clock::time_point now,
                                 absl::string_view primary_gtid) {
  const std::chrono::milliseconds w = window();
  if (w <= std::chrono::milliseconds::zero()) return;
  Shard& shard = ShardFor(principal);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(principal);
  if (it == shard.entries.end()) {
    // A sweep at most once per window keeps the cost of expiry per write
    // constant on average, and the map no larger than the writers of about
    // two windows.
    if (shard.entries.size() >= max_per_shard_ || now - shard.last_sweep >= w) {
      MakeRoom(shard, now, w);
    }
    it = shard.entries.emplace(std::string(principal), Entry{}).first;
  }
  // Clocks may be read on different threads: keep the latest write.
  it->second.written = std::max(it->second.written, now);
  it->second.gtid = std::string(primary_gtid);
}

bool ReadYourWrites::MustUsePrimary(absl::string_view principal, Clock::time_point now) const {
  const std::chrono::milliseconds w = window();
  if (w <= std::chrono::milliseconds::zero()) return false;
  Shard& shard = ShardFor(principal);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(principal);
  return it != shard.entries.end() && now - it->second.written < w;
}

std::optional<std::string> ReadYourWrites::PendingGtid(absl::string_view principal,
                                                       Clock::time_point now) const {
  const std::chrono::milliseconds w = window();
  if (w <= std::chrono::milliseconds::zero()) return std::nullopt;
  Shard& shard = ShardFor(principal);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(principal);
  if (it == shard.entries.end() || now - it->second.written >= w || it->second.gtid.empty()) {
    return std::nullopt;
  }
  return it->second.gtid;
}

size_t ReadYourWrites::size() const {
  size_t n = 0;
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    n += shard.entries.size();
  }
  return n;
}

}  // namespace mysqlgw
