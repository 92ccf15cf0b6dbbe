// One StreamBinlog subscription: resolves where to start, reads the binlog
// over a dedicated replication connection, decodes and converts events, and
// hands batches to a sink, waiting for each to be accepted before reading
// on (so a slow subscriber slows the upstream read instead of growing
// memory).
#ifndef SERVER_BINLOG_CHANGE_STREAM_H_
#define SERVER_BINLOG_CHANGE_STREAM_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlwire/connect_options.h"
#include "server/auth/principal.h"
#include "server/binlog/response_batch.h"
#include "server/binlog/stream_registry.h"
#include "server/gateway/call_control.h"

namespace mysqlgw {

struct ChangeStreamLimits {
  uint32_t default_batch_events = 500;
  uint64_t default_batch_bytes = 256 * 1024;
  // Reconnecting after the server connection is lost (see BinlogConfig):
  // for up to this long per outage; zero turns it off.
  std::chrono::milliseconds reconnect_timeout{60000};
  std::chrono::milliseconds reconnect_initial_backoff{100};
  // Called on each reconnection attempt (metrics); may be empty.
  std::function<void()> on_reconnect;
};

class ChangeStream {
 public:
  ChangeStream(mysqlwire::ConnectOptions backend, v1::StreamBinlogRequest request,
               std::shared_ptr<const Principal> principal, uint32_t replica_server_id,
               ChangeStreamLimits limits = {});

  // Runs until the subscriber goes away (CANCELLED), an UNTIL_NOW stream
  // reaches its end (OK), or an error: INVALID_ARGUMENT for a bad start or
  // filter, FAILED_PRECONDITION when the start position was purged (the
  // message names the oldest available), UNAVAILABLE when the server stays
  // unreachable longer than limits.reconnect_timeout (resume from the last
  // commit's token). Shorter outages are bridged: StreamStatus events mark
  // them and the stream goes on after the last event delivered.
  boost::asio::awaitable<absl::Status> Run(ChangeSink& sink, CallControl& control);

  // Where to report progress after each batch sent (/statusz); may be null.
  // Must outlive Run.
  void set_progress(StreamHandle* progress) { progress_ = progress; }

 private:
  mysqlwire::ConnectOptions backend_;
  v1::StreamBinlogRequest request_;
  std::shared_ptr<const Principal> principal_;
  uint32_t server_id_;
  ChangeStreamLimits limits_;
  StreamHandle* progress_ = nullptr;
};

// Server ids for replica connections: random in a high range, never two
// alike among this process's live streams. Release when the stream ends.
uint32_t AcquireReplicaServerId();
void ReleaseReplicaServerId(uint32_t id);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_CHANGE_STREAM_H_
