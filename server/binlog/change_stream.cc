#include "server/binlog/change_stream.h"

#include <openssl/rand.h>

#include <mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "google/protobuf/arena.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog_stream.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "server/binlog/batch_progress.h"
#include "server/binlog/change_converter.h"
#include "server/binlog/resume_token.h"
#include "server/binlog/schema_loader.h"  // Schema tracking (MINIMAL metadata).
#include "server/binlog/snapshot.h"
#include "server/binlog/sql_util.h"
#include "server/binlog/table_filter.h"
#include "server/convert/value_convert.h"

namespace mysqlgw {
namespace asio = boost::asio;
namespace binlog = mysqlwire::binlog;

namespace {

std::mutex server_ids_mutex;
absl::flat_hash_set<uint32_t>& LiveServerIds() {
  static auto* ids = new absl::flat_hash_set<uint32_t>();
  return *ids;
}

uint32_t LogPosOf(absl::string_view raw) {
  if (raw.size() < 17) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(raw[13 + i])) << (8 * i);
  return v;
}

// Where to stop an UNTIL_NOW stream: the end of the log when it began.
struct EndPoint {
  std::string file;
  uint64_t position = 0;
};

// Orders binlog positions. File names are "<base>.<sequence>"; the sequence
// is compared as a number so that .999999 comes before .1000000.
int ComparePositions(absl::string_view file_a, uint64_t pos_a, absl::string_view file_b,
                     uint64_t pos_b) {
  if (file_a != file_b) {
    const size_t dot_a = file_a.rfind('.');
    const size_t dot_b = file_b.rfind('.');
    uint64_t seq_a = 0, seq_b = 0;
    if (dot_a != absl::string_view::npos && dot_b != absl::string_view::npos &&
        file_a.substr(0, dot_a) == file_b.substr(0, dot_b) &&
        absl::SimpleAtoi(file_a.substr(dot_a + 1), &seq_a) &&
        absl::SimpleAtoi(file_b.substr(dot_b + 1), &seq_b) && seq_a != seq_b) {
      return seq_a < seq_b ? -1 : 1;
    }
    return file_a < file_b ? -1 : 1;
  }
  if (pos_a == pos_b) return 0;
  return pos_a < pos_b ? -1 : 1;
}

bool Reached(const EndPoint& end, const std::string& file, uint64_t position) {
  return ComparePositions(file, position, end.file, end.position) >= 0;
}

// Whether losing the replication connection with `status` is an outage
// worth reconnecting for, rather than an answer (a purged position, missing
// privileges) that another attempt would only repeat.
bool IsTransient(const absl::Status& status) {
  if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(status)) {
    switch (e->code) {
      case 1040:  // ER_CON_COUNT_ERROR
      case 1053:  // ER_SERVER_SHUTDOWN
      case 1152:  // ER_ABORTING_CONNECTION
      case 1158:  // ER_NET_READ_ERROR
      case 1159:  // ER_NET_READ_INTERRUPTED
      case 1160:  // ER_NET_ERROR_ON_WRITE
      case 1161:  // ER_NET_WRITE_INTERRUPTED
      case 1927:  // ER_CONNECTION_KILLED
      case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT
        return true;
      default:
        return false;
    }
  }
  // Transport failures, timeouts, and bytes cut off mid-packet by a dying
  // connection (reported as protocol errors).
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded ||
         mysqlwire::IsProtocolError(status);
}

// Closes a replication connection on which nothing (not even a heartbeat)
// arrived for too long: a silent network drop would otherwise leave the
// stream waiting forever. The read loop only counts events; the watchdog
// notes when the count last moved, so the hot path reads no clock.
struct Watchdog {
  explicit Watchdog(asio::any_io_executor executor) : timer(executor) {}
  asio::steady_timer timer;
  uint64_t events = 0;  // Bumped by the read loop on every event.
  mysqlwire::Connection* connection = nullptr;  // Null once the read ended.
  bool fired = false;
};

asio::awaitable<void> WatchConnection(std::shared_ptr<Watchdog> dog,
                                      std::chrono::milliseconds silence) {
  uint64_t seen = dog->events;
  auto moved_at = std::chrono::steady_clock::now();
  while (dog->connection != nullptr) {
    dog->timer.expires_after(std::max<std::chrono::milliseconds>(silence / 4,
                                                                 std::chrono::milliseconds(50)));
    co_await dog->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (dog->connection == nullptr) break;
    const auto now = std::chrono::steady_clock::now();
    if (dog->events != seen) {
      seen = dog->events;
      moved_at = now;
    } else if (now - moved_at > silence) {
      dog->fired = true;
      dog->connection->Close();
      break;
    }
  }
}

using Batch = ResponseBatch;

}  // namespace

uint32_t AcquireReplicaServerId() {
  std::lock_guard<std::mutex> lock(server_ids_mutex);
  while (true) {
    uint32_t r = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof(r));
    // A high range that operators rarely give real servers.
    const uint32_t id = 0x70000000u | (r & 0x0fffffffu);
    if (LiveServerIds().insert(id).second) return id;
  }
}

void ReleaseReplicaServerId(uint32_t id) {
  std::lock_guard<std::mutex> lock(server_ids_mutex);
  LiveServerIds().erase(id);
}

ChangeStream::ChangeStream(mysqlwire::ConnectOptions backend, v1::StreamBinlogRequest request,
                           std::shared_ptr<const Principal> principal,
                           uint32_t replica_server_id, ChangeStreamLimits limits)
    : backend_(std::move(backend)),
      request_(std::move(request)),
      principal_(std::move(principal)),
      server_id_(replica_server_id),
      limits_(limits) {
  // The replication connection runs no user statements.
  backend_.init_statements.clear();
  backend_.statement_cache_size = 0;
}

namespace {

// Where a stream starts, where an UNTIL_NOW stream ends, and the server
// flavor, resolved on a plain connection before the replication one opens.
struct StartPlan {
  mysqlwire::BinlogDumpOptions dump;
  ResumePoint start;  // Unset for a fresh snapshot (its point decides).
  std::optional<EndPoint> end;
  bool mariadb = false;
  // A snapshot to take (fresh) or to go on with (from a token's cursor).
  std::optional<SnapshotCursor> snapshot;
  bool fresh_snapshot = false;
};

asio::awaitable<absl::StatusOr<StartPlan>> ResolveStart(const mysqlwire::ConnectOptions& backend,
                                                        const v1::StreamBinlogRequest& request,
                                                        uint32_t server_id) {
  auto executor = co_await asio::this_coro::executor;
  mysqlwire::Connection sql(executor);
  if (absl::Status s = co_await sql.Connect(backend); !s.ok()) {
    co_return absl::UnavailableError(absl::StrCat("cannot reach the backend: ", s.message()));
  }
  StartPlan plan;
  plan.mariadb = sql.is_mariadb();
  mysqlwire::BinlogDumpOptions& dump = plan.dump;
  ResumePoint& start = plan.start;
  dump.server_id = server_id;
  switch (request.start_case()) {
    case v1::StreamBinlogRequest::kResumeToken: {
      absl::StatusOr<ResumePoint> point = DecodeResumeToken(request.resume_token());
      if (!point.ok()) co_return point.status();
      start = *std::move(point);
      plan.snapshot = start.snapshot;
      start.snapshot.reset();
      if (plan.mariadb && !start.gtid_state.empty()) {
        dump.mariadb_gtid_state = start.gtid_state;
      } else {
        dump.file = start.file;
        dump.position = start.position;
      }
      break;
    }
    case v1::StreamBinlogRequest::kGtidSet: {
      const std::string& set = request.gtid_set();
      if (plan.mariadb) {
        absl::StatusOr<std::map<uint32_t, std::string>> state = ParseMariaGtidState(set);
        if (!state.ok()) co_return state.status();
        start.gtid_state = set;
        dump.mariadb_gtid_state = set;
      } else {
        dump.mysql_gtid_set = set;
      }
      break;
    }
    case v1::StreamBinlogRequest::kPosition:
      if (request.position().file().empty()) {
        co_return absl::InvalidArgumentError("position.file is empty");
      }
      start.file = dump.file = request.position().file();
      start.position = dump.position = std::max<uint64_t>(4, request.position().position());
      break;
    case v1::StreamBinlogRequest::kSnapshot:
      plan.snapshot = SnapshotCursor{};
      plan.snapshot->progress_rows = request.snapshot().progress_rows();
      plan.fresh_snapshot = true;
      break;
    case v1::StreamBinlogRequest::kEarliest: {
      absl::StatusOr<std::vector<mysqlwire::Value>> first = co_await FirstRow(sql, "SHOW BINARY LOGS");
      if (!first.ok()) co_return first.status();
      start.file = dump.file = AsText((*first)[0]);
      start.position = dump.position = 4;
      break;
    }
    default: {  // now
      if (plan.mariadb) {
        absl::StatusOr<std::vector<mysqlwire::Value>> pos =
            co_await FirstRow(sql, "SELECT @@GLOBAL.gtid_binlog_pos");
        if (!pos.ok()) co_return pos.status();
        start.gtid_state = AsText((*pos)[0]);
      }
      absl::StatusOr<std::vector<mysqlwire::Value>> status =
          co_await FirstRow(sql, "SHOW MASTER STATUS");
      if (!status.ok()) co_return status.status();
      start.file = AsText((*status)[0]);
      start.position = static_cast<uint64_t>(std::stoull(AsText((*status)[1])));
      if (!start.gtid_state.empty()) {
        dump.mariadb_gtid_state = start.gtid_state;
      } else {
        dump.file = start.file;
        dump.position = start.position;
      }
      break;
    }
  }
  if (request.mode() == v1::StreamBinlogRequest::MODE_UNTIL_NOW) {
    absl::StatusOr<std::vector<mysqlwire::Value>> status = co_await FirstRow(sql, "SHOW MASTER STATUS");
    if (!status.ok()) co_return status.status();
    plan.end = EndPoint{AsText((*status)[0]), std::stoull(AsText((*status)[1]))};
    dump.stop_at_end = true;
  }
  dump.heartbeat_period = std::chrono::milliseconds(1000);
  if (request.has_heartbeat_interval()) {
    dump.heartbeat_period = std::chrono::milliseconds(
        request.heartbeat_interval().seconds() * 1000 + request.heartbeat_interval().nanos() / 1000000);
  }
  co_await sql.Quit();
  co_return plan;
}

// The answer for a start position the server no longer has, naming the
// oldest one it still has.
asio::awaitable<absl::Status> PurgedPositionError(const mysqlwire::ConnectOptions& backend,
                                                  const mysqlwire::ServerError& e) {
  auto executor = co_await asio::this_coro::executor;
  std::string oldest = "unknown";
  mysqlwire::Connection probe(executor);
  if ((co_await probe.Connect(backend)).ok()) {
    absl::StatusOr<std::vector<mysqlwire::Value>> first = co_await FirstRow(probe, "SHOW BINARY LOGS");
    if (first.ok()) oldest = absl::StrCat(AsText((*first)[0]), ":4");
    co_await probe.Quit();
  }
  co_return absl::FailedPreconditionError(absl::StrCat(
      "the requested binlog position is not available on the server (", e.message,
      "); the oldest available is ", oldest, " (start.earliest)"));
}

// Where to ask the server to start again after losing the connection: right
// after the last transaction converted. How the stream started decides the
// kind of position: a GTID state where it started from one (it survives a
// server restart and a failover), file and position otherwise.
mysqlwire::BinlogDumpOptions ResumeDump(const StartPlan& plan, const ResumePoint& committed) {
  mysqlwire::BinlogDumpOptions dump = plan.dump;
  if (plan.mariadb && !plan.start.gtid_state.empty() && !committed.gtid_state.empty()) {
    dump.mariadb_gtid_state = committed.gtid_state;
  } else if (!committed.file.empty()) {
    dump.mariadb_gtid_state.clear();
    dump.mysql_gtid_set.clear();
    dump.file = committed.file;
    dump.position = committed.position;
  }
  // Otherwise nothing was committed since a GTID-set start: ask again.
  return dump;
}

void AddStatus(v1::StreamStatus::State state, absl::string_view message, uint32_t attempt,
               const std::string& file, uint64_t position, Batch& batch) {
  const int first = batch.events();
  v1::StreamStatus* status = batch.message().add_events()->mutable_status();
  status->set_state(state);
  status->set_message(std::string(message));
  status->set_attempt(attempt);
  status->mutable_position()->set_file(file);
  status->mutable_position()->set_position(position);
  batch.Account(first);
}

}  // namespace

namespace {

// Everything one stream's phases share.
struct StreamContext {
  const mysqlwire::ConnectOptions& backend;
  const ChangeStreamLimits& limits;
  const StartPlan& plan;
  ChangeConverter& converter;
  Batch& batch;
  ChangeSink& sink;
  CallControl& control;
  uint32_t max_events = 0;
  uint64_t max_bytes = 0;
  StreamSchemas* schemas = nullptr;  // Schema tracking (schema_loader.h).
};

// What a table_ref stands for, from the TableSchema events sent.
struct TableRefInfo {
  std::string schema, table;
  google::protobuf::RepeatedField<uint32_t> primary_key;
};

// One binlog phase: from `dump` until `end` (or the server's end of log, or
// forever), with `catch_up` deciding which row changes of snapshot tables
// pass and `cursor` going into commit tokens while a snapshot is
// incomplete.
struct ReadPhase {
  mysqlwire::BinlogDumpOptions dump;
  std::optional<EndPoint> end;
  const CatchUpFilter* catch_up = nullptr;
  const SnapshotCursor* cursor = nullptr;
};

// Reads binlog phases, bridging lost connections (see ChangeStream::Run).
class BinlogReader {
 public:
  explicit BinlogReader(StreamContext& ctx) : ctx_(ctx) {}

  // Remembers the refs announced in batch events [first, end).
  void NoteTableSchemas(int first) {
    for (int i = first; i < ctx_.batch.events(); ++i) {
      const v1::ChangeEvent& e = ctx_.batch.message().events(i);
      if (!e.has_table_schema()) continue;
      TableRefInfo& info = refs_[e.table_schema().table_ref()];
      info.schema = e.table_schema().schema();
      info.table = e.table_schema().table();
      info.primary_key = e.table_schema().primary_key();
    }
  }

  asio::awaitable<absl::Status> Read(ReadPhase phase);

 private:
  // Applies a phase's catch-up filter and cursor to events [first, end).
  absl::Status ApplyCatchUp(const ReadPhase& phase, int first);

  StreamContext& ctx_;
  absl::flat_hash_map<uint32_t, TableRefInfo> refs_;
  // The end of the last event taken into a batch. After a reconnect the
  // server sends the interrupted transaction again from its start; what
  // lies up to here the subscriber already has (or will get from the batch)
  // and is dropped, unless a different transaction (GTID) shows up there:
  // a server that lost a transaction it never committed writes the next
  // one in its place.
  std::string seen_file_;
  uint64_t seen_position_ = 0;
  std::string open_gtid_;       // GTID of the transaction being converted.
  std::string abandoned_gtid_;  // The one cut off by the last outage.
  bool replaying_ = false;
  std::vector<binlog::Event> events_;
};

absl::Status BinlogReader::ApplyCatchUp(const ReadPhase& phase, int first) {
  auto* events = ctx_.batch.message().mutable_events();
  int out = first;
  for (int i = first; i < events->size(); ++i) {
    v1::ChangeEvent* e = events->Mutable(i);
    bool keep = true;
    if (e->has_row() && phase.catch_up != nullptr) {
      auto it = refs_.find(e->row().table_ref());
      if (it != refs_.end() && phase.catch_up->Covers(it->second.schema, it->second.table)) {
        absl::StatusOr<bool> admit = phase.catch_up->Admit(
            it->second.schema, it->second.table, it->second.primary_key, e->mutable_row());
        if (!admit.ok()) return admit.status();
        keep = *admit;
      }
    } else if (e->has_commit() && phase.cursor != nullptr) {
      ResumePoint point = ctx_.converter.committed();
      point.snapshot = *phase.cursor;
      e->mutable_commit()->set_resume_token(EncodeResumeToken(point));
    }
    if (keep) {
      if (out != i) events->SwapElements(out, i);
      ++out;
    }
  }
  if (out < events->size()) events->DeleteSubrange(out, events->size() - out);
  return absl::OkStatus();
}

asio::awaitable<absl::Status> BinlogReader::Read(ReadPhase phase) {
  auto executor = co_await asio::this_coro::executor;
  ChangeConverter& converter = ctx_.converter;
  Batch& batch = ctx_.batch;
  CallControl& control = ctx_.control;
  const ChangeStreamLimits& limits = ctx_.limits;
  // Heartbeats arrive every period while the server is idle, so this much
  // silence means the link is dead even if TCP has not noticed.
  const std::chrono::milliseconds silence =
      phase.dump.heartbeat_period * 3 + std::chrono::milliseconds(5000);
  mysqlwire::BinlogDumpOptions dump = phase.dump;

  uint32_t attempt = 0;  // In the current outage; reset by progress.
  bool reconnecting = false;
  std::chrono::steady_clock::time_point outage_start;

  while (true) {
    absl::Status lost;  // Why this connection ended.
    bool ended = false;
    {
      mysqlwire::Connection repl(executor);
      binlog::Decoder decoder;  // The server starts over with a format event.
      lost = co_await repl.Connect(ctx_.backend);
      std::optional<mysqlwire::BinlogStream> stream;
      if (lost.ok()) {
        stream.emplace(repl);
        lost = co_await stream->Start(dump);
      }
      if (lost.ok() && reconnecting) {
        reconnecting = false;
        AddStatus(v1::StreamStatus::STATE_RESUMED, "", attempt, seen_file_, seen_position_, batch);
        if (absl::Status s = co_await batch.Flush(ctx_.sink); !s.ok()) co_return s;
      }
      auto dog = std::make_shared<Watchdog>(executor);
      if (lost.ok()) {
        // A cancelled subscriber must not wait for the next event to notice.
        control.SetOnCancel([&repl] { repl.Close(); });
        if (dump.heartbeat_period.count() > 0) {
          dog->connection = &repl;
          asio::co_spawn(executor, WatchConnection(dog, silence), asio::detached);
        }
      }
      while (lost.ok()) {
        if (control.cancelled()) {
          lost = control.reason();
          break;
        }
        absl::StatusOr<std::optional<absl::string_view>> next = co_await stream->Next();
        if (!next.ok()) {
          lost = next.status();
          break;
        }
        ++dog->events;
        if (!next->has_value()) {
          if (!dump.stop_at_end) {
            // A following dump has no end: the server is going away (it
            // sends EOF to its replicas when it shuts down).
            lost = absl::UnavailableError("the server ended the binlog dump (shutting down?)");
            break;
          }
          // UNTIL_NOW: the server reached its end.
          lost = co_await batch.Flush(ctx_.sink);
          ended = true;
          break;
        }
        const absl::string_view raw = **next;
        batch.AddBinlogBytes(raw.size());
        events_.clear();
        if (absl::Status s = decoder.Decode(raw, &events_); !s.ok()) {
          lost = absl::DataLossError(absl::StrCat("cannot decode the binlog at ", converter.file(),
                                                  ":", LogPosOf(raw), ": ", s.message()));
          break;
        }
        bool heartbeat = false;
        const int first_new = batch.events();
        for (const binlog::Event& e : events_) {
          if (const auto* hb = std::get_if<binlog::HeartbeatEvent>(&e.body)) {
            if (replaying_) continue;
            heartbeat = true;
            auto* h = batch.message().add_events()->mutable_heartbeat();
            h->mutable_position()->set_file(hb->log_file.empty() ? converter.file() : hb->log_file);
            h->mutable_position()->set_position(hb->position);
            continue;
          }
          // ---- Schema tracking: a TABLE_MAP without names needs its table's
          // definition before it is converted (the converter is synchronous).
          // The watchdog must not take the load for a silent server.
          if (ctx_.schemas != nullptr && ctx_.schemas->NeedsLoad(e)) {
            ++dog->events;
            co_await ctx_.schemas->Load(e, converter.file(), LogPosOf(raw));
            ++dog->events;
          }
          // ---- end schema tracking
          if (absl::Status s = converter.Convert(e, LogPosOf(raw), batch.message().mutable_events());
              !s.ok()) {
            lost = s;
            break;
          }
        }
        if (!lost.ok()) break;
        NoteTableSchemas(first_new);
        for (int i = first_new; i < batch.events(); ++i) {
          const v1::ChangeEvent& ev = batch.message().events(i);
          if (ev.has_begin()) {
            open_gtid_ = ev.begin().gtid();
            if (replaying_ && !abandoned_gtid_.empty() && open_gtid_ != abandoned_gtid_) {
              replaying_ = false;
            }
          } else if (ev.has_commit()) {
            open_gtid_.clear();
          }
        }
        if (replaying_) {
          if (ComparePositions(converter.file(), converter.position(), seen_file_,
                               seen_position_) <= 0) {
            batch.message().mutable_events()->DeleteSubrange(first_new,
                                                             batch.events() - first_new);
            continue;
          }
          replaying_ = false;
        }
        if (phase.catch_up != nullptr || phase.cursor != nullptr) {
          if (absl::Status s = ApplyCatchUp(phase, first_new); !s.ok()) {
            lost = s;
            break;
          }
        }
        if (!heartbeat) {
          seen_file_ = converter.file();
          seen_position_ = converter.position();
        }
        if (batch.events() > first_new) attempt = 0;  // Progress ends an outage.
        batch.Account(first_new);
        const bool at_end = phase.end.has_value() && !converter.in_transaction() &&
                            Reached(*phase.end, converter.file(), converter.position());
        // Flush a full batch; otherwise at a commit when nothing more is
        // already waiting in the connection (low latency when quiet, big
        // batches under load), and at once for a heartbeat.
        if (static_cast<uint32_t>(batch.events()) >= ctx_.max_events ||
            batch.bytes() >= ctx_.max_bytes || heartbeat || at_end ||
            (converter.just_committed() && !repl.has_buffered_input())) {
          if (absl::Status s = co_await batch.Flush(ctx_.sink); !s.ok()) {
            lost = s;
            ended = true;  // The subscriber is gone: nothing to reconnect for.
            break;
          }
        }
        if (at_end) {
          ended = true;
          break;
        }
      }
      dog->connection = nullptr;
      dog->timer.cancel();
      control.ClearOnCancel();
      repl.Close();
      if (dog->fired && !control.cancelled()) {
        lost = absl::UnavailableError(absl::StrCat(
            "no event or heartbeat from the server for ", silence.count(), " ms"));
      }
    }
    if (ended) co_return lost;
    if (control.cancelled()) co_return control.reason();
    if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(lost);
        e.has_value() && e->code == 1236) {
      co_return co_await PurgedPositionError(ctx_.backend, *e);
    }
    const bool transient = IsTransient(lost);
    if (transient && limits.reconnect_timeout.count() > 0) {
      const auto now = std::chrono::steady_clock::now();
      if (attempt == 0) outage_start = now;
      if (now - outage_start < limits.reconnect_timeout) {
        ++attempt;
        reconnecting = true;
        AddStatus(v1::StreamStatus::STATE_RECONNECTING, lost.message(), attempt, seen_file_,
                  seen_position_, batch);
        if (absl::Status s = co_await batch.Flush(ctx_.sink); !s.ok()) co_return s;
        if (limits.on_reconnect) limits.on_reconnect();
        auto backoff = limits.reconnect_initial_backoff * (1 << std::min<uint32_t>(attempt - 1, 10));
        backoff = std::min<std::chrono::milliseconds>(backoff, std::chrono::milliseconds(5000));
        asio::steady_timer timer(executor);
        timer.expires_after(backoff);
        control.SetOnCancel([&timer] { timer.cancel(); });
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        control.ClearOnCancel();
        if (control.cancelled()) co_return control.reason();
        abandoned_gtid_ = converter.in_transaction() ? open_gtid_ : std::string();
        open_gtid_.clear();
        converter.AbandonTransaction();
        dump = ResumeDump(ctx_.plan, converter.committed());
        dump.stop_at_end = phase.dump.stop_at_end;
        replaying_ = !seen_file_.empty();
        continue;
      }
    }
    if (transient) {
      co_return absl::UnavailableError(absl::StrCat(
          "the binlog stream from the backend broke: ", lost.message(),
          attempt > 0 ? absl::StrCat(" (gave up reconnecting after ", attempt, " attempts)") : "",
          "; resume from the last commit's resume_token"));
    }
    co_return lost;
  }
}

void AddProgress(v1::SnapshotProgress::Phase phase, const TableName* table, uint64_t rows,
                 const ResumePoint& at, const std::string& token, Batch& batch) {
  const int first = batch.events();
  v1::SnapshotProgress* p = batch.message().add_events()->mutable_snapshot();
  p->set_phase(phase);
  if (table != nullptr) {
    p->set_schema(table->schema);
    p->set_table(table->table);
  }
  p->set_rows(rows);
  p->mutable_position()->set_file(at.file);
  p->mutable_position()->set_position(at.position);
  p->set_gtid_state(at.gtid_state);
  p->set_resume_token(token);
  batch.Account(first);
}

std::string CursorToken(const ResumePoint& at, const SnapshotCursor& cursor) {
  ResumePoint point = at;
  point.snapshot = cursor;
  return EncodeResumeToken(point);
}

// Copies cursor.remaining from the open snapshot `snap` (taken at `at`)
// into the stream, table by table in key order, with progress events.
asio::awaitable<absl::Status> CopyTables(StreamContext& ctx, mysqlwire::Connection& snap,
                                         const ResumePoint& at, SnapshotCursor cursor) {
  Batch& batch = ctx.batch;
  const uint32_t progress_rows = cursor.progress_rows > 0 ? cursor.progress_rows : 10000;
  while (!cursor.remaining.empty()) {
    const TableName table = cursor.remaining.front();
    absl::StatusOr<std::vector<std::string>> key = co_await PrimaryKeyColumns(snap, table);
    if (!key.ok()) co_return key.status();
    v1::Row last_key;
    const bool after = !cursor.last_key.empty() && !key->empty() &&
                       last_key.ParseFromString(cursor.last_key) && KeyComparable(last_key) &&
                       last_key.values_size() == static_cast<int>(key->size());
    const bool restarted = !after && !cursor.last_key.empty();
    if (!after) cursor.last_key.clear();
    std::vector<mysqlwire::Value> params;
    if (after) {
      absl::StatusOr<std::vector<mysqlwire::Value>> p = KeyParameters(last_key);
      if (!p.ok()) co_return p.status();
      params = *std::move(p);
    }
    absl::StatusOr<mysqlwire::PreparedStatement> stmt =
        co_await snap.Prepare(CopyStatement(table, *key, after));
    if (!stmt.ok()) co_return stmt.status();
    absl::StatusOr<mysqlwire::ResultHead> head = co_await snap.StartExecute(*stmt, params);
    if (!head.ok()) co_return head.status();

    const int first = batch.events();
    v1::TableSchema* schema = batch.message().add_events()->mutable_table_schema();
    const uint32_t ref = ctx.converter.ReserveTableRef();
    schema->set_table_ref(ref);
    schema->set_schema(table.schema);
    schema->set_table(table.table);
    std::vector<int> key_index;
    for (size_t i = 0; i < head->columns.size(); ++i) {
      ColumnToProto(head->columns[i], schema->add_columns());
    }
    for (const std::string& k : *key) {
      for (size_t i = 0; i < head->columns.size(); ++i) {
        if (head->columns[i].org_name == k || head->columns[i].name == k) {
          schema->add_primary_key(static_cast<uint32_t>(i));
          key_index.push_back(static_cast<int>(i));
          break;
        }
      }
    }
    batch.Account(first);
    AddProgress(v1::SnapshotProgress::PHASE_TABLE_STARTED, &table, 0, at, "", batch);
    if (restarted) batch.message().mutable_events()->rbegin()->mutable_snapshot()->set_restarted(true);

    uint64_t rows = 0;
    std::vector<mysqlwire::Value> row;
    while (true) {
      absl::StatusOr<bool> more = co_await snap.ReadRow(&row);
      if (!more.ok()) co_return more.status();
      if (!*more) break;
      const int at_event = batch.events();
      v1::RowChange* change = batch.message().add_events()->mutable_row();
      change->set_table_ref(ref);
      change->set_kind(v1::CHANGE_KIND_SNAPSHOT);
      v1::RowImage* image = change->mutable_after();
      for (size_t i = 0; i < row.size() && i < head->columns.size(); ++i) {
        ToProto(std::move(row[i]), head->columns[i], image->add_values());
      }
      batch.Account(at_event);
      ++rows;
      if (rows % progress_rows == 0) {
        std::string token;
        if (key_index.size() == key->size() && !key_index.empty()) {
          v1::Row k;
          for (int i : key_index) *k.add_values() = image->values(i);
          cursor.last_key = k.SerializeAsString();
          token = CursorToken(at, cursor);
        }
        AddProgress(v1::SnapshotProgress::PHASE_CHUNK, &table, rows, at, token, batch);
      }
      if (static_cast<uint32_t>(batch.events()) >= ctx.max_events ||
          batch.bytes() >= ctx.max_bytes) {
        if (absl::Status s = co_await batch.Flush(ctx.sink); !s.ok()) co_return s;
        if (ctx.control.cancelled()) co_return ctx.control.reason();
      }
    }
    (void)co_await snap.CloseStatement(*stmt);
    cursor.done.push_back(table);
    cursor.remaining.erase(cursor.remaining.begin());
    cursor.last_key.clear();
    AddProgress(v1::SnapshotProgress::PHASE_TABLE_DONE, &table, rows, at,
                CursorToken(at, cursor), batch);
    if (absl::Status s = co_await batch.Flush(ctx.sink); !s.ok()) co_return s;
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<absl::Status> ChangeStream::Run(ChangeSink& sink, CallControl& control) {
  auto executor = co_await asio::this_coro::executor;

  absl::StatusOr<StartPlan> plan = co_await ResolveStart(backend_, request_, server_id_);
  if (!plan.ok()) co_return plan.status();

  TableFilter filter(request_.filter(), principal_);
  ConverterOptions converter_options;
  converter_options.omit_before_images = request_.omit_before_images();
  converter_options.include_ddl = request_.filter().include_ddl();
  for (int k : request_.filter().kinds()) {
    converter_options.kinds.push_back(static_cast<v1::ChangeKind>(k));
  }
  Batch batch;
  batch.set_progress(progress_);
  const uint32_t max_events =
      request_.max_batch_events() > 0 ? request_.max_batch_events() : limits_.default_batch_events;
  const uint64_t max_bytes =
      request_.max_batch_bytes() > 0 ? request_.max_batch_bytes() : limits_.default_batch_bytes;

  // A snapshot: open it first; its point is where the binlog goes on.
  std::unique_ptr<mysqlwire::Connection> snap;
  ResumePoint snapshot_point;
  if (plan->snapshot.has_value()) {
    snap = std::make_unique<mysqlwire::Connection>(executor);
    mysqlwire::ConnectOptions options = backend_;
    options.init_statements.clear();
    if (absl::Status s = co_await snap->Connect(options); !s.ok()) {
      co_return absl::UnavailableError(absl::StrCat("cannot reach the backend: ", s.message()));
    }
    absl::StatusOr<ResumePoint> at = co_await OpenSnapshot(*snap);
    if (!at.ok()) co_return at.status();
    snapshot_point = *std::move(at);
    if (plan->fresh_snapshot) {
      absl::StatusOr<std::vector<TableName>> tables =
          co_await SnapshotTables(*snap, request_.snapshot().tables(), filter);
      if (!tables.ok()) co_return tables.status();
      plan->snapshot->remaining = *std::move(tables);
      plan->start = snapshot_point;
    }
    if (plan->end.has_value() &&
        ComparePositions(plan->end->file, plan->end->position, snapshot_point.file,
                         snapshot_point.position) < 0) {
      plan->end = EndPoint{snapshot_point.file, snapshot_point.position};
    }
  }

  ChangeConverter converter(converter_options, &filter, plan->start);
  StreamContext ctx{backend_, limits_, *plan, converter, batch, sink, control, max_events, max_bytes};
  BinlogReader reader(ctx);
  // ---- Schema tracking (schema_tracker.h, schema_loader.h): column names
  // for TABLE_MAPs without them (binlog_row_metadata=MINIMAL). Connects to
  // the server only when such a TABLE_MAP shows up.
  StreamSchemas schemas(backend_, {&AcquireReplicaServerId, &ReleaseReplicaServerId}, &filter);
  converter.set_schema_tracker(&schemas.tracker());
  ctx.schemas = &schemas;
  // ---- end schema tracking

  if (plan->snapshot.has_value()) {
    const SnapshotCursor& cursor = *plan->snapshot;
    AddProgress(v1::SnapshotProgress::PHASE_STARTED, nullptr, 0, snapshot_point, "", batch);
    // Resuming: bring what the subscriber has up to the new snapshot first.
    if (!plan->fresh_snapshot &&
        ComparePositions(plan->start.file, plan->start.position, snapshot_point.file,
                         snapshot_point.position) < 0) {
      CatchUpFilter catch_up(cursor);
      ReadPhase phase;
      phase.dump = plan->dump;
      phase.dump.stop_at_end = false;
      phase.end = EndPoint{snapshot_point.file, snapshot_point.position};
      phase.catch_up = &catch_up;
      phase.cursor = &cursor;
      if (absl::Status s = co_await reader.Read(phase); !s.ok()) co_return s;
    }
    control.SetOnCancel([&snap] { snap->Close(); });
    absl::Status copied = co_await CopyTables(ctx, *snap, snapshot_point, cursor);
    control.ClearOnCancel();
    if (!copied.ok()) co_return control.cancelled() ? control.reason() : copied;
    co_await snap->Quit();
    AddProgress(v1::SnapshotProgress::PHASE_DONE, nullptr, 0, snapshot_point,
                EncodeResumeToken(snapshot_point), batch);
    if (absl::Status s = co_await batch.Flush(sink); !s.ok()) co_return s;
    plan->start = snapshot_point;
    plan->dump = ResumeDump(*plan, snapshot_point);
  }

  ReadPhase phase;
  phase.dump = plan->dump;
  phase.end = plan->end;
  co_return co_await reader.Read(phase);
}

}  // namespace mysqlgw
