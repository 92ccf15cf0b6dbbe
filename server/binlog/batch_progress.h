// What one StreamBinlog batch tells about its stream's progress (for the
// stream registry, /statusz): read from the response about to be sent, so
// the stream's read loop needs no bookkeeping of its own.
#ifndef SERVER_BINLOG_BATCH_PROGRESS_H_
#define SERVER_BINLOG_BATCH_PROGRESS_H_

#include <cstdint>

#include "mysqlgw/v1/binlog.pb.h"
#include "server/binlog/stream_registry.h"

namespace mysqlgw {

// Change events (schemas, begins, rows, DDL, commits) and heartbeats are
// counted; connection status events are neither. The position is that of
// the last event carrying one (commit, heartbeat, status); the GTID and
// timestamp those of the last commit (or begin, for a transaction split
// across batches). A heartbeat means the stream has caught up.
StreamProgress SummarizeBatch(const v1::StreamBinlogResponse& batch, uint64_t serialized_bytes);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_BATCH_PROGRESS_H_
