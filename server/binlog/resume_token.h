// Resume tokens: where a change stream stands after a committed transaction,
// opaque to subscribers. A token holds the binlog file and end position of
// the transaction and, on MariaDB, the GTID state after it (one
// domain-server-seq per replication domain), which survives binlog rotation,
// purges of older files and failover to a replica.
#ifndef SERVER_BINLOG_RESUME_TOKEN_H_
#define SERVER_BINLOG_RESUME_TOKEN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

struct ResumePoint {
  std::string gtid_state;  // MariaDB "0-1-100,1-2-5"; empty without GTIDs.
  std::string file;
  uint64_t position = 0;
};

std::string EncodeResumeToken(const ResumePoint& point);
// INVALID_ARGUMENT for anything that is not a token this gateway made.
absl::StatusOr<ResumePoint> DecodeResumeToken(absl::string_view token);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_RESUME_TOKEN_H_
