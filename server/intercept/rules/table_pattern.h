// Table patterns of RuleMatch.tables: "t" names a table in any database,
// "db.t" a table in one database; '*' matches any run of characters in
// either part ("sales.*", "*.audit_*", "*"). Names compare case-sensitively,
// as table names do on a Linux server with lower_case_table_names=0.
// Back-quoted names are not understood: a pattern holds at most one '.'.
#ifndef SERVER_INTERCEPT_RULES_TABLE_PATTERN_H_
#define SERVER_INTERCEPT_RULES_TABLE_PATTERN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/util/glob.h"
#include "server/sql/digest.h"

namespace mysqlgw {

class TablePattern {
 public:
  static absl::StatusOr<TablePattern> Parse(absl::string_view pattern);

  // An unqualified `table` is in `default_database`. A qualified pattern
  // never matches a table whose database is unknown (unqualified, no
  // default database).
  bool Matches(const TableName& table, absl::string_view default_database) const;

 private:
  std::string database_;  // Empty: any database.
  std::string name_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_RULES_TABLE_PATTERN_H_
