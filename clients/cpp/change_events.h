// The events of a change stream (ChangeStream/StreamBinlog, see
// proto/mysqlgw/v1/binlog.proto and docs/cdc.md) as C++ values, and the
// pure pieces behind changes.h: the request built from ChangesOptions and the
// conversion of the gateway's events. Nothing here touches gRPC, so all of it
// is tested without a gateway (change_events_test.cc).
//
// The concepts are those of the Python, Node and Go clients: in commit order,
// every committed transaction is TransactionBegin, its RowChanges (and Ddl),
// TransactionCommit; a Heartbeat after a quiet period; a snapshot start first
// delivers the tables' rows (kind kSnapshot) framed by SnapshotProgress; and
// StreamStatus reports the gateway reconnecting to the database. Table
// schemas are not delivered as events: each RowChange points at its table's
// schema (column names, primary key), announced once per table.
#ifndef CLIENTS_CPP_CHANGE_EVENTS_H_
#define CLIENTS_CPP_CHANGE_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mysqlgw/v1/binlog.pb.h"

namespace mysqlgw::client {

namespace v1 = ::mysqlgw::v1;

enum class ChangeKind { kInsert, kUpdate, kDelete, kSnapshot };
// "insert", "update", "delete", "snapshot" (as the other clients name them).
absl::string_view ChangeKindName(ChangeKind kind);
// The inverse, for filters: "insert", "update" or "delete" (a snapshot row
// is not a kind a filter can select). InvalidArgument otherwise.
absl::StatusOr<ChangeKind> ParseChangeKind(absl::string_view name);

struct BinlogPosition {
  std::string file;
  uint64_t position = 0;
  bool operator==(const BinlogPosition& o) const {
    return file == o.file && position == o.position;
  }
};

// A table as the stream announced it. Shared (read-only) by its RowChanges.
struct TableSchema {
  uint32_t table_ref = 0;
  std::string schema;
  std::string table;
  std::vector<v1::Column> columns;
  std::vector<size_t> primary_key;  // Indexes into columns.

  std::vector<std::string> ColumnNames() const;
  std::vector<std::string> PrimaryKeyNames() const;
  // The first column named `name`, or nullopt.
  std::optional<size_t> ColumnIndex(absl::string_view name) const;
};

// One row image: a value for every column of the table, in column order.
// Columns the server did not log (binlog_row_image=MINIMAL/NOBLOB, or
// before-images omitted down to the key) are not present: their slot holds
// a null placeholder, which is not an SQL NULL.
struct RowImage {
  std::vector<v1::Value> values;
  std::vector<bool> present;  // Same size as values.

  bool Has(size_t column) const { return column < present.size() && present[column]; }
};

struct RowChange {
  std::shared_ptr<const TableSchema> table;
  ChangeKind kind = ChangeKind::kInsert;
  // Updates and deletes (updates lose it with omit_before_images; deletes
  // keep theirs).
  std::optional<RowImage> before;
  // Inserts, updates, snapshot rows.
  std::optional<RowImage> after;

  const std::string& schema_name() const { return table->schema; }
  const std::string& table_name() const { return table->table; }
  // The value of column `name` in that image; nullptr when the image or
  // the column is missing, or the server did not log the column.
  const v1::Value* Before(absl::string_view name) const;
  const v1::Value* After(absl::string_view name) const;
  // The primary key's values, from `after` (else `before`); a column not
  // logged gives a null placeholder.
  std::vector<v1::Value> Key() const;
};

struct TransactionBegin {
  std::string gtid;  // "0-1-42" (MariaDB), "uuid:42" (MySQL); may be empty.
  std::optional<absl::Time> timestamp;
};

struct TransactionCommit {
  std::string gtid;
  std::optional<absl::Time> timestamp;
  // Store it with the transaction's effects; a stream started from it
  // resumes right after this transaction.
  std::string resume_token;
  std::optional<BinlogPosition> position;  // End of the transaction.
};

struct Ddl {
  std::string schema;
  std::string statement;
};

struct Heartbeat {
  std::optional<BinlogPosition> position;
  // How far behind the server's clock the stream is.
  std::optional<absl::Duration> lag;
};

enum class SnapshotPhase { kStarted, kTableStarted, kChunk, kTableDone, kDone };
// "started", "table_started", "chunk", "table_done", "done".
absl::string_view SnapshotPhaseName(SnapshotPhase phase);

// Where a snapshot start stands: kStarted (position: the binlog point the
// copy corresponds to), kTableStarted / kTableDone around each table's rows,
// kChunk every progress_rows rows, kDone (the binlog's changes follow).
// kChunk, kTableDone and kDone carry a resume_token (empty for a chunk of a
// table without a primary key). `restarted` (kTableStarted of a resumed
// snapshot): the table's copy starts over, drop its rows received before.
struct SnapshotProgress {
  SnapshotPhase phase = SnapshotPhase::kStarted;
  std::string schema;
  std::string table;
  uint64_t rows = 0;  // The table's rows sent so far in this stream.
  std::optional<BinlogPosition> position;
  std::string gtid_state;
  std::string resume_token;
  bool restarted = false;
};

enum class StreamState { kReconnecting, kResumed };
// "reconnecting", "resumed".
absl::string_view StreamStateName(StreamState state);

// The gateway's connection to the database broke and it is reconnecting
// (message: why; attempt: 1 for the first), or it reads again from where
// the stream stood (nothing lost or repeated).
struct StreamStatus {
  StreamState state = StreamState::kReconnecting;
  std::string message;
  uint32_t attempt = 0;
  std::optional<BinlogPosition> position;
};

using ChangeEvent = std::variant<TransactionBegin, RowChange, Ddl, TransactionCommit, Heartbeat,
                                 SnapshotProgress, StreamStatus>;

// Where a change stream starts and what it carries. The default follows the
// changes committed from now on, of every table the principal may read.
struct ChangesOptions {
  // Where to start: at most one of resume_token, gtid_set, position,
  // earliest and a snapshot (snapshot_tables or snapshot_all). None: now.
  //
  // Right after the point a TransactionCommit or SnapshotProgress token
  // marks.
  std::string resume_token;
  // MariaDB "0-1-42,..." (start after these) or MySQL "uuid:1-5,..."
  // (everything not in the set).
  std::string gtid_set;
  std::optional<BinlogPosition> position;
  // The oldest binlog the server still has.
  bool earliest = false;
  // Copy the current rows of the tables matching these "schema.table"
  // globs first, then stream the changes made after the copy;
  // snapshot_all copies every table the filter selects.
  std::vector<std::string> snapshot_tables;
  bool snapshot_all = false;
  // Rows between kChunk progress events (0: the gateway's 10,000).
  uint32_t progress_rows = 0;

  // End at the end of the log as it was when the stream began; otherwise
  // follow new changes until cancelled.
  bool until_now = false;
  // "schema.table" globs (* and ?); exclusion wins; empty include: all.
  std::vector<std::string> include_tables;
  std::vector<std::string> exclude_tables;
  // kInsert, kUpdate, kDelete; empty: all.
  std::vector<ChangeKind> kinds;
  bool include_ddl = false;
  bool omit_before_images = false;

  // Batching of the gateway's responses (0: 500 events, 256 KiB).
  uint32_t max_batch_events = 0;
  uint64_t max_batch_bytes = 0;
  // A Heartbeat after this long without events (0: 1 s).
  absl::Duration heartbeat_interval = absl::ZeroDuration();

  // gRPC deadline of the whole call. Zero: none, whatever the client's
  // default_timeout (a following stream runs until cancelled).
  absl::Duration timeout = absl::ZeroDuration();

  // StreamStatus events go to on_status (called in the thread calling
  // Next) and ChangeStream::last_status(); with status_events, Next
  // delivers them too.
  std::function<void(const StreamStatus&)> on_status;
  bool status_events = false;
};

namespace internal {

// The request for `options`: InvalidArgument for two starting points,
// progress_rows without a snapshot, or a kind a filter cannot select.
absl::StatusOr<v1::StreamBinlogRequest> MakeStreamBinlogRequest(const ChangesOptions& options);

// Turns the gateway's events into ChangeEvents, remembering the table
// schemas announced so far.
class ChangeEventConverter {
 public:
  // nullopt for events that are not delivered: table schema announcements
  // (recorded in tables()) and kinds, phases or states newer than this
  // client. Internal for events that contradict the protocol (a row of an
  // unannounced table, a row with the wrong number of values, a primary
  // key column out of range). Values are moved out of `event`.
  absl::StatusOr<std::optional<ChangeEvent>> Convert(v1::ChangeEvent& event);

  const absl::flat_hash_map<uint32_t, std::shared_ptr<const TableSchema>>& tables() const {
    return tables_;
  }

 private:
  absl::flat_hash_map<uint32_t, std::shared_ptr<const TableSchema>> tables_;
};

}  // namespace internal
}  // namespace mysqlgw::client

#endif  // CLIENTS_CPP_CHANGE_EVENTS_H_
