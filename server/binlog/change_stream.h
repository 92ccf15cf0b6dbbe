// One StreamBinlog subscription: resolves where to start, reads the binlog
// over a dedicated replication connection, decodes and converts events, and
// hands batches to a sink, waiting for each to be accepted before reading
// on (so a slow subscriber slows the upstream read instead of growing
// memory).
#ifndef SERVER_BINLOG_CHANGE_STREAM_H_
#define SERVER_BINLOG_CHANGE_STREAM_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlwire/connect_options.h"
#include "server/auth/principal.h"
#include "server/gateway/call_control.h"

namespace mysqlgw {

class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // Sends one serialized StreamBinlogResponse; completes when the transport
  // has taken it.
  virtual boost::asio::awaitable<absl::Status> Write(const std::string& response) = 0;
};

struct ChangeStreamLimits {
  uint32_t default_batch_events = 500;
  uint64_t default_batch_bytes = 256 * 1024;
};

class ChangeStream {
 public:
  ChangeStream(mysqlwire::ConnectOptions backend, v1::StreamBinlogRequest request,
               std::shared_ptr<const Principal> principal, uint32_t replica_server_id,
               ChangeStreamLimits limits = {});

  // Runs until the subscriber goes away (CANCELLED), an UNTIL_NOW stream
  // reaches its end (OK), or an error: INVALID_ARGUMENT for a bad start or
  // filter, FAILED_PRECONDITION when the start position was purged (the
  // message names the oldest available), UNAVAILABLE when the server is
  // lost (resume from the last commit's token).
  boost::asio::awaitable<absl::Status> Run(ChangeSink& sink, CallControl& control);

 private:
  mysqlwire::ConnectOptions backend_;
  v1::StreamBinlogRequest request_;
  std::shared_ptr<const Principal> principal_;
  uint32_t server_id_;
  ChangeStreamLimits limits_;
};

// Server ids for replica connections: random in a high range, never two
// alike among this process's live streams. Release when the stream ends.
uint32_t AcquireReplicaServerId();
void ReleaseReplicaServerId(uint32_t id);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_CHANGE_STREAM_H_
