// Database size quotas (interception.database_quotas). The gateway measures
// the configured databases periodically (QuotaQuery, then ApplyQuotaRows);
// while a database is at or over its max_bytes, writes touching it are
// rejected and reads and deletes go on, so that space can be freed.
//
// A database not yet measured (just configured, or the query failed) is not
// enforced: a broken measurement must not stop every write. Sizes are
// information_schema's data_length + index_length, which InnoDB updates
// lazily, so enforcement trails the real size by up to a refresh interval
// plus the statistics' own delay; it is a guard against runaway growth, not
// an exact cap.
//
// Thread-safe: the set of databases is fixed at Create; sizes are atomics.
#ifndef SERVER_INTERCEPT_LIMITS_DATABASE_QUOTA_H_
#define SERVER_INTERCEPT_LIMITS_DATABASE_QUOTA_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

class DatabaseQuota {
 public:
  struct Usage {
    uint64_t max_bytes = 0;
    std::optional<uint64_t> used_bytes;  // nullopt until measured.
  };

  // Validates interception.database_quotas (INVALID_ARGUMENT lists every
  // problem). `previous`: the quotas being replaced; sizes it measured carry
  // over for databases still configured, so a reload opens no window in
  // which an over-quota database takes writes.
  static absl::StatusOr<std::shared_ptr<DatabaseQuota>> Create(
      const v1::InterceptionConfig& config, const DatabaseQuota* previous = nullptr);

  // In configuration order.
  const std::vector<std::string>& databases() const { return names_; }
  // How often to measure: the smallest configured refresh_interval (60s
  // when unset).
  std::chrono::milliseconds refresh_interval() const { return refresh_interval_; }

  // Records a measured size; ignored for a database without a quota.
  void Update(absl::string_view database, uint64_t bytes);
  std::optional<Usage> UsageOf(absl::string_view database) const;
  // Measured and at or over max_bytes.
  bool IsOver(absl::string_view database) const;

 private:
  // UINT64_MAX in `used`: not measured.
  static constexpr uint64_t kUnmeasured = ~uint64_t{0};
  struct Entry {
    uint64_t max_bytes = 0;
    std::atomic<uint64_t> used{kUnmeasured};
  };

  DatabaseQuota() = default;
  // Sizes are atomics, so updating one does not make the quota mutable.
  Entry* Find(absl::string_view database) const;

  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, std::unique_ptr<Entry>> entries_;
  std::chrono::milliseconds refresh_interval_{60000};
};

// The measuring statement, one row per configured database that has tables:
//   SELECT table_schema, COALESCE(SUM(data_length + index_length), 0)
//   FROM information_schema.tables WHERE table_schema IN ('a', 'b')
//   GROUP BY table_schema
// Names are string literals escaped for the session's sql_mode
// (`no_backslash_escapes`, as the server reports it). Empty when no
// database has a quota (nothing to run). Checked against MariaDB 10.11:
// information_schema compares and groups names case-insensitively there, so
// two configured names differing only in case share one row.
std::string QuotaQuery(const DatabaseQuota& quota, bool no_backslash_escapes = false);

// Applies the query's rows (table_schema, size as text). A configured
// database without a row has no tables: its size is 0. A row's database
// matches a configured one exactly, else case-insensitively (servers with
// lower_case_table_names report names in lower case). INVALID_ARGUMENT,
// naming every bad row, for a size that is not a byte count, a database
// without a quota, or a database twice; nothing is applied then.
absl::Status ApplyQuotaRows(DatabaseQuota& quota,
                            absl::Span<const std::pair<std::string, std::string>> rows);

// "512 B", "10.0 MiB", "1.5 GiB".
std::string FormatByteSize(uint64_t bytes);

// Whether `ctx` may grow a database: INSERT (and LOAD DATA), UPDATE,
// REPLACE, CALL (a procedure may write), DDL other than DROP and TRUNCATE
// (CREATE, ALTER, RENAME; ALTER TABLE ... DROP too, since the statement kind
// cannot tell it from ALTER TABLE ... ADD), and other statements (EXECUTE of
// a prepared INSERT, unknown ones). Not: SELECT, SHOW, DELETE (frees
// space), DROP, TRUNCATE, transaction control (COMMIT must work for deletes
// to count), SET, USE, empty statements.
bool IsQuotaLimitedWrite(const StatementContext& ctx);

// Rejects writes touching an over-quota database: the call's default
// database and every database a table names. RESOURCE_EXHAUSTED, errno 1114
// (ER_RECORD_FILE_FULL, "The table is full"), SQLSTATE HY000: what the
// server itself answers when a table cannot grow, so applications already
// handle it as "out of space, writing again will not help", whereas 1021
// (ER_DISK_FULL) means the server is waiting for space and suggests
// retrying.
class QuotaHook : public Hook {
 public:
  explicit QuotaHook(std::shared_ptr<const DatabaseQuota> quota) : quota_(std::move(quota)) {}

  absl::string_view name() const override { return "database_quota"; }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override;

  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<const DatabaseQuota> quota_;
  std::atomic<uint64_t> rejected_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LIMITS_DATABASE_QUOTA_H_
