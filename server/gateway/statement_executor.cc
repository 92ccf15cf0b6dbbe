#include "server/gateway/statement_executor.h"

#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/escaping.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Completion of a background KILL, awaited before the connection is let go
// so the KILL can never hit a later statement of another caller.
struct KillState {
  explicit KillState(asio::any_io_executor ex) : done_signal(ex), grace(ex) {
    done_signal.expires_at(asio::steady_timer::time_point::max());
  }
  bool started = false;
  bool done = false;
  asio::steady_timer done_signal;
  // The statement returned (Run no longer waits on the connection).
  bool statement_done = false;
  asio::steady_timer grace;
};

// How long a statement may stay silent once its KILL QUERY has been sent (or
// could not be): a server that got the KILL answers at once.
constexpr std::chrono::milliseconds kKillGrace{2000};

// Character sets in which a byte below 0x80 (a backslash, a quote) can be
// the second byte of a character, so client-side escaping can be subverted
// (mysqlwire/protocol/escaping.h): "\xbf\\'" reads as one character and a
// quote that ends the literal.
bool EscapingUnsafeCharset(absl::string_view name) {
  for (absl::string_view unsafe : {"big5", "cp932", "gbk", "sjis", "gb18030"}) {
    if (absl::EqualsIgnoreCase(name, unsafe)) return true;
  }
  return false;
}

// Interpolation escapes for the character set the connection was opened
// with (utf8mb4). A caller's SET NAMES survives inside a transaction, so
// once the session changed, the server is asked which character set it
// parses statements in; one where escaping is unsafe is refused.
asio::awaitable<absl::Status> CheckInterpolationCharset(mysqlwire::Connection& conn) {
  if (!conn.session_state_changed()) co_return absl::OkStatus();
  absl::StatusOr<std::vector<mysqlwire::ResultSet>> r =
      co_await conn.Query("SELECT @@SESSION.character_set_client");
  if (!r.ok()) co_return r.status();
  std::string charset;
  if (!r->empty() && !r->front().rows.empty() && !r->front().rows.front().empty()) {
    const mysqlwire::Value& v = r->front().rows.front().front();
    if (v.kind() == mysqlwire::Value::Kind::kString) charset = v.as_string();
    if (v.kind() == mysqlwire::Value::Kind::kBytes) charset = v.as_bytes();
  }
  if (charset.empty() || EscapingUnsafeCharset(charset)) {
    co_return absl::FailedPreconditionError(absl::StrCat(
        "parameter_mode INTERPOLATED is refused: the session's character set '", charset,
        "' lets escaped values end their literal; use PARAMETER_MODE_PREPARED or SET NAMES "
        "utf8mb4"));
  }
  co_return absl::OkStatus();
}

}  // namespace

asio::awaitable<void> StatementExecutor::KillQuery(uint32_t connection_id) {
  mysqlwire::Connection killer(co_await asio::this_coro::executor);
  mysqlwire::ConnectOptions options = kill_options_;
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.io_timeout = std::chrono::milliseconds(3000);
  if ((co_await killer.Connect(options)).ok()) {
    auto r = co_await killer.Query(absl::StrCat("KILL QUERY ", connection_id));
    (void)r;  // Best effort: the statement may have ended meanwhile.
    co_await killer.Quit();
  }
}

asio::awaitable<absl::Status> StatementExecutor::Run(mysqlwire::Connection& conn,
                                                     const Statement& statement,
                                                     ResultSink& sink, CallControl& call,
                                                     std::chrono::milliseconds timeout,
                                                     ExecutionReport* report) {
  if (call.cancelled()) co_return call.reason();
  auto executor = co_await asio::this_coro::executor;
  auto kill = std::make_shared<KillState>(executor);
  const uint32_t thread_id = conn.connection_id();
  call.SetOnCancel([this, kill, thread_id, executor, conn = &conn] {
    kill->started = true;
    asio::co_spawn(
        executor,
        [this, kill, thread_id, conn]() -> asio::awaitable<void> {
          co_await KillQuery(thread_id);
          kill->done = true;
          kill->done_signal.cancel();
          if (kill->statement_done) co_return;
          // Still no answer: the server or the network went silent (a stall,
          // a blackhole), and the KILL cannot reach the statement's socket.
          // Waiting on would hold the call and a pool slot forever; closing
          // the connection ends the statement with an error, and Run's
          // caller discards it. `conn` is valid while the statement runs.
          kill->grace.expires_after(kKillGrace);
          auto [ec] = co_await kill->grace.async_wait(kAsTuple);
          if (!ec && !kill->statement_done) conn->Close();
        },
        asio::detached);
  });

  std::optional<asio::steady_timer> timer;
  if (timeout.count() > 0) {
    timer.emplace(executor, timeout);
    timer->async_wait([&call, timeout](const boost::system::error_code& ec) {
      if (ec) return;
      call.CancelOnLoop(absl::DeadlineExceededError(absl::StrCat(
          "statement timeout of ", timeout.count(), " ms exceeded; the statement was killed")));
    });
  }

  absl::Status status = co_await RunInner(conn, statement, sink);
  kill->statement_done = true;
  kill->grace.cancel();
  call.ClearOnCancel();
  if (timer) timer->cancel();

  if (kill->started) {
    if (!kill->done) co_await kill->done_signal.async_wait(kAsTuple);
    report->killed = true;
    report->state_in_doubt = true;
    co_return call.reason();
  }
  if (!status.ok() && conn.in_result()) {
    // Stopped mid-result (a limit, a sink failure): unread rows remain.
    report->state_in_doubt = true;
  }
  co_return status;
}

asio::awaitable<absl::Status> StatementExecutor::RunSimple(mysqlwire::Connection& conn,
                                                           std::string sql,
                                                           CallControl& call,
                                                           ExecutionReport* report) {
  Statement st;
  st.sql = std::move(sql);
  mysqlgw::v1::StatementOutcome ignored;
  OutcomeSink sink(&ignored);
  co_return co_await Run(conn, st, sink, call, std::chrono::milliseconds(0), report);
}

asio::awaitable<absl::Status> StatementExecutor::RunInner(mysqlwire::Connection& conn,
                                                          const Statement& st,
                                                          ResultSink& sink) {
  absl::StatusOr<mysqlwire::ResultHead> head;
  // Set when the statement is ours to close (no per-connection cache).
  std::optional<mysqlwire::PreparedStatement> owned;
  if (!st.has_params) {
    head = co_await conn.StartQuery(st.sql);
  } else if (st.mode == v1::PARAMETER_MODE_INTERPOLATED) {
    if (absl::Status safe = co_await CheckInterpolationCharset(conn); !safe.ok()) co_return safe;
    absl::StatusOr<std::string> sql =
        mysqlwire::InterpolatePlaceholders(st.sql, st.params, conn.no_backslash_escapes());
    if (!sql.ok()) co_return sql.status();
    head = co_await conn.StartQuery(*sql);
  } else {
    // A cached statement the server forgot (1243) is prepared once more.
    for (int attempt = 0; attempt < 2; ++attempt) {
      absl::StatusOr<const mysqlwire::PreparedStatement*> ps =
          co_await conn.PrepareCached(st.sql);
      if (!ps.ok()) co_return ps.status();
      if (conn.statement_cache_capacity() == 0) owned = **ps;
      if ((*ps)->num_params != st.params.size()) {
        if (owned) {
          absl::Status closed = co_await conn.CloseStatement(*owned);
          (void)closed;
        }
        co_return absl::InvalidArgumentError(absl::StrCat(
            "the statement has ", (*ps)->num_params, " placeholder(s) but ",
            st.params.size(), " parameter(s) were given"));
      }
      head = co_await conn.StartExecute(**ps, st.params);
      std::optional<mysqlwire::ServerError> e =
          head.ok() ? std::nullopt : mysqlwire::GetServerError(head.status());
      if (!e.has_value() || e->code != 1243 || owned) break;
      conn.ForgetCached(st.sql);
    }
  }

  absl::Status status = absl::OkStatus();
  std::vector<mysqlwire::Value> row;
  while (true) {
    if (!head.ok()) {
      status = head.status();
      break;
    }
    status = sink.BeginResult(head->columns);
    if (!status.ok()) break;
    mysqlwire::OkPacket ok = head->ok;
    if (head->has_rows()) {
      while (true) {
        absl::StatusOr<bool> more = co_await conn.ReadRow(&row);
        if (!more.ok()) {
          status = more.status();
          break;
        }
        if (!*more) break;
        status = sink.AddRow(row);
        if (!status.ok()) break;
        row.clear();
        if (sink.WantsFlush()) {
          status = co_await sink.Flush();
          if (!status.ok()) break;
        }
      }
      if (!status.ok()) break;
      ok = conn.last_ok();
    }
    status = sink.EndResult(ok);
    if (!status.ok() || !conn.has_more_results()) break;
    head = co_await conn.NextResult();
  }
  if (status.ok()) status = co_await sink.Flush();
  if (owned.has_value() && conn.usable()) {
    absl::Status closed = co_await conn.CloseStatement(*owned);
    (void)closed;
  }
  co_return status;
}

}  // namespace mysqlgw
