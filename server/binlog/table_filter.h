// Which tables a change stream delivers: the subscriber's include/exclude
// globs over "schema.table", within the databases its principal may read.
#ifndef SERVER_BINLOG_TABLE_FILTER_H_
#define SERVER_BINLOG_TABLE_FILTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "server/util/glob.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "server/auth/principal.h"

namespace mysqlgw {

class TableFilter {
 public:
  TableFilter(const v1::BinlogFilter& filter, std::shared_ptr<const Principal> principal);

  // Rows and DDL of this table may be delivered. Cached per table.
  bool Allows(absl::string_view schema, absl::string_view table);
  // The schema alone (for DDL whose table is not known).
  bool AllowsSchema(absl::string_view schema) const;

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
  std::shared_ptr<const Principal> principal_;
  absl::flat_hash_map<std::string, bool> cache_;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_TABLE_FILTER_H_
