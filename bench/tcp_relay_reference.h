// HAProxy in TCP mode between a client and MariaDB: a reference for what
// any proxy costs on this machine. It relays bytes and parses nothing (no
// handshake, no statements, no pooling), so what it loses against a direct
// connection is the floor under every MySQL-aware proxy measured the same
// way: the extra socket hops and wake-ups, on cores shared with the client
// and the database.
#ifndef MYSQLGW_BENCH_TCP_RELAY_REFERENCE_H_
#define MYSQLGW_BENCH_TCP_RELAY_REFERENCE_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace mysqlgw::bench {

class TcpRelayReference {
 public:
  // The HAProxy binary: $MYSQLGW_HAPROXY, else haproxy on PATH or in
  // /usr/sbin. NotFound when there is none.
  static absl::StatusOr<std::string> FindHaproxy();

  // Starts HAProxy listening on a free loopback port and relaying to
  // backend_host:backend_port; returns once the port accepts connections.
  // `threads` 0 keeps HAProxy's default (one per CPU).
  static absl::StatusOr<std::unique_ptr<TcpRelayReference>> Start(
      const std::string& backend_host, uint16_t backend_port, int threads = 0);

  ~TcpRelayReference();
  TcpRelayReference(const TcpRelayReference&) = delete;
  TcpRelayReference& operator=(const TcpRelayReference&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  TcpRelayReference() = default;

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;
};

}  // namespace mysqlgw::bench

#endif  // MYSQLGW_BENCH_TCP_RELAY_REFERENCE_H_
