// A caller's identity and what it may do: which databases, which kinds of
// operation (v1::Operation, as classified by server/sql/statement_kind.h).
#ifndef SERVER_AUTH_PRINCIPAL_H_
#define SERVER_AUTH_PRINCIPAL_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

struct Principal {
  std::string name;
  bool all_databases = false;  // databases contained "*".
  // Compared exactly: MySQL database names are case-sensitive on Linux.
  absl::flat_hash_set<std::string> databases;
  uint32_t operations_mask = 0;  // Bit (1 << op) for each allowed v1::Operation.

  static Principal FromConfig(const v1::PrincipalConfig& config);

  // False for OPERATION_UNSPECIFIED and unknown values.
  bool Allows(v1::Operation op) const;
  // An empty name (no default database) is allowed only with "*": such a
  // call can still name any database in its SQL.
  bool AllowsDatabase(absl::string_view database) const;
};

// OK, or PERMISSION_DENIED naming the principal, the operation and the
// database, e.g. "principal 'app' may not perform ddl on database 'sales'".
absl::Status Authorize(const Principal& principal, v1::Operation op, absl::string_view database);

// "read", "write", "ddl", "binlog", "admin" ("unspecified" for the rest).
std::string OperationShortName(v1::Operation op);

}  // namespace mysqlgw

#endif  // SERVER_AUTH_PRINCIPAL_H_
