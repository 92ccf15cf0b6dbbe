// A TCP proxy for fault-injection tests: sits between a client (the gateway)
// and a server (MariaDB) on loopback and misbehaves on demand.
//
//   auto proxy = FaultProxy::Start("127.0.0.1", server_port);
//   // point the client at 127.0.0.1:(*proxy)->port()
//   Faults f;
//   f.server_to_client.action = FaultAction::kStall;
//   f.server_to_client.after_bytes = 1000;
//   (*proxy)->SetFaults(f);          // every connection, from now on
//   ...
//   (*proxy)->ClearFaults();         // stalled bytes flow again
//
// Faults apply per direction. A byte-count action fires once `after_bytes`
// more bytes have been forwarded in that direction since the faults took
// effect on the connection (for a connection accepted later: since it was
// accepted): a stall at once, drop, reset and half-close on the first byte
// beyond the count (so an idle connection is hit by its next message).
// Latency and bandwidth apply to every chunk forwarded while they are set.
//
// The proxy runs on its own thread (Boost.Asio). Every method is thread-safe
// and takes effect before it returns. Destroying the proxy closes every
// connection and joins the thread.
#ifndef MYSQLGW_TESTING_FAULT_PROXY_H_
#define MYSQLGW_TESTING_FAULT_PROXY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace mysqlgw::testing {

enum class FaultAction {
  kNone,
  // Blackhole: bytes past the count are read and thrown away; the sockets
  // stay open, so the receiver waits forever.
  kDrop,
  // Both sides get a TCP RST (SO_LINGER 0, then close).
  kReset,
  // Forwarding stops (nothing more is read from the sender, so its writes
  // back up); the sockets stay open. Clearing the fault resumes forwarding
  // with no byte lost.
  kStall,
  // The receiver gets EOF (shutdown of the write side); the other direction
  // keeps working.
  kHalfClose,
};

struct DirectionFaults {
  // Added before each chunk is written.
  std::chrono::milliseconds latency{0};
  // Bytes per second; 0: unlimited.
  uint64_t bytes_per_second = 0;
  FaultAction action = FaultAction::kNone;
  uint64_t after_bytes = 0;
};

struct Faults {
  DirectionFaults client_to_server;
  DirectionFaults server_to_client;
  // New connections are accepted and closed at once (applies only to
  // connections accepted while set).
  bool refuse_new = false;
};

enum class FaultScope {
  kNewConnections,  // Connections accepted from now on.
  kAllConnections,  // Those, and every connection open now.
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 on a free port and forwards each connection to
  // target_host:target_port (a connection whose target cannot be reached is
  // closed).
  static absl::StatusOr<std::unique_ptr<FaultProxy>> Start(std::string target_host,
                                                           uint16_t target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }

  void SetFaults(const Faults& faults, FaultScope scope = FaultScope::kAllConnections);
  // No faults, on every connection (a stalled connection resumes).
  void ClearFaults() { SetFaults(Faults{}, FaultScope::kAllConnections); }
  // Sends RST on both sides of every open connection, now.
  void ResetAll();

  // Connections accepted since the start (refused ones included).
  uint64_t accepted() const { return accepted_.load(); }
  // Connections closed at once because refuse_new was set.
  uint64_t refused() const { return refused_.load(); }
  // Proxied connections currently open (both sides, or still connecting).
  uint64_t active() const { return active_.load(); }
  // Bytes written to the server / to the client, over all connections.
  uint64_t bytes_to_server() const { return bytes_to_server_.load(); }
  uint64_t bytes_to_client() const { return bytes_to_client_.load(); }

 private:
  class Impl;
  friend class Impl;
  FaultProxy() = default;

  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> active_{0};
  std::atomic<uint64_t> bytes_to_server_{0};
  std::atomic<uint64_t> bytes_to_client_{0};
};

}  // namespace mysqlgw::testing

#endif  // MYSQLGW_TESTING_FAULT_PROXY_H_
