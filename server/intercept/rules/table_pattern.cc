#include "server/intercept/rules/table_pattern.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mysqlgw {

absl::StatusOr<TablePattern> TablePattern::Parse(absl::string_view pattern) {
  if (pattern.empty()) return absl::InvalidArgumentError("empty table pattern");
  TablePattern out;
  const size_t dot = pattern.find('.');
  if (dot == absl::string_view::npos) {
    out.name_ = std::string(pattern);
    return out;
  }
  if (pattern.find('.', dot + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("table pattern '", pattern, "' has more than one '.'"));
  }
  out.database_ = std::string(pattern.substr(0, dot));
  out.name_ = std::string(pattern.substr(dot + 1));
  if (out.database_.empty() || out.name_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("table pattern '", pattern, "' has an empty database or table part"));
  }
  return out;
}

bool TablePattern::Matches(const TableName& table, absl::string_view default_database) const {
  if (!GlobMatch(name_, table.name)) return false;
  if (database_.empty()) return true;
  absl::string_view database = table.database.empty() ? default_database : table.database;
  return !database.empty() && GlobMatch(database_, database);
}

}  // namespace mysqlgw
