// The I/O half of schema tracking (schema_tracker.h): reads a table's
// definition from information_schema and finds out from which point of the
// binlog on it holds.
//
// information_schema shows the table as it is now. For a stream that is
// behind (started from an older position), that is the definition its
// events were written with only if no DDL touched the table between the
// stream's position and now. So each load also reads the binlog ahead of the
// stream, from its position up to the end of the log as it was when the
// definition was read (a second, non-blocking replication connection that
// decodes QUERY events only), and records the last DDL touching each table
// (DdlLookahead). The tracker then holds the definition back until the
// stream has passed that DDL. One look-ahead serves every later load: it is
// only extended past where it already reached.
//
// The read is bracketed by two reads of the log's end; a DDL on the same
// table between them makes it unclear which side of it the definition is
// from, and the load is tried again (three times, then names are withheld).
//
// Connections are opened only on the first load, i.e. never on a server
// that logs column names (binlog_row_metadata=FULL).
#ifndef SERVER_BINLOG_SCHEMA_LOADER_H_
#define SERVER_BINLOG_SCHEMA_LOADER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/asio/awaitable.hpp"
#include "mysqlwire/connect_options.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/connection.h"
#include "server/binlog/ddl_parser.h"
#include "server/binlog/schema_tracker.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {

// Where DDL touched which table, over a range of the binlog read ahead of a
// stream. Pure: the loader feeds it QUERY events.
class DdlLookahead {
 public:
  void Record(absl::string_view default_schema, absl::string_view sql,
              const DdlParseOptions& options, const BinlogPoint& at);
  // The end of the last recorded statement after `after` that may have
  // changed `name` (a DDL naming it, DROP DATABASE of its schema, or a table
  // statement that could not be attributed).
  std::optional<BinlogPoint> LastTouch(const QualifiedName& name,
                                       const BinlogPoint& after) const;

  // How far the binlog has been read (empty file: not at all).
  const BinlogPoint& covered_to() const { return covered_to_; }
  void set_covered_to(BinlogPoint p) { covered_to_ = std::move(p); }

 private:
  absl::flat_hash_map<std::string, BinlogPoint> tables_;   // "schema\0table"
  absl::flat_hash_map<std::string, BinlogPoint> schemas_;  // DROP DATABASE
  std::optional<BinlogPoint> any_;                         // unattributed
  BinlogPoint covered_to_;
};

struct SchemaLoaderOptions {
  // Server ids for the look-ahead's replication connection, which must not
  // share the stream's (the server would drop one of them).
  std::function<uint32_t()> acquire_server_id;
  std::function<void(uint32_t)> release_server_id;
  int attempts = 3;
};

class SchemaLoader {
 public:
  SchemaLoader(mysqlwire::ConnectOptions backend, SchemaLoaderOptions options);
  ~SchemaLoader();

  // Loads `name` into `tracker`. `at`: the stream's position right after the
  // TABLE_MAP that needs it. Never fails the stream: when the definition
  // cannot be read, the tracker is told there is none (names withheld, and a
  // warning logged).
  boost::asio::awaitable<void> Load(SchemaTracker& tracker, const QualifiedName& name,
                                    const BinlogPoint& at);

  // The look-ahead so far (tests).
  const DdlLookahead& lookahead() const { return lookahead_; }
  uint64_t scans() const { return scans_; }

 private:
  boost::asio::awaitable<absl::Status> EnsureConnected();
  boost::asio::awaitable<absl::StatusOr<BinlogPoint>> LogEnd();
  boost::asio::awaitable<absl::StatusOr<std::optional<TableDefinition>>> ReadDefinition(
      const QualifiedName& name);
  // Reads QUERY events in (from, to] into the look-ahead.
  boost::asio::awaitable<absl::Status> Scan(const BinlogPoint& from, const BinlogPoint& to);

  mysqlwire::ConnectOptions backend_;
  SchemaLoaderOptions options_;
  std::unique_ptr<mysqlwire::Connection> sql_;
  DdlLookahead lookahead_;
  uint64_t scans_ = 0;
};

// One stream's schema tracking, as the stream's read loop uses it: the
// tracker its converter names columns from (ChangeConverter::
// set_schema_tracker), the loader, and the stream's filter (tables it does
// not deliver are never loaded).
class StreamSchemas {
 public:
  StreamSchemas(mysqlwire::ConnectOptions backend, SchemaLoaderOptions options,
                TableFilter* filter)
      : loader_(std::move(backend), std::move(options)), filter_(filter) {}

  SchemaTracker& tracker() { return tracker_; }
  const SchemaLoader& loader() const { return loader_; }

  // Whether `event` is a TABLE_MAP without column names, of a delivered
  // table, whose definition must be loaded before it is converted.
  bool NeedsLoad(const mysqlwire::binlog::Event& event);
  // Loads it. `file`: the binlog file the stream is in; `raw_log_pos`: the
  // end of the raw event `event` came from (events inside a
  // TRANSACTION_PAYLOAD have no position of their own).
  boost::asio::awaitable<void> Load(const mysqlwire::binlog::Event& event,
                                    const std::string& file, uint32_t raw_log_pos);

 private:
  SchemaTracker tracker_;
  SchemaLoader loader_;
  TableFilter* filter_;
};

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_SCHEMA_LOADER_H_
