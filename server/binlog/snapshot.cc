#include "server/binlog/snapshot.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/binlog/sql_util.h"
#include "server/util/glob.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

// SHOW STATUS / SHOW MASTER STATUS rows as name -> value.
asio::awaitable<absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>>> Rows(
    mysqlwire::Connection& conn, const std::string& sql) {
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r = co_await conn.Query(sql);
  if (!r.ok()) co_return r.status();
  if (r->empty()) co_return std::vector<std::vector<mysqlwire::Value>>{};
  co_return std::move((*r)[0].rows);
}

asio::awaitable<absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>>> ExecuteRows(
    mysqlwire::Connection& conn, const std::string& sql, std::vector<mysqlwire::Value> params) {
  absl::StatusOr<mysqlwire::PreparedStatement> stmt = co_await conn.Prepare(sql);
  if (!stmt.ok()) co_return stmt.status();
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r = co_await conn.Execute(*stmt, params);
  (void)co_await conn.CloseStatement(*stmt);
  if (!r.ok()) co_return r.status();
  if (r->empty()) co_return std::vector<std::vector<mysqlwire::Value>>{};
  co_return std::move((*r)[0].rows);
}

}  // namespace

asio::awaitable<absl::StatusOr<ResumePoint>> OpenSnapshot(mysqlwire::Connection& conn) {
  ResumePoint point;
  const bool mariadb = conn.is_mariadb();
  if (!mariadb) {
    // MySQL reports no position for a snapshot: hold writes off while the
    // transaction starts and the position is read.
    if (auto r = co_await conn.Query("FLUSH TABLES WITH READ LOCK"); !r.ok()) co_return r.status();
  }
  if (auto r = co_await conn.Query("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      !r.ok()) {
    co_return r.status();
  }
  if (auto r = co_await conn.Query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      !r.ok()) {
    co_return r.status();
  }
  if (mariadb) {
    absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>> rows =
        co_await Rows(conn, "SHOW STATUS LIKE 'binlog_snapshot_%'");
    if (!rows.ok()) co_return rows.status();
    for (const auto& row : *rows) {
      if (row.size() < 2) continue;
      const std::string name = AsText(row[0]);
      if (name == "Binlog_snapshot_file") point.file = AsText(row[1]);
      if (name == "Binlog_snapshot_position") {
        (void)absl::SimpleAtoi(AsText(row[1]), &point.position);
      }
    }
    if (point.file.empty()) {
      co_return absl::FailedPreconditionError(
          "the server reports no binlog position for the snapshot (is the binary log on?)");
    }
    // (Named, not a braced list: GCC 12 cannot keep an initializer_list
    // in a coroutine frame.)
    std::vector<mysqlwire::Value> params;
    params.push_back(mysqlwire::Value::String(point.file));
    params.push_back(mysqlwire::Value::Uint64(point.position));
    absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>> gtid =
        co_await ExecuteRows(conn, "SELECT BINLOG_GTID_POS(?, ?)", std::move(params));
    if (gtid.ok() && !gtid->empty() && !(*gtid)[0].empty()) point.gtid_state = AsText((*gtid)[0][0]);
  } else {
    absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>> rows =
        co_await Rows(conn, "SHOW MASTER STATUS");
    (void)co_await conn.Query("UNLOCK TABLES");
    if (!rows.ok()) co_return rows.status();
    if (rows->empty() || (*rows)[0].size() < 2) {
      co_return absl::FailedPreconditionError("SHOW MASTER STATUS returned nothing (binary log off?)");
    }
    point.file = AsText((*rows)[0][0]);
    (void)absl::SimpleAtoi(AsText((*rows)[0][1]), &point.position);
  }
  co_return point;
}

asio::awaitable<absl::StatusOr<std::vector<TableName>>> SnapshotTables(
    mysqlwire::Connection& conn, const google::protobuf::RepeatedPtrField<std::string>& patterns,
    TableFilter& filter) {
  absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>> rows = co_await Rows(
      conn,
      "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE "
      "TABLE' AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', "
      "'sys') ORDER BY TABLE_SCHEMA, TABLE_NAME");
  if (!rows.ok()) co_return rows.status();
  std::vector<TableName> tables;
  for (const auto& row : *rows) {
    if (row.size() < 2) continue;
    TableName t{AsText(row[0]), AsText(row[1])};
    const std::string full = absl::StrCat(t.schema, ".", t.table);
    const bool wanted =
        patterns.empty() || std::any_of(patterns.begin(), patterns.end(),
                                        [&](const std::string& p) { return GlobMatch(p, full); });
    if (wanted && filter.Allows(t.schema, t.table)) tables.push_back(std::move(t));
  }
  co_return tables;
}

asio::awaitable<absl::StatusOr<std::vector<std::string>>> PrimaryKeyColumns(
    mysqlwire::Connection& conn, const TableName& table) {
  std::vector<mysqlwire::Value> params;
  params.push_back(mysqlwire::Value::String(table.schema));
  params.push_back(mysqlwire::Value::String(table.table));
  absl::StatusOr<std::vector<std::vector<mysqlwire::Value>>> rows = co_await ExecuteRows(
      conn,
      "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND "
      "TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
      std::move(params));
  if (!rows.ok()) co_return rows.status();
  std::vector<std::string> columns;
  for (const auto& row : *rows) {
    if (!row.empty()) columns.push_back(AsText(row[0]));
  }
  co_return columns;
}

}  // namespace mysqlgw
