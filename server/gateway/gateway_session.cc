// Gateway: MySQL-protocol sessions multiplexed over the pools (see
// session.h). Kept apart from gateway.cc, which serves gRPC calls.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mysqlwire/protocol/capabilities.h"
#include "server/gateway/gateway.h"

namespace mysqlgw {
namespace asio = boost::asio;

namespace {

// Settings replayed per session, at most; beyond that the session pins
// (kPinSessionState) rather than grow the replay without bound.
constexpr size_t kMaxReplayedSettings = 32;

}  // namespace

size_t Gateway::BackendIndex(const Backend& backend) const {
  for (size_t i = 0; i < backends_.size(); ++i) {
    if (backends_[i].get() == &backend) return i;
  }
  return 0;
}

absl::Status Gateway::AdmitSession(const CallInfo& call) {
  return Admit(call, *interceptor_->Current());
}

asio::awaitable<absl::Status> Gateway::RunInSession(const CallInfo& call, Session& session,
                                                    Statement statement, ResultSink& sink,
                                                    CallControl& control) {
  if (session.state_lost_) {
    co_return absl::UnavailableError("the session's backend connection was lost");
  }
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  absl::StatusOr<Work> work = PrepareBuilt(call, *policy, std::move(statement), session.options_,
                                           session.no_transaction_);
  if (!work.ok()) co_return work.status();
  work->session = &session;
  // A pinned session behaves as a transaction: its own connection, on the
  // primary, never retried elsewhere.
  work->context.in_transaction = session.pins_ != 0;
  co_return co_await RunIntercepted(*work, sink, control);
}

asio::awaitable<absl::Status> Gateway::RunSessionSetup(const CallInfo& call, Session& session,
                                                       Statement statement, ResultSink& sink,
                                                       CallControl& control) {
  const std::shared_ptr<const Policy> policy = interceptor_->Current();
  absl::StatusOr<Work> work = PrepareBuilt(call, *policy, std::move(statement), session.options_,
                                           session.no_transaction_);
  if (!work.ok()) co_return work.status();
  work->session = &session;
  co_return co_await Run(*work, sink, control);
}

asio::awaitable<absl::Status> Gateway::RunOnceInSession(const Work& work, ResultSink& sink,
                                                        CallControl& control, bool* retryable) {
  Session& session = *work.session;
  const CallInfo& call = *work.call;
  Backend* backend = work.backend != nullptr ? work.backend : &Primary();
  const std::chrono::milliseconds timeout = TimeoutFor(work);
  ExecutionReport report;
  PooledConnection conn;
  bool from_pool = false;
  if (session.pinned_) {
    conn = std::move(session.pinned_);
    backend = backends_[session.pinned_backend_].get();
    pinned_sessions_.fetch_sub(1, std::memory_order_relaxed);
  } else {
    absl::StatusOr<PooledConnection> acquired =
        co_await backend->shards[call.shard]->Acquire(call.deadline);
    if (!acquired.ok()) {
      absl::Status s = BackendUnavailable(backend->name, acquired.status());
      *retryable = s.code() == absl::StatusCode::kUnavailable;
      co_return s;
    }
    conn = *std::move(acquired);
    from_pool = true;
    if (!session.replay_.empty()) {
      // The session's settings, in one round trip.
      absl::Status s = co_await backend->executor->RunSimple(
          *conn, absl::StrJoin(session.replay_, ";"), control, &report);
      if (!s.ok()) {
        if (report.state_in_doubt || !conn->usable()) conn.Discard();
        *retryable = IsTransient(s);
        co_return s;
      }
    }
  }
  const size_t backend_index = BackendIndex(*backend);
  const std::string& db = session.database();
  if (!db.empty() && conn->current_database() != db) {
    absl::Status s = co_await conn->SelectDatabase(db);
    if (!s.ok()) {
      *retryable = from_pool && IsTransient(s);
      const bool in_doubt = !conn->usable();
      SettleSession(session, work, std::move(conn), backend_index, from_pool, s, in_doubt);
      co_return s;
    }
  }
  absl::Status s =
      co_await backend->executor->Run(*conn, work.statement, sink, control, timeout, &report);
  if (!s.ok()) *retryable = from_pool && !report.killed && IsTransient(s);
  const bool in_doubt = report.state_in_doubt || !conn->usable();
  SettleSession(session, work, std::move(conn), backend_index, from_pool, s, in_doubt);
  if (session.state_lost_) {
    *retryable = false;
    co_return absl::UnavailableError(absl::StrCat(
        "the backend connection holding this session's state was lost: ", s.message()));
  }
  co_return s;
}

void Gateway::SettleSession(Session& session, const Work& work, PooledConnection conn,
                            size_t backend_index, bool from_pool, const absl::Status& status,
                            bool state_in_doubt) {
  const uint32_t before = session.pins_;
  if (state_in_doubt) {
    conn.Discard();
    // Whatever the session kept there is gone with it.
    if (before != 0) session.state_lost_ = true;
    session.pins_ = 0;
    return;
  }
  const SessionEffect effect = work.analysis != nullptr && work.analysis->effect.has_value()
                                   ? *work.analysis->effect
                                   : ClassifySessionEffect(work.statement.sql);
  uint32_t pins = before;
  if (status.ok()) {
    pins = (pins | effect.pins) & ~effect.unpins;
    if (effect.replayable) {
      if (std::find(session.replay_.begin(), session.replay_.end(), work.statement.sql) ==
          session.replay_.end()) {
        if (session.replay_.size() < kMaxReplayedSettings) {
          session.replay_.push_back(work.statement.sql);
        } else {
          pins |= kPinSessionState;
        }
      }
    }
    if (work.kind == StatementKind::kUse) session.set_database(conn->current_database());
  }
  // The server's own word on transactions: open, or autocommit off.
  const uint16_t flags = conn->status_flags();
  if ((flags & mysqlwire::kServerStatusInTrans) || !(flags & mysqlwire::kServerStatusAutocommit)) {
    pins |= kPinTransaction;
  } else {
    pins &= ~kPinTransaction;
  }
  // A change the server reports that the text did not explain.
  if (status.ok() && (flags & mysqlwire::kServerSessionStateChanged) && effect.pins == 0 &&
      !effect.replayable && work.kind != StatementKind::kUse &&
      work.kind != StatementKind::kTransaction) {
    pins |= kPinSessionState;
  }
  for (int bit = 0; bit < kPinReasonCount; ++bit) {
    if ((pins & ~before) & (1u << bit)) pins_taken_[bit].fetch_add(1, std::memory_order_relaxed);
  }
  session.pins_ = pins;
  if (pins != 0) {
    session.pinned_ = std::move(conn);
    session.pinned_backend_ = backend_index;
    pinned_sessions_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // Free again: the session's settings live in its replay list, so the
  // connection may be reset for the next borrower.
  const bool clean = from_pool && session.replay_.empty() && !effect.replayable &&
                     !conn->session_state_changed() && IsReadOnly(work.kind);
  if (clean) {
    conn.ReleaseClean();
  } else {
    conn.Release();
  }
}

asio::awaitable<absl::StatusOr<Gateway::StatementDescription>> Gateway::DescribeInSession(
    const CallInfo& call, Session& session, const std::string& sql) {
  if (sql.size() > kMaxSqlBytes) {
    co_return absl::InvalidArgumentError(
        absl::StrCat("sql is ", sql.size(), " bytes; the limit is ", kMaxSqlBytes));
  }
  // Preparing runs nothing, but the principal must be allowed to run it.
  const StatementInfo info = AnalyzeStatement(sql);
  if (absl::Status s = Authorize(*call.principal, info.operation, session.database()); !s.ok()) {
    co_return s;
  }
  PooledConnection borrowed;
  mysqlwire::Connection* conn = nullptr;
  if (session.pinned_) {
    conn = &*session.pinned_;
  } else {
    absl::StatusOr<PooledConnection> acquired =
        co_await Primary().shards[call.shard]->Acquire(call.deadline);
    if (!acquired.ok()) co_return BackendUnavailable(Primary().name, acquired.status());
    borrowed = *std::move(acquired);
    conn = &*borrowed;
    if (!session.database().empty() && conn->current_database() != session.database()) {
      if (absl::Status s = co_await conn->SelectDatabase(session.database()); !s.ok()) {
        co_return s;
      }
    }
  }
  absl::StatusOr<const mysqlwire::PreparedStatement*> prepared = co_await conn->PrepareCached(sql);
  if (!prepared.ok()) {
    if (borrowed && !borrowed->usable()) borrowed.Discard();
    co_return prepared.status();
  }
  StatementDescription out;
  out.params = (*prepared)->params;
  out.columns = (*prepared)->columns;
  // Some servers send no parameter definitions: the count is what matters.
  out.params.resize((*prepared)->num_params);
  // The prepared statement stays in the connection's cache, ready for the
  // execute that usually follows.
  if (borrowed) borrowed.ReleaseClean();
  co_return out;
}

void Gateway::EndSession(Session& session) {
  if (session.pinned_) {
    session.pinned_.Release();
    pinned_sessions_.fetch_sub(1, std::memory_order_relaxed);
  }
  session.pins_ = 0;
  session.replay_.clear();
  session.state_lost_ = false;
}

}  // namespace mysqlgw
