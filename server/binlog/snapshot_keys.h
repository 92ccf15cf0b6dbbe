// The pure parts of snapshot starts (snapshot.h): the key-ordered copy
// statement, key comparison, and the catch-up rule that makes a resumed
// snapshot exact. No I/O, so they are unit-tested and fuzzed on their own.
#ifndef SERVER_BINLOG_SNAPSHOT_KEYS_H_
#define SERVER_BINLOG_SNAPSHOT_KEYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlwire/value.h"
#include "server/binlog/resume_token.h"

namespace mysqlgw {

// The statement copying `table` in key order; with `after_key`, only the
// rows after a key of `key_columns.size()` values (as parameters, see
// KeyParameters).
std::string CopyStatement(const TableName& table, const std::vector<std::string>& key_columns,
                          bool after_key);
// The parameters of CopyStatement's key condition for `key`.
absl::StatusOr<std::vector<mysqlwire::Value>> KeyParameters(const v1::Row& key);

// Whether C++ orders these key values as the server does: integers and
// binary strings. Keys of text columns follow collations the gateway does
// not reproduce; their tables restart their copy instead of resuming.
bool KeyComparable(const v1::Row& key);
// Lexicographic comparison of two comparable keys of the same table.
int CompareKeys(const v1::Row& a, const v1::Row& b);

// Which binlog row changes between X and the new snapshot point reach the
// subscriber: those of tables already copied, and those of the table being
// copied whose key is at most its last delivered key. An update moving a
// row across that key becomes a delete (the row leaves what the subscriber
// has) or an insert (it enters it); the copy brings the other side.
class CatchUpFilter {
 public:
  explicit CatchUpFilter(const SnapshotCursor& cursor);
  // Tables outside the snapshot are not this filter's business.
  bool Covers(const std::string& schema, const std::string& table) const;
  // For a row change of a covered table whose key columns are
  // `primary_key` (indexes into the row): false to drop it; may rewrite it.
  // FAILED_PRECONDITION when the key cannot be told.
  absl::StatusOr<bool> Admit(const std::string& schema, const std::string& table,
             const google::protobuf::RepeatedField<uint32_t>& primary_key,
             v1::RowChange* change) const;

 private:
  std::vector<TableName> done_;
  std::vector<TableName> remaining_;
  bool partial_ = false;  // remaining_[0] has delivered rows up to key_.
  v1::Row key_;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_SNAPSHOT_KEYS_H_
