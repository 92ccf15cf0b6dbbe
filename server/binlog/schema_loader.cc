#include "server/binlog/schema_loader.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/this_coro.hpp"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog/event_type.h"
#include "mysqlwire/binlog_stream.h"
#include "mysqlwire/protocol/escaping.h"
#include "server/binlog/sql_util.h"
#include "server/log/log.h"

namespace mysqlgw {
namespace asio = boost::asio;
namespace binlog = mysqlwire::binlog;

namespace {

std::string Key(absl::string_view schema, absl::string_view table) {
  return absl::StrCat(schema, absl::string_view("\0", 1), table);
}

// A string literal that reads the same whatever the session's sql_mode.
std::string Literal(absl::string_view s) {
  return absl::StrCat("CONVERT(", mysqlwire::HexLiteral(s), " USING utf8mb4)");
}

uint32_t LogPosOf(absl::string_view raw) {
  if (raw.size() < 17) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<uint32_t>(static_cast<uint8_t>(raw[13 + i])) << (8 * i);
  }
  return v;
}

void Maximize(std::optional<BinlogPoint>& best, const BinlogPoint& p) {
  if (!best.has_value() || *best < p) best = p;
}

}  // namespace

void DdlLookahead::Record(absl::string_view default_schema, absl::string_view sql,
                          const DdlParseOptions& options, const BinlogPoint& at) {
  const DdlStatement ddl = ParseDdl(default_schema, sql, options);
  switch (ddl.kind) {
    case DdlStatement::Kind::kNotTableDdl:
    case DdlStatement::Kind::kTruncate:
      return;
    case DdlStatement::Kind::kDropSchema:
      if (ddl.understood) {
        schemas_[ddl.schema] = at;
      } else {
        any_ = at;
      }
      return;
    default:
      break;
  }
  if (ddl.touched.empty()) {
    any_ = at;
    return;
  }
  for (const QualifiedName& n : ddl.touched) tables_[Key(n.schema, n.table)] = at;
}

std::optional<BinlogPoint> DdlLookahead::LastTouch(const QualifiedName& name,
                                                   const BinlogPoint& after) const {
  std::optional<BinlogPoint> best;
  if (auto it = tables_.find(Key(name.schema, name.table)); it != tables_.end()) {
    Maximize(best, it->second);
  }
  if (auto it = schemas_.find(name.schema); it != schemas_.end()) Maximize(best, it->second);
  if (any_.has_value()) Maximize(best, *any_);
  if (best.has_value() && after < *best) return best;
  return std::nullopt;
}

SchemaLoader::SchemaLoader(mysqlwire::ConnectOptions backend, SchemaLoaderOptions options)
    : backend_(std::move(backend)), options_(std::move(options)) {
  backend_.init_statements.clear();
  backend_.statement_cache_size = 0;
}

SchemaLoader::~SchemaLoader() {
  if (sql_ != nullptr) sql_->Close();
}

asio::awaitable<absl::Status> SchemaLoader::EnsureConnected() {
  if (sql_ != nullptr && sql_->usable()) co_return absl::OkStatus();
  sql_ = std::make_unique<mysqlwire::Connection>(co_await asio::this_coro::executor);
  co_return co_await sql_->Connect(backend_);
}

asio::awaitable<absl::StatusOr<BinlogPoint>> SchemaLoader::LogEnd() {
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r = co_await sql_->Query("SHOW MASTER STATUS");
  if (!r.ok()) co_return r.status();
  if (r->empty() || (*r)[0].rows.empty() || (*r)[0].rows[0].size() < 2) {
    co_return absl::FailedPreconditionError("SHOW MASTER STATUS returned no row (binlog off?)");
  }
  BinlogPoint p;
  p.file = AsText((*r)[0].rows[0][0]);
  if (!absl::SimpleAtoi(AsText((*r)[0].rows[0][1]), &p.position)) {
    co_return absl::InternalError("SHOW MASTER STATUS: position is not a number");
  }
  co_return p;
}

asio::awaitable<absl::StatusOr<std::optional<TableDefinition>>> SchemaLoader::ReadDefinition(
    const QualifiedName& name) {
  // Names compare with the column's collation, which may ignore case: keep
  // only exact matches.
  const std::string where = absl::StrCat(" WHERE TABLE_SCHEMA = ", Literal(name.schema),
                                         " AND TABLE_NAME = ", Literal(name.table));
  const std::string columns_sql = absl::StrCat(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE "
      "FROM information_schema.COLUMNS",
      where, " ORDER BY ORDINAL_POSITION");
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> cols = co_await sql_->Query(columns_sql);
  if (!cols.ok()) co_return cols.status();
  if (cols->empty()) co_return absl::InternalError("information_schema.COLUMNS: no result");
  TableDefinition def;
  for (const std::vector<mysqlwire::Value>& row : (*cols)[0].rows) {
    if (row.size() < 5 || AsText(row[0]) != name.schema || AsText(row[1]) != name.table) continue;
    ColumnSpec c;
    c.name = AsText(row[2]);
    c.type = NormalizeTypeName(AsText(row[3]));
    c.is_unsigned = absl::StrContains(absl::AsciiStrToLower(AsText(row[4])), "unsigned");
    def.columns.push_back(std::move(c));
  }
  if (def.columns.empty()) co_return std::nullopt;
  const std::string key_sql = absl::StrCat(
      "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.STATISTICS", where,
      " AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX");
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> pk = co_await sql_->Query(key_sql);
  if (!pk.ok()) co_return pk.status();
  if (pk->empty()) co_return absl::InternalError("information_schema.STATISTICS: no result");
  for (const std::vector<mysqlwire::Value>& row : (*pk)[0].rows) {
    if (row.size() < 3 || AsText(row[0]) != name.schema || AsText(row[1]) != name.table) continue;
    def.primary_key.push_back(AsText(row[2]));
  }
  co_return def;
}

asio::awaitable<absl::Status> SchemaLoader::Scan(const BinlogPoint& from, const BinlogPoint& to) {
  ++scans_;
  mysqlwire::Connection repl(co_await asio::this_coro::executor);
  if (absl::Status s = co_await repl.Connect(backend_); !s.ok()) co_return s;
  mysqlwire::BinlogDumpOptions dump;
  dump.server_id = options_.acquire_server_id ? options_.acquire_server_id() : 0;
  dump.file = from.file;
  dump.position = from.position;
  dump.stop_at_end = true;
  dump.replica_hostname = "mysqlgw-schema";
  mysqlwire::BinlogStream stream(repl);
  absl::Status result = co_await stream.Start(dump);
  binlog::Decoder decoder;
  BinlogPoint cur = from;
  std::vector<binlog::Event> events;
  bool done = !result.ok();
  while (!done) {
    absl::StatusOr<std::optional<absl::string_view>> next = co_await stream.Next();
    if (!next.ok()) {
      result = next.status();
      break;
    }
    if (!next->has_value()) break;  // The end of the log.
    const absl::string_view raw = **next;
    if (raw.size() < 19) continue;
    // Only these events matter; rows events are not even decoded.
    const auto type = static_cast<binlog::EventType>(static_cast<uint8_t>(raw[4]));
    const uint32_t log_pos = LogPosOf(raw);
    const bool wanted = type == binlog::EventType::kQuery ||
                        type == binlog::EventType::kMariaQueryCompressed ||
                        type == binlog::EventType::kRotate ||
                        type == binlog::EventType::kFormatDescription;
    if (!wanted) {
      if (log_pos != 0 && !(BinlogPoint{cur.file, log_pos} < to)) done = true;
      continue;
    }
    events.clear();
    if (absl::Status s = decoder.Decode(raw, &events); !s.ok()) {
      result = s;
      break;
    }
    for (const binlog::Event& e : events) {
      if (const auto* rotate = std::get_if<binlog::RotateEvent>(&e.body)) {
        cur.file = rotate->next_file;
        cur.position = rotate->position;
      } else if (const auto* q = std::get_if<binlog::QueryEvent>(&e.body)) {
        const BinlogPoint at{cur.file, e.header.log_pos};
        if (to < at) {
          done = true;
          break;
        }
        lookahead_.Record(q->schema, q->query,
                          DdlOptionsFromSqlMode(q->status.sql_mode.value_or(0)), at);
        if (at == to) done = true;
      }
    }
  }
  repl.Close();
  if (options_.release_server_id && dump.server_id != 0) options_.release_server_id(dump.server_id);
  co_return result;
}

asio::awaitable<void> SchemaLoader::Load(SchemaTracker& tracker, const QualifiedName& name,
                                         const BinlogPoint& at) {
  absl::Status failure = absl::OkStatus();
  for (int attempt = 0; attempt < std::max(1, options_.attempts); ++attempt) {
    failure = co_await EnsureConnected();
    if (!failure.ok()) break;
    absl::StatusOr<BinlogPoint> before = co_await LogEnd();
    if (!before.ok()) {
      failure = before.status();
      break;
    }
    absl::StatusOr<std::optional<TableDefinition>> def = co_await ReadDefinition(name);
    if (!def.ok()) {
      failure = def.status();
      break;
    }
    absl::StatusOr<BinlogPoint> after = co_await LogEnd();
    if (!after.ok()) {
      failure = after.status();
      break;
    }
    // Read ahead from the stream (or from where an earlier look-ahead
    // stopped) to the end of the log as of the read.
    BinlogPoint from = at;
    if (at < lookahead_.covered_to()) from = lookahead_.covered_to();
    if (from < *after) {
      failure = co_await Scan(from, *after);
      if (!failure.ok()) break;
      lookahead_.set_covered_to(*after);
    }
    std::optional<BinlogPoint> last = lookahead_.LastTouch(name, at);
    if (last.has_value() && *before < *last) {
      failure = absl::AbortedError("the table changed while its definition was read");
      continue;  // A DDL raced with the read: which side is it from?
    }
    tracker.SetLoaded(name, *std::move(def), std::move(last));
    co_return;
  }
  const std::string error(failure.message());
  Log(LogLevel::kWarning, "binlog",
      "cannot load a table definition for column names; its rows are delivered without names",
      {LogField("schema", name.schema), LogField("table", name.table), LogField("error", error)});
  tracker.SetLoaded(name, std::nullopt, std::nullopt);
}

bool StreamSchemas::NeedsLoad(const binlog::Event& event) {
  const auto* map = std::get_if<binlog::TableMap>(&event.body);
  return map != nullptr && tracker_.NeedsLoad(*map) &&
         (filter_ == nullptr || filter_->Allows(map->schema, map->table));
}

asio::awaitable<void> StreamSchemas::Load(const binlog::Event& event, const std::string& file,
                                          uint32_t raw_log_pos) {
  const auto* map = std::get_if<binlog::TableMap>(&event.body);
  if (map == nullptr) co_return;
  const uint64_t position = event.header.log_pos != 0 ? event.header.log_pos : raw_log_pos;
  // Named, not temporaries in the co_await expression: g++ 12 may destroy
  // such temporaries twice.
  const QualifiedName name{map->schema, map->table};
  const BinlogPoint at{file, position};
  co_await loader_.Load(tracker_, name, at);
}

}  // namespace mysqlgw
