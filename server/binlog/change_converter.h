// Turns decoded binlog events into the change events of the API, keeping
// the transaction boundaries and the position a subscriber may resume from.
//
// Transaction framing across flavors:
//   MariaDB:  GTID [standalone: one QUERY] | GTID, TABLE_MAP, ROWS..., XID
//   MySQL:    GTID/ANONYMOUS_GTID, QUERY BEGIN, TABLE_MAP, ROWS..., XID
//             GTID, QUERY <DDL>                         (implicit commit)
//   no GTIDs: QUERY BEGIN ... XID or QUERY COMMIT; a lone QUERY is its own
//             transaction.
// A commit's resume point is the end position of its last event and, on
// MariaDB, the GTID state including the transaction's GTID.
#ifndef SERVER_BINLOG_CHANGE_CONVERTER_H_
#define SERVER_BINLOG_CHANGE_CONVERTER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "mysqlgw/v1/binlog.pb.h"
#include "mysqlwire/binlog/decoder.h"
#include "server/binlog/resume_token.h"
#include "server/binlog/schema_tracker.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {

// Where converted events go: a batch's repeated field, so they can live on
// the batch's arena and be freed together once it is sent.
using ChangeEvents = google::protobuf::RepeatedPtrField<v1::ChangeEvent>;

struct ConverterOptions {
  bool omit_before_images = false;
  bool include_ddl = false;
  // Empty: every kind.
  std::vector<v1::ChangeKind> kinds;
};

class ChangeConverter {
 public:
  ChangeConverter(ConverterOptions options, TableFilter* filter, ResumePoint start);

  // Appends the change events `event` produces (possibly none).
  // `raw_log_pos` is the end position of the raw event it came from: events
  // unpacked from a TRANSACTION_PAYLOAD carry none of their own.
  absl::Status Convert(const mysqlwire::binlog::Event& event, uint32_t raw_log_pos,
                       ChangeEvents* out);

  // Where the last committed transaction ended (the start point before any).
  const ResumePoint& committed() const { return committed_; }
  bool in_transaction() const { return in_transaction_; }
  // Whether the last event converted was a commit.
  bool just_committed() const { return just_committed_; }
  // The binlog position after the last event seen.
  const std::string& file() const { return file_; }
  uint64_t position() const { return position_; }

  // Forgets a transaction cut off by a lost connection: the stream is then
  // read again from committed(), which replays that transaction from its
  // start. Announced table refs are kept (subscribers already know them).
  void AbandonTransaction();

  // A table_ref for rows that do not come from the binlog (snapshots), so
  // that refs stay unique within the stream.
  uint32_t ReserveTableRef() { return next_ref_++; }

  // Column names for tables whose TABLE_MAP has none (MINIMAL metadata):
  // the converter names them from `tracker` (when it has a definition that
  // fits) and feeds it the DDL it sees. Null: columns stay "@1", "@2"...
  // The tracker must outlive the converter.
  void set_schema_tracker(SchemaTracker* tracker) { schema_tracker_ = tracker; }

 private:
  void Begin(const mysqlwire::binlog::EventHeader& header, std::string gtid,
             ChangeEvents* out);
  void Commit(const mysqlwire::binlog::EventHeader& header, ChangeEvents* out);
  void OnQuery(const mysqlwire::binlog::EventHeader& header,
               const mysqlwire::binlog::QueryEvent& query, ChangeEvents* out);
  absl::Status OnRows(const mysqlwire::binlog::RowsEvent& rows, ChangeEvents* out);
  // The table_ref for a table map, announcing its schema when new/changed.
  uint32_t TableRef(const mysqlwire::binlog::TableMap& map, ChangeEvents* out);
  bool KindWanted(v1::ChangeKind kind) const;
  std::string GtidState() const;

  ConverterOptions options_;
  TableFilter* filter_;
  ResumePoint committed_;
  std::string file_;
  uint64_t position_ = 0;

  bool in_transaction_ = false;
  bool saw_begin_query_ = false;  // MySQL-style BEGIN ... COMMIT/XID group.
  bool standalone_ = false;       // MariaDB standalone group: one statement.
  bool just_committed_ = false;
  std::string gtid_;
  // MariaDB GTID state: domain -> "domain-server-seq".
  std::map<uint32_t, std::string> domains_;
  uint32_t pending_domain_ = 0;
  std::string pending_domain_gtid_;

  // Table maps of the current transaction by id, and the refs announced.
  absl::flat_hash_map<uint64_t, mysqlwire::binlog::TableMap> tables_;
  absl::flat_hash_map<std::string, std::pair<uint32_t, std::string>> announced_;
  uint32_t next_ref_ = 1;
  SchemaTracker* schema_tracker_ = nullptr;
};

// Parses a MariaDB GTID state ("0-1-100,1-2-5") into domain -> gtid.
absl::StatusOr<std::map<uint32_t, std::string>> ParseMariaGtidState(absl::string_view state);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_CHANGE_CONVERTER_H_
