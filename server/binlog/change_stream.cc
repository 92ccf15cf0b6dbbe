#include "server/binlog/change_stream.h"

#include <openssl/rand.h>

#include <mutex>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "google/protobuf/arena.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog_stream.h"
#include "mysqlwire/connection.h"
#include "mysqlwire/error.h"
#include "server/binlog/change_converter.h"
#include "server/binlog/resume_token.h"
#include "server/binlog/table_filter.h"

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

// Runs SQL on a short-lived connection and returns the first row.
asio::awaitable<absl::StatusOr<std::vector<mysqlwire::Value>>> FirstRow(
    mysqlwire::Connection& conn, const std::string& sql) {
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r = co_await conn.Query(sql);
  if (!r.ok()) co_return r.status();
  if (r->empty() || (*r)[0].rows.empty()) {
    co_return absl::FailedPreconditionError(absl::StrCat(sql, " returned no row"));
  }
  co_return std::move((*r)[0].rows[0]);
}

std::string AsText(const mysqlwire::Value& v) {
  switch (v.kind()) {
    case mysqlwire::Value::Kind::kString:
      return v.as_string();
    case mysqlwire::Value::Kind::kBytes:
      return v.as_bytes();
    case mysqlwire::Value::Kind::kUint64:
      return absl::StrCat(v.as_uint64());
    case mysqlwire::Value::Kind::kInt64:
      return absl::StrCat(v.as_int64());
    default:
      return "";
  }
}

// Where to stop an UNTIL_NOW stream: the end of the log when it began.
struct EndPoint {
  std::string file;
  uint64_t position = 0;
};

bool Reached(const EndPoint& end, const std::string& file, uint64_t position) {
  // Binlog file names sort by their sequence number suffix.
  return file > end.file || (file == end.file && position >= end.position);
}

// The response being filled. It lives on an arena: its thousands of small
// messages are freed at once after it is sent, not one by one.
class Batch {
 public:
  Batch() { Renew(); }
  v1::StreamBinlogResponse& message() { return *message_; }
  int events() const { return message_->events_size(); }
  uint64_t bytes() const { return bytes_; }
  // Accounts for the events added since index `first`.
  void Account(int first) {
    for (int i = first; i < message_->events_size(); ++i) {
      bytes_ += message_->events(i).ByteSizeLong();
    }
  }
  asio::awaitable<absl::Status> Flush(ChangeSink& sink) {
    if (message_->events_size() == 0) co_return absl::OkStatus();
    serialized_.clear();
    message_->SerializeToString(&serialized_);
    Renew();
    co_return co_await sink.Write(serialized_);
  }

 private:
  void Renew() {
    arena_.Reset();
    message_ = google::protobuf::Arena::CreateMessage<v1::StreamBinlogResponse>(&arena_);
    bytes_ = 0;
  }

  google::protobuf::Arena arena_;
  v1::StreamBinlogResponse* message_ = nullptr;
  uint64_t bytes_ = 0;
  std::string serialized_;
};

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

asio::awaitable<absl::Status> ChangeStream::Run(ChangeSink& sink, CallControl& control) {
  auto executor = co_await asio::this_coro::executor;

  // Resolve the start (and, for UNTIL_NOW, the end) on a plain connection.
  mysqlwire::Connection sql(executor);
  if (absl::Status s = co_await sql.Connect(backend_); !s.ok()) {
    co_return absl::UnavailableError(absl::StrCat("cannot reach the backend: ", s.message()));
  }
  const bool mariadb = sql.is_mariadb();
  mysqlwire::BinlogDumpOptions dump;
  dump.server_id = server_id_;
  ResumePoint start;
  switch (request_.start_case()) {
    case v1::StreamBinlogRequest::kResumeToken: {
      absl::StatusOr<ResumePoint> point = DecodeResumeToken(request_.resume_token());
      if (!point.ok()) co_return point.status();
      start = *std::move(point);
      if (mariadb && !start.gtid_state.empty()) {
        dump.mariadb_gtid_state = start.gtid_state;
      } else {
        dump.file = start.file;
        dump.position = start.position;
      }
      break;
    }
    case v1::StreamBinlogRequest::kGtidSet: {
      const std::string& set = request_.gtid_set();
      if (mariadb) {
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
      if (request_.position().file().empty()) {
        co_return absl::InvalidArgumentError("position.file is empty");
      }
      start.file = dump.file = request_.position().file();
      start.position = dump.position = std::max<uint64_t>(4, request_.position().position());
      break;
    case v1::StreamBinlogRequest::kEarliest: {
      absl::StatusOr<std::vector<mysqlwire::Value>> first = co_await FirstRow(sql, "SHOW BINARY LOGS");
      if (!first.ok()) co_return first.status();
      start.file = dump.file = AsText((*first)[0]);
      start.position = dump.position = 4;
      break;
    }
    default: {  // now
      if (mariadb) {
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
  std::optional<EndPoint> end;
  if (request_.mode() == v1::StreamBinlogRequest::MODE_UNTIL_NOW) {
    absl::StatusOr<std::vector<mysqlwire::Value>> status = co_await FirstRow(sql, "SHOW MASTER STATUS");
    if (!status.ok()) co_return status.status();
    end = EndPoint{AsText((*status)[0]), std::stoull(AsText((*status)[1]))};
    dump.stop_at_end = true;
  }
  dump.heartbeat_period = std::chrono::milliseconds(1000);
  if (request_.has_heartbeat_interval()) {
    dump.heartbeat_period = std::chrono::milliseconds(
        request_.heartbeat_interval().seconds() * 1000 + request_.heartbeat_interval().nanos() / 1000000);
  }
  co_await sql.Quit();

  mysqlwire::Connection repl(executor);
  if (absl::Status s = co_await repl.Connect(backend_); !s.ok()) {
    co_return absl::UnavailableError(absl::StrCat("cannot reach the backend: ", s.message()));
  }
  mysqlwire::BinlogStream stream(repl);
  if (absl::Status s = co_await stream.Start(dump); !s.ok()) co_return s;
  // A cancelled subscriber must not wait for the next event to notice.
  control.SetOnCancel([&repl] { repl.Close(); });

  TableFilter filter(request_.filter(), principal_);
  ConverterOptions converter_options;
  converter_options.omit_before_images = request_.omit_before_images();
  converter_options.include_ddl = request_.filter().include_ddl();
  for (int k : request_.filter().kinds()) {
    converter_options.kinds.push_back(static_cast<v1::ChangeKind>(k));
  }
  ChangeConverter converter(converter_options, &filter, start);
  binlog::Decoder decoder;
  const uint32_t max_events =
      request_.max_batch_events() > 0 ? request_.max_batch_events() : limits_.default_batch_events;
  const uint64_t max_bytes =
      request_.max_batch_bytes() > 0 ? request_.max_batch_bytes() : limits_.default_batch_bytes;

  Batch batch;
  std::vector<binlog::Event> events;

  absl::Status result = absl::OkStatus();
  while (true) {
    if (control.cancelled()) {
      result = control.reason();
      break;
    }
    absl::StatusOr<std::optional<absl::string_view>> next = co_await stream.Next();
    if (!next.ok()) {
      if (control.cancelled()) {
        result = control.reason();
      } else if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(next.status());
                 e.has_value() && e->code == 1236) {
        // Name the oldest position the server still has.
        std::string oldest = "unknown";
        mysqlwire::Connection probe(executor);
        if ((co_await probe.Connect(backend_)).ok()) {
          absl::StatusOr<std::vector<mysqlwire::Value>> first =
              co_await FirstRow(probe, "SHOW BINARY LOGS");
          if (first.ok()) oldest = absl::StrCat(AsText((*first)[0]), ":4");
          co_await probe.Quit();
        }
        result = absl::FailedPreconditionError(absl::StrCat(
            "the requested binlog position is not available on the server (", e->message,
            "); the oldest available is ", oldest, " (start.earliest)"));
      } else {
        result = absl::UnavailableError(absl::StrCat(
            "the binlog stream from the backend broke: ", next.status().message(),
            "; resume from the last commit's resume_token"));
      }
      break;
    }
    if (!next->has_value()) {  // UNTIL_NOW: the server reached its end.
      result = co_await batch.Flush(sink);
      break;
    }
    const absl::string_view raw = **next;
    events.clear();
    if (absl::Status s = decoder.Decode(raw, &events); !s.ok()) {
      result = absl::DataLossError(absl::StrCat("cannot decode the binlog at ", converter.file(),
                                                ":", LogPosOf(raw), ": ", s.message()));
      break;
    }
    bool heartbeat = false;
    const int first_new = batch.events();
    for (const binlog::Event& e : events) {
      if (const auto* hb = std::get_if<binlog::HeartbeatEvent>(&e.body)) {
        heartbeat = true;
        auto* h = batch.message().add_events()->mutable_heartbeat();
        h->mutable_position()->set_file(hb->log_file.empty() ? converter.file() : hb->log_file);
        h->mutable_position()->set_position(hb->position);
        continue;
      }
      if (absl::Status s = converter.Convert(e, LogPosOf(raw), batch.message().mutable_events());
          !s.ok()) {
        result = s;
        break;
      }
    }
    if (!result.ok()) break;
    batch.Account(first_new);
    const bool at_end = end.has_value() && converter.just_committed() &&
                        Reached(*end, converter.file(), converter.position());
    // Flush a full batch; otherwise at a commit when nothing more is already
    // waiting in the connection (low latency when quiet, big batches under
    // load), and at once for a heartbeat.
    if (static_cast<uint32_t>(batch.events()) >= max_events || batch.bytes() >= max_bytes ||
        heartbeat || at_end ||
        (converter.just_committed() && !repl.has_buffered_input())) {
      if (absl::Status s = co_await batch.Flush(sink); !s.ok()) {
        result = s;
        break;
      }
    }
    if (at_end) break;
  }
  control.ClearOnCancel();
  repl.Close();
  co_return result;
}

}  // namespace mysqlgw
