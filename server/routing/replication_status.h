// What a replica says about its replication: SHOW ALL SLAVES STATUS
// (MariaDB, one row per replication connection), SHOW SLAVE STATUS, or
// MySQL 8's SHOW REPLICA STATUS (Replica_* / *_Source column names).
//
// The lag is known only when every connection has both threads running and
// a non-NULL Seconds_Behind_Master; it is then the largest of them. A
// stopped thread or a NULL (broken or restarting replication) leaves it
// unknown, with the reason in `problem`: routing treats that replica as
// unfit for reads rather than guess.
#ifndef SERVER_ROUTING_REPLICATION_STATUS_H_
#define SERVER_ROUTING_REPLICATION_STATUS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

struct ReplicationStatus {
  int connections = 0;  // Rows: 0 when replication is not configured.
  std::optional<std::chrono::seconds> lag;
  std::string problem;  // Why lag is unknown; empty when it is known.
};

// A result without the thread or lag columns, or a value that is not what
// the column holds (e.g. a non-numeric lag), is INVALID_ARGUMENT.
absl::StatusOr<ReplicationStatus> ParseReplicationStatus(
    const mysqlwire::ResultSet& result);

// A text-protocol value as an integer or as text (numbers, strings and bytes
// alike; nullopt for NULL or a value that does not read as one).
std::optional<int64_t> ValueAsInt(const mysqlwire::Value& value);
std::optional<std::string> ValueAsText(const mysqlwire::Value& value);

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_REPLICATION_STATUS_H_
