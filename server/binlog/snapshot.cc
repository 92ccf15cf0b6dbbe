#include "server/binlog/snapshot.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/binlog/sql_util.h"
#include "server/convert/value_convert.h"
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

bool SameTable(const TableName& t, const std::string& schema, const std::string& table) {
  return t.schema == schema && t.table == table;
}

// The key of a row image: its primary key columns' values.
bool KeyOf(const v1::RowImage& image, const google::protobuf::RepeatedField<uint32_t>& primary_key,
           v1::Row* key) {
  if (image.values_size() == 0 || primary_key.empty()) return false;
  for (uint32_t i : primary_key) {
    if (static_cast<int>(i) >= image.values_size()) return false;
    for (uint32_t a : image.absent()) {
      if (a == i) return false;
    }
    *key->add_values() = image.values(static_cast<int>(i));
  }
  return true;
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

std::string CopyStatement(const TableName& table, const std::vector<std::string>& key_columns,
                          bool after_key) {
  std::vector<std::string> quoted;
  for (const std::string& c : key_columns) quoted.push_back(QuoteIdentifier(c));
  std::string sql = absl::StrCat("SELECT * FROM ", QuoteIdentifier(table.schema), ".",
                                 QuoteIdentifier(table.table));
  if (after_key && !quoted.empty()) {
    // (a > ?) OR (a = ? AND b > ?) OR ...: the expanded form of
    // (a, b) > (?, ?), which every server version can serve from the key.
    std::vector<std::string> terms;
    for (size_t i = 0; i < quoted.size(); ++i) {
      std::vector<std::string> parts;
      for (size_t j = 0; j < i; ++j) parts.push_back(absl::StrCat(quoted[j], " = ?"));
      parts.push_back(absl::StrCat(quoted[i], " > ?"));
      terms.push_back(absl::StrCat("(", absl::StrJoin(parts, " AND "), ")"));
    }
    absl::StrAppend(&sql, " WHERE ", absl::StrJoin(terms, " OR "));
  }
  if (!quoted.empty()) absl::StrAppend(&sql, " ORDER BY ", absl::StrJoin(quoted, ", "));
  return sql;
}

absl::StatusOr<std::vector<mysqlwire::Value>> KeyParameters(const v1::Row& key) {
  std::vector<mysqlwire::Value> values;
  for (const v1::Value& v : key.values()) {
    absl::StatusOr<mysqlwire::Value> converted = FromProto(v);
    if (!converted.ok()) return converted.status();
    values.push_back(*std::move(converted));
  }
  // Term i of CopyStatement's condition uses values 0..i.
  std::vector<mysqlwire::Value> params;
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j <= i; ++j) params.push_back(values[j]);
  }
  return params;
}

bool KeyComparable(const v1::Row& key) {
  if (key.values_size() == 0) return false;
  return std::all_of(key.values().begin(), key.values().end(), [](const v1::Value& v) {
    return v.kind_case() == v1::Value::kInt64 || v.kind_case() == v1::Value::kUint64 ||
           v.kind_case() == v1::Value::kBytes;
  });
}

int CompareKeys(const v1::Row& a, const v1::Row& b) {
  const int n = std::min(a.values_size(), b.values_size());
  for (int i = 0; i < n; ++i) {
    const v1::Value& x = a.values(i);
    const v1::Value& y = b.values(i);
    int c = 0;
    if (x.kind_case() == v1::Value::kInt64 && y.kind_case() == v1::Value::kInt64) {
      c = x.int64() < y.int64() ? -1 : (x.int64() > y.int64() ? 1 : 0);
    } else if (x.kind_case() == v1::Value::kUint64 && y.kind_case() == v1::Value::kUint64) {
      c = x.uint64() < y.uint64() ? -1 : (x.uint64() > y.uint64() ? 1 : 0);
    } else if (x.kind_case() == v1::Value::kBytes && y.kind_case() == v1::Value::kBytes) {
      c = x.bytes().compare(y.bytes());
      c = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else {
      // Mixed kinds within one column (a signed value that does not fit,
      // or a NULL): order by kind so the comparison stays total.
      c = x.kind_case() < y.kind_case() ? -1 : (x.kind_case() > y.kind_case() ? 1 : 0);
    }
    if (c != 0) return c;
  }
  return a.values_size() < b.values_size() ? -1 : (a.values_size() > b.values_size() ? 1 : 0);
}

CatchUpFilter::CatchUpFilter(const SnapshotCursor& cursor)
    : done_(cursor.done), remaining_(cursor.remaining) {
  partial_ = !remaining_.empty() && !cursor.last_key.empty() &&
             key_.ParseFromString(cursor.last_key) && KeyComparable(key_);
}

bool CatchUpFilter::Covers(const std::string& schema, const std::string& table) const {
  auto match = [&](const TableName& t) { return SameTable(t, schema, table); };
  return std::any_of(done_.begin(), done_.end(), match) ||
         std::any_of(remaining_.begin(), remaining_.end(), match);
}

absl::StatusOr<bool> CatchUpFilter::Admit(const std::string& schema, const std::string& table,
                                          const google::protobuf::RepeatedField<uint32_t>& primary_key,
                                          v1::RowChange* change) const {
  for (const TableName& t : done_) {
    if (SameTable(t, schema, table)) return true;
  }
  if (!partial_ || !SameTable(remaining_[0], schema, table)) return false;
  if (primary_key.size() != key_.values_size()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot resume the snapshot of ", schema, ".", table,
        ": the binlog does not name its primary key columns (binlog_row_metadata=FULL is "
        "needed to resume a table's copy; start a new snapshot instead)"));
  }
  v1::Row before_key, after_key;
  const bool has_before = change->has_before() && KeyOf(change->before(), primary_key, &before_key);
  const bool has_after = change->has_after() && KeyOf(change->after(), primary_key, &after_key);
  const bool before_in = has_before && CompareKeys(before_key, key_) <= 0;
  const bool after_in = has_after && CompareKeys(after_key, key_) <= 0;
  switch (change->kind()) {
    case v1::CHANGE_KIND_INSERT:
      return after_in;
    case v1::CHANGE_KIND_DELETE:
      return before_in;
    case v1::CHANGE_KIND_UPDATE:
      if (!has_before) return after_in;  // Before-images omitted: the key did not move.
      if (before_in && after_in) return true;
      if (before_in) {  // The row leaves the delivered range.
        change->set_kind(v1::CHANGE_KIND_DELETE);
        change->clear_after();
        return true;
      }
      if (after_in) {  // The row enters it.
        change->set_kind(v1::CHANGE_KIND_INSERT);
        change->clear_before();
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace mysqlgw
