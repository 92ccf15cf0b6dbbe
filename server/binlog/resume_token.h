// Resume tokens: where a change stream stands after a committed transaction,
// opaque to subscribers. A token holds the binlog file and end position of
// the transaction and, on MariaDB, the GTID state after it (one
// domain-server-seq per replication domain), which survives binlog rotation,
// purges of older files and failover to a replica.
#ifndef SERVER_BINLOG_RESUME_TOKEN_H_
#define SERVER_BINLOG_RESUME_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

struct TableName {
  std::string schema;
  std::string table;
  friend bool operator==(const TableName& a, const TableName& b) {
    return a.schema == b.schema && a.table == b.table;
  }
};

// A snapshot not complete yet. What the subscriber has is the state of the
// tables in `done`, and of the rows of remaining[0] up to `last_key`, as of
// the point's binlog position; the rest is still to be copied.
struct SnapshotCursor {
  std::vector<TableName> done;
  std::vector<TableName> remaining;
  // Serialized v1::Row: remaining[0]'s primary key values of the last row
  // delivered. Empty: none of its rows count as delivered.
  std::string last_key;
  uint32_t progress_rows = 0;
};

struct ResumePoint {
  std::string gtid_state;  // MariaDB "0-1-100,1-2-5"; empty without GTIDs.
  std::string file;
  uint64_t position = 0;
  std::optional<SnapshotCursor> snapshot;
};

std::string EncodeResumeToken(const ResumePoint& point);
// INVALID_ARGUMENT for anything that is not a token this gateway made.
absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_RESUME_TOKEN_H_
