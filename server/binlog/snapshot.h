// Snapshot starts of StreamBinlog: a consistent copy of tables taken in one
// transaction, the binlog point it corresponds to, and the rule that makes
// the binlog changes around it fit with no gap and no overlap.
//
// State is always "uniform": everything a subscriber has received is the
// state of the database at one binlog point X, for the tables copied so far
// and the rows of the table being copied up to its last delivered key. To
// resume, the gateway takes a new snapshot at P >= X, first sends the
// binlog changes between X and P for exactly those rows (catch-up), and
// then copies the rest at P. After the copy the stream goes on from P.
#ifndef SERVER_BINLOG_SNAPSHOT_H_
#define SERVER_BINLOG_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "google/protobuf/repeated_field.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"
#include "server/binlog/resume_token.h"
#include "server/binlog/snapshot_keys.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {

// Starts a consistent-snapshot transaction on `conn` and returns the binlog
// point it corresponds to (file, position and, on MariaDB, the GTID state).
// MariaDB reports that point for the snapshot itself
// (binlog_snapshot_file/position); MySQL needs a brief global read lock
// (FLUSH TABLES WITH READ LOCK, which requires the RELOAD privilege).
boost::asio::awaitable<absl::StatusOr<ResumePoint>> OpenSnapshot(mysqlwire::Connection& conn);

// The base tables a snapshot copies: those matching one of `patterns`
// ("schema.table" globs; all when empty) that `filter` lets through, in
// schema and name order.
boost::asio::awaitable<absl::StatusOr<std::vector<TableName>>> SnapshotTables(
    mysqlwire::Connection& conn, const google::protobuf::RepeatedPtrField<std::string>& patterns,
    TableFilter& filter);

// Primary key columns of `table`, in key order; empty without one.
boost::asio::awaitable<absl::StatusOr<std::vector<std::string>>> PrimaryKeyColumns(
    mysqlwire::Connection& conn, const TableName& table);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_SNAPSHOT_H_
