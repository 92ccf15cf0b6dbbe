// Small helpers for the metadata statements a change stream runs on plain
// connections (start positions, snapshots, table definitions).
#ifndef SERVER_BINLOG_SQL_UTIL_H_
#define SERVER_BINLOG_SQL_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"

namespace mysqlgw {

// A scalar result value as text ("" for NULL and non-scalar kinds).
inline std::string AsText(const mysqlwire::Value& v) {
  switch (v.kind()) {
    case mysqlwire::Value::Kind::kString:
      return v.as_string();
    case mysqlwire::Value::Kind::kBytes:
      return v.as_bytes();
    case mysqlwire::Value::Kind::kUint64:
      return absl::StrCat(v.as_uint64());
    case mysqlwire::Value::Kind::kInt64:
      return absl::StrCat(v.as_int64());
    case mysqlwire::Value::Kind::kDecimal:
      return v.as_decimal();
    default:
      return "";
  }
}

// Runs `sql` and returns the first row of its first result;
// FAILED_PRECONDITION when there is none.
inline boost::asio::awaitable<absl::StatusOr<std::vector<mysqlwire::Value>>> FirstRow(
    mysqlwire::Connection& conn, const std::string& sql) {
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r = co_await conn.Query(sql);
  if (!r.ok()) co_return r.status();
  if (r->empty() || (*r)[0].rows.empty()) {
    co_return absl::FailedPreconditionError(absl::StrCat(sql, " returned no row"));
  }
  co_return std::move((*r)[0].rows[0]);
}

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_SQL_UTIL_H_
