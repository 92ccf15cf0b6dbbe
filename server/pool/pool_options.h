// Settings and statistics of one connection pool (see connection_pool.h).
// The settings mirror mysqlgw.v1.PoolConfig.
#ifndef SERVER_POOL_POOL_OPTIONS_H_
#define SERVER_POOL_POOL_OPTIONS_H_

#include <chrono>
#include <cstdint>

#include "mysqlwire/connect_options.h"

namespace mysqlgw {

struct PoolOptions {
  // How each connection is opened. connect.connect_timeout also bounds the
  // pool's own commands (liveness ping, session reset, quit), which a healthy
  // server answers at once.
  mysqlwire::ConnectOptions connect;
  // Idle connections kept open once Start() has run.
  uint32_t min_idle = 0;
  // Connections open or being opened, never more. Zero is taken as one.
  uint32_t max_open = 32;
  // Acquire calls that may queue when max_open are in use; beyond that they
  // fail at once with RESOURCE_EXHAUSTED.
  uint32_t max_waiters = 256;
  // An idle connection beyond min_idle is closed after this. Zero: never.
  std::chrono::milliseconds idle_timeout{300000};
  // A connection is closed once this old (at release, or while idle). Zero:
  // never.
  std::chrono::milliseconds max_lifetime{1800000};
  // A connection idle longer than this is pinged before it is lent. Zero:
  // always.
  std::chrono::milliseconds liveness_check_after{5000};
};

// A snapshot; stats() may be read from any thread.
struct PoolStats {
  // Gauges. `open` counts established connections (idle, lent, or being
  // checked or reset); connections still being opened are not included.
  uint32_t open = 0;
  uint32_t idle = 0;
  uint32_t in_use = 0;
  uint32_t waiting = 0;

  // Counters since the pool was created.
  uint64_t connects = 0;          // Successful connects (lazy and min_idle).
  uint64_t connect_failures = 0;
  uint64_t acquired = 0;          // Successful Acquire calls.
  uint64_t wait_timeouts = 0;     // Acquire that queued and hit its deadline.
  uint64_t rejected_full = 0;     // Acquire refused: max_waiters queued.
  uint64_t discarded_broken = 0;  // Released unusable, or Discard().
  uint64_t discarded_lifetime = 0;
  uint64_t discarded_idle = 0;
  uint64_t discarded_reset_failed = 0;
  uint64_t discarded_ping_failed = 0;

  // Time spent queued, for every Acquire that queued (whatever its outcome).
  double wait_seconds_sum = 0;
  uint64_t waits = 0;
};

}  // namespace mysqlgw

#endif  // SERVER_POOL_POOL_OPTIONS_H_
