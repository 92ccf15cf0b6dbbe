// Column names for tables whose TABLE_MAP events carry none
// (binlog_row_metadata=MINIMAL or NO_LOG, MySQL 5.7 and older).
//
// The tracker keeps, per schema.table, the table's column list as of the
// stream's position in the binlog, from two sources:
//   - DDL seen in the stream (CREATE TABLE with its column list, then ALTER
//     ADD/DROP/CHANGE/MODIFY/RENAME COLUMN, RENAME TABLE, DROP TABLE/DATABASE;
//     ddl_parser.h). This is exact: it is the definition each later event
//     was written with.
//   - information_schema, read when the stream meets a table it knows
//     nothing about (schema_loader.h). That is the table as it is *now*,
//     which is the table at the stream's position only if no DDL touched the
//     table in between; the loader looks ahead in the binlog to find out, and
//     if some did, the loaded definition is parked ("pending") until the
//     stream passes the last such DDL.
// Whatever the source, a definition names a TABLE_MAP's columns only if it
// has the same number of columns and each declared type can be logged as
// the binlog type (ColumnTypeFits). Otherwise the columns stay unnamed
// ("@1", "@2"... as without a tracker) and the mismatch is counted and
// logged once per table: names are withheld, never guessed or shifted.
//
// Pure state, no I/O: the stream calls NeedsLoad() before converting a
// TABLE_MAP and, when true, has the loader call SetLoaded().
#ifndef SERVER_BINLOG_SCHEMA_TRACKER_H_
#define SERVER_BINLOG_SCHEMA_TRACKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "mysqlwire/binlog/table_map.h"
#include "server/binlog/ddl_parser.h"

namespace mysqlgw {

// A binlog coordinate: the end of an event. Files compare by name, which
// sorts by their sequence number.
struct BinlogPoint {
  std::string file;
  uint64_t position = 0;
  bool operator==(const BinlogPoint& o) const {
    return position == o.position && file == o.file;
  }
  bool operator<(const BinlogPoint& o) const {
    return file < o.file || (file == o.file && position < o.position);
  }
};

struct TableDefinition {
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;  // Column names, key order.
};

// Whether a column declared as `type` (a ColumnSpec::type) may be logged
// with binlog type `logged` (TableMap::RealType). Unknown types fit
// anything.
bool ColumnTypeFits(absl::string_view type, mysqlwire::ColumnType logged);

class SchemaTracker {
 public:
  enum class Naming {
    kFromServer,  // The TABLE_MAP has its own names.
    kTracked,     // Names filled in from the tracked definition.
    kUnknown,     // No definition (not loaded, not found, or pending).
    kMismatch,    // A definition that does not fit the TABLE_MAP.
  };

  struct Stats {
    uint64_t ddl_followed = 0;     // DDL statements applied to a tracked table.
    uint64_t ddl_invalidated = 0;  // Tables forgotten after DDL not understood.
    uint64_t loads = 0;            // SetLoaded calls.
    uint64_t tables_named = 0;     // TABLE_MAPs named from a definition.
    uint64_t tables_unnamed = 0;   // TABLE_MAPs left unnamed (kUnknown, kMismatch).
    uint64_t mismatches = 0;       // Of those, definitions that did not fit.
  };

  // A QUERY event ending at `at`. Statements that are not table DDL are
  // ignored.
  void OnQuery(absl::string_view default_schema, absl::string_view sql,
               const DdlParseOptions& options, const BinlogPoint& at);

  // Whether `map` lacks names and its table has no definition that a load
  // could improve on (none yet, or forgotten after DDL).
  bool NeedsLoad(const mysqlwire::binlog::TableMap& map) const;

  // The result of reading the table from information_schema: its definition,
  // or nullopt if it does not exist (or could not be read). `valid_after`:
  // the end of the last DDL touching the table that the stream has yet to
  // read; the definition applies only once the stream has read it. nullopt:
  // it applies now.
  void SetLoaded(const QualifiedName& name, std::optional<TableDefinition> definition,
                 std::optional<BinlogPoint> valid_after);

  // Fills map->column_names (and primary_key, when the map has none) from
  // the tracked definition if it fits.
  Naming Name(mysqlwire::binlog::TableMap* map);

  // The definition in force for a table, if any (tests, diagnostics).
  const TableDefinition* Find(const QualifiedName& name) const;
  bool HasPending(const QualifiedName& name) const;
  const Stats& stats() const { return stats_; }

 private:
  struct Entry {
    std::optional<TableDefinition> definition;
    // No load would help: the definition is current, or the table is known
    // not to exist, or a load was done (and gave nothing usable).
    bool settled = false;
    // Already logged why names are withheld for this definition.
    bool warned = false;
  };
  struct Pending {
    std::optional<TableDefinition> definition;
    BinlogPoint after;
  };

  static std::string Key(absl::string_view schema, absl::string_view table);
  void Forget(const std::string& key);
  void ApplyCreate(const DdlStatement& ddl);
  void ApplyAlter(const DdlStatement& ddl);
  void Rename(const QualifiedName& from, const QualifiedName& to);

  absl::flat_hash_map<std::string, Entry> tables_;
  // Loaded definitions waiting for the stream to pass a DDL, by table name as
  // of the load.
  absl::flat_hash_map<std::string, Pending> pending_;
  Stats stats_;
};

// Applies one ALTER action to a definition; false when it does not fit
// (a column to drop or change that is not there, a position after a
// missing column), and the definition must then be forgotten.
bool ApplyAlterAction(const AlterAction& action, TableDefinition* definition);

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_SCHEMA_TRACKER_H_
