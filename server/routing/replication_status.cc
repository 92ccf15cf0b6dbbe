#include "server/routing/replication_status.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/value.h"

namespace mysqlgw {
namespace {

using mysqlwire::Value;

// The first column named any of `names` (MariaDB / MySQL spellings).
std::optional<size_t> FindColumn(const mysqlwire::ResultSet& result,
                                 std::initializer_list<absl::string_view> names) {
  for (size_t i = 0; i < result.columns.size(); ++i) {
    for (absl::string_view name : names) {
      if (absl::EqualsIgnoreCase(result.columns[i].name, name)) return i;
    }
  }
  return std::nullopt;
}

// Last_*_Error may be long (a whole failed statement); a log line needs
// the start of it.
std::string Shorten(absl::string_view text) {
  constexpr size_t kMax = 200;
  if (text.size() <= kMax) return std::string(text);
  return absl::StrCat(text.substr(0, kMax), "...");
}

}  // namespace

std::optional<int64_t> ValueAsInt(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kInt64:
      return value.as_int64();
    case Value::Kind::kUint64:
      if (value.as_uint64() >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<int64_t>(value.as_uint64());
    case Value::Kind::kDecimal:
    case Value::Kind::kString:
    case Value::Kind::kBytes: {
      std::optional<std::string> text = ValueAsText(value);
      int64_t out = 0;
      if (text && absl::SimpleAtoi(*text, &out)) return out;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::string> ValueAsText(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return std::nullopt;
    case Value::Kind::kString:
      return value.as_string();
    case Value::Kind::kBytes:
      return value.as_bytes();
    case Value::Kind::kDecimal:
      return value.as_decimal();
    case Value::Kind::kInt64:
      return absl::StrCat(value.as_int64());
    case Value::Kind::kUint64:
      return absl::StrCat(value.as_uint64());
    default:
      return value.DebugString();
  }
}

absl::StatusOr<ReplicationStatus> ParseReplicationStatus(
    const mysqlwire::ResultSet& result) {
  const std::optional<size_t> io =
      FindColumn(result, {"Slave_IO_Running", "Replica_IO_Running"});
  const std::optional<size_t> sql =
      FindColumn(result, {"Slave_SQL_Running", "Replica_SQL_Running"});
  const std::optional<size_t> behind =
      FindColumn(result, {"Seconds_Behind_Master", "Seconds_Behind_Source"});
  if (!io || !sql || !behind) {
    return absl::InvalidArgumentError(
        "replication status lacks the thread or Seconds_Behind_Master columns");
  }
  const std::optional<size_t> name = FindColumn(result, {"Connection_name", "Channel_Name"});
  const std::optional<size_t> io_error = FindColumn(result, {"Last_IO_Error"});
  const std::optional<size_t> sql_error = FindColumn(result, {"Last_SQL_Error"});

  ReplicationStatus status;
  status.connections = static_cast<int>(result.rows.size());
  if (result.rows.empty()) {
    status.problem = "replication is not configured";
    return status;
  }
  std::chrono::seconds worst{0};
  for (const std::vector<Value>& row : result.rows) {
    if (row.size() != result.columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "replication status row has ", row.size(), " values for ",
          result.columns.size(), " columns"));
    }
    auto text = [&row](std::optional<size_t> column) {
      if (!column) return std::string();
      return ValueAsText(row[*column]).value_or("");
    };
    const std::string where =
        name && !text(name).empty() ? absl::StrCat(" (connection '", text(name), "')") : "";
    // "Connecting" (the primary is unreachable) counts as not running.
    if (text(io) != "Yes") {
      status.problem = absl::StrCat("I/O thread ", text(io).empty() ? "?" : text(io), where,
                                    text(io_error).empty() ? "" : ": ",
                                    Shorten(text(io_error)));
      return status;
    }
    if (text(sql) != "Yes") {
      status.problem = absl::StrCat("SQL thread ", text(sql).empty() ? "?" : text(sql), where,
                                    text(sql_error).empty() ? "" : ": ",
                                    Shorten(text(sql_error)));
      return status;
    }
    const Value& lag = row[*behind];
    if (lag.is_null()) {
      status.problem = absl::StrCat("Seconds_Behind_Master is NULL", where);
      return status;
    }
    const std::optional<int64_t> seconds = ValueAsInt(lag);
    if (!seconds || *seconds < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Seconds_Behind_Master is not a lag: ", lag.DebugString()));
    }
    worst = std::max(worst, std::chrono::seconds(*seconds));
  }
  status.lag = worst;
  return status;
}

}  // namespace mysqlgw
