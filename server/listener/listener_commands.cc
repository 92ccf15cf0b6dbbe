// ListenerSession: the client's commands, one handler each.
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/server_commands.h"
#include "mysqlwire/protocol/statement.h"
#include "server/gateway/session_effect.h"
#include "server/listener/admin_commands.h"
#include "server/listener/listener_session.h"
#include "server/listener/mysql_error.h"
#include "server/sql/identifier.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {
namespace asio = boost::asio;
using mysqlwire::Command;

namespace {

mysqlwire::ServerError Malformed() {
  return ListenerError(kErMalformedPacket, "Malformed communication packet.");
}

std::string PinNames(uint32_t pins) {
  std::vector<std::string> names;
  for (int bit = 0; bit < kPinReasonCount; ++bit) {
    if (pins & (1u << bit)) names.emplace_back(PinReasonName(1u << bit));
  }
  return absl::StrJoin(names, ",");
}

}  // namespace

asio::awaitable<bool> ListenerSession::Dispatch(const mysqlwire::ClientCommand& command) {
  switch (command.command()) {
    case Command::kQuit:
      co_return false;
    case Command::kPing:
      co_return co_await WriteOk();
    case Command::kQuery:
      co_return co_await HandleQuery(command);
    case Command::kInitDb:
      co_return co_await HandleInitDb(command);
    case Command::kStmtPrepare:
      co_return co_await HandlePrepare(command);
    case Command::kStmtExecute:
      co_return co_await HandleExecute(command);
    case Command::kStmtSendLongData: {
      // No reply; a malformed one is reported by nothing, as in MySQL.
      absl::StatusOr<mysqlwire::StmtSendLongData> data =
          mysqlwire::ParseStmtSendLongData(command.payload);
      if (data.ok()) statements_.AppendLongData(data->statement_id, data->param_id, data->data);
      co_return true;
    }
    case Command::kStmtClose: {
      absl::StatusOr<uint32_t> id =
          mysqlwire::ParseStmtIdCommand(command.payload, Command::kStmtClose);
      if (id.ok()) statements_.Close(*id);
      co_return true;  // No reply.
    }
    case Command::kStmtReset:
      co_return co_await HandleStmtReset(command);
    case Command::kStmtFetch: {
      // Cursors are not opened (COM_STMT_EXECUTE sends whole results), so
      // there is never anything to fetch.
      const mysqlwire::ServerError error =
          ListenerError(kErNotSupportedYet, "mysqlgw does not support cursors (COM_STMT_FETCH)");
      co_return co_await WriteError(error);
    }
    case Command::kResetConnection:
      co_return co_await HandleResetConnection();
    case Command::kChangeUser:
      co_return co_await HandleChangeUser(command);
    case Command::kSetOption: {
      absl::StatusOr<uint16_t> option = mysqlwire::ParseSetOption(command.payload);
      if (!option.ok() || *option > mysqlwire::kOptionMultiStatementsOff) {
        const mysqlwire::ServerError error = Malformed();
        co_return co_await WriteError(error);
      }
      // Whether the principal may send several statements at all is the
      // gateway's rule (the admin operation).
      multi_statements_ = *option == mysqlwire::kOptionMultiStatementsOn;
      co_return co_await WriteOk();
    }
    case Command::kFieldList:
      co_return co_await HandleFieldList();
    case Command::kStatistics:
      co_return co_await HandleStatistics();
    case Command::kProcessKill: {
      const absl::string_view payload = command.argument();
      if (payload.size() != 4) {
        const mysqlwire::ServerError error = Malformed();
        co_return co_await WriteError(error);
      }
      KillCommand kill;
      for (int i = 0; i < 4; ++i) {
        kill.connection_id |= static_cast<uint32_t>(static_cast<uint8_t>(payload[i])) << (8 * i);
      }
      co_return co_await HandleKill(kill);
    }
    default: {
      const mysqlwire::ServerError error = ListenerError(kErUnknownCommand, "Unknown command");
      co_return co_await WriteError(error);
    }
  }
}

asio::awaitable<bool> ListenerSession::HandleQuery(const mysqlwire::ClientCommand& command) {
  std::string sql(command.argument());
  if (std::optional<AdminCommand> admin = ParseAdminCommand(sql)) {
    co_return co_await HandleAdmin(*admin);
  }
  if (std::optional<KillCommand> kill = ParseKillCommand(sql)) {
    co_return co_await HandleKill(*kill);
  }
  if (!multi_statements_ && AnalyzeStatement(sql).multiple_statements) {
    const mysqlwire::ServerError error = ListenerError(
        kErParseError,
        "You have an error in your SQL syntax: several statements in one query need "
        "CLIENT_MULTI_STATEMENTS");
    co_return co_await WriteError(error);
  }
  Statement statement;
  statement.sql = std::move(sql);
  statement.has_params = false;
  co_return co_await RunStatement(std::move(statement), ClientResultSink::RowFormat::kText);
}

asio::awaitable<bool> ListenerSession::HandleKill(KillCommand command) {
  std::optional<mysqlwire::ServerError> error;
  if (command.connection_id == connection_id_) {
    error = KillFrom(call_.principal->name, true, command.query_only);
  } else if (context_.sessions == nullptr) {
    error = ListenerError(kErNoSuchThread, absl::StrCat("Unknown thread id: ", command.connection_id));
  } else {
    error = co_await context_.sessions->Kill(command.connection_id, command.query_only,
                                             *call_.principal);
  }
  if (error.has_value()) co_return co_await WriteError(*error);
  if (closing_) co_return false;  // Killed itself.
  co_return co_await WriteOk();
}

asio::awaitable<bool> ListenerSession::HandleAdmin(AdminCommand command) {
  if (!call_.principal->Allows(v1::OPERATION_ADMIN)) {
    const mysqlwire::ServerError error = ListenerError(
        kErSpecificAccessDenied,
        absl::StrCat("Access denied; principal '", call_.principal->name,
                     "' needs the admin operation for this command"));
    co_return co_await WriteError(error);
  }
  AdminResult result;
  if (command == AdminCommand::kRules) {
    std::vector<std::pair<std::string, uint64_t>> rules;
    std::shared_ptr<const Policy> policy = gateway_.interceptor().Current();
    if (const RulesHook* hook = policy->rules()) {
      const RuleStats& stats = hook->stats();
      for (size_t i = 0; i < stats.size(); ++i) rules.emplace_back(stats.name(i), stats.matches(i));
    }
    result = RulesResult(rules);
  } else {
    const ListenerStats& stats = *context_.stats;
    const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - context_.started);
    std::shared_ptr<const Policy> policy = gateway_.interceptor().Current();
    std::vector<std::pair<std::string, std::string>> vars = {
        {"version", context_.gateway_version},
        {"server_version", context_.handshake.server_version},
        {"uptime_seconds", absl::StrCat(uptime.count())},
        {"connections_open", absl::StrCat(stats.connections_open.load())},
        {"connections_total", absl::StrCat(stats.connections_total.load())},
        {"connections_refused", absl::StrCat(stats.connections_refused.load())},
        {"auth_failures", absl::StrCat(stats.auth_failures.load())},
        {"pinned_sessions", absl::StrCat(gateway_.pinned_sessions())},
    };
    for (int bit = 0; bit < kPinReasonCount; ++bit) {
      vars.emplace_back(absl::StrCat("pins_", PinReasonName(1u << bit)),
                        absl::StrCat(gateway_.session_pins(bit)));
    }
    vars.emplace_back("policy_generation", absl::StrCat(policy->generation()));
    vars.emplace_back("policy_reloads", absl::StrCat(gateway_.interceptor().reloads()));
    vars.emplace_back("statements_passed",
                      absl::StrCat(gateway_.verdicts(StatementPlan::Verdict::kPass)));
    vars.emplace_back("statements_rejected",
                      absl::StrCat(gateway_.verdicts(StatementPlan::Verdict::kReject)));
    vars.emplace_back("statements_answered",
                      absl::StrCat(gateway_.verdicts(StatementPlan::Verdict::kRespond)));
    for (const auto& [name, pool] : gateway_.PoolStatistics()) {
      vars.emplace_back(absl::StrCat("pool_", name, "_open"), absl::StrCat(pool.open));
      vars.emplace_back(absl::StrCat("pool_", name, "_in_use"), absl::StrCat(pool.in_use));
    }
    // This connection's own session, for the curious client.
    vars.emplace_back("session_principal", call_.principal->name);
    vars.emplace_back("session_database", session_->database());
    vars.emplace_back("session_pins", PinNames(session_->pins()));
    vars.emplace_back("session_replayed_settings",
                      absl::StrCat(session_->replayed_settings().size()));
    result = NameValueResult(vars);
  }
  absl::Status s = co_await conn_.BeginResultSet(result.columns);
  for (size_t i = 0; s.ok() && i < result.rows.size(); ++i) {
    s = co_await conn_.WriteTextRow(result.rows[i]);
  }
  const mysqlwire::OkPacket ok = SessionOk();
  if (s.ok()) s = co_await conn_.EndResultSet(ok);
  co_return s.ok();
}

asio::awaitable<bool> ListenerSession::HandleInitDb(const mysqlwire::ClientCommand& command) {
  absl::StatusOr<std::string> database = mysqlwire::ParseInitDb(command.payload);
  if (!database.ok()) {
    const mysqlwire::ServerError error = ListenerError(1046, "No database selected");
    co_return co_await WriteError(error);
  }
  if (std::optional<mysqlwire::ServerError> denied = CheckDatabaseAccess(*database)) {
    co_return co_await WriteError(*denied);
  }
  // Through the gateway, as the client's own USE would go: hooks see it,
  // the backend says whether the database exists.
  Statement use;
  use.sql = absl::StrCat("USE ", QuoteIdentifier(*database));
  co_return co_await RunStatement(std::move(use), ClientResultSink::RowFormat::kText);
}

asio::awaitable<bool> ListenerSession::HandlePrepare(const mysqlwire::ClientCommand& command) {
  const std::string sql(command.argument());
  call_.deadline = std::chrono::steady_clock::now() + kPoolWait;
  absl::StatusOr<Gateway::StatementDescription> description =
      co_await gateway_.DescribeInSession(call_, *session_, sql);
  if (!description.ok()) {
    const mysqlwire::ServerError error = ToMySqlError(description.status());
    co_return co_await WriteError(error);
  }
  if (description->params.size() > 0xffff || description->columns.size() > 0xffff) {
    const mysqlwire::ServerError error =
        ListenerError(kErWrongArguments, "too many parameters or columns in one statement");
    co_return co_await WriteError(error);
  }
  absl::StatusOr<uint32_t> id =
      statements_.Add(sql, static_cast<uint16_t>(description->params.size()));
  if (!id.ok()) {
    const mysqlwire::ServerError error = ToMySqlError(id.status());
    co_return co_await WriteError(error);
  }
  co_return (co_await conn_.WritePrepareOk(*id, description->params, description->columns)).ok();
}

asio::awaitable<bool> ListenerSession::HandleExecute(const mysqlwire::ClientCommand& command) {
  absl::StatusOr<mysqlwire::StmtExecuteRequest> request = statements_.ParseExecute(command.payload);
  if (!request.ok()) {
    mysqlwire::ServerError error;
    if (request.status().code() == absl::StatusCode::kNotFound) {
      error = ListenerError(kErUnknownStmtHandler, request.status().message());
    } else if (mysqlwire::IsProtocolError(request.status())) {
      error = Malformed();
    } else {
      error = ToMySqlError(request.status());
    }
    co_return co_await WriteError(error);
  }
  const PreparedStatements::Statement* prepared = statements_.Find(request->statement_id);
  Statement statement;
  statement.sql = prepared->sql;
  statement.params = std::move(request->params);
  statement.has_params = !statement.params.empty();
  statement.mode = v1::PARAMETER_MODE_PREPARED;
  co_return co_await RunStatement(std::move(statement), ClientResultSink::RowFormat::kBinary);
}

asio::awaitable<bool> ListenerSession::HandleStmtReset(const mysqlwire::ClientCommand& command) {
  absl::StatusOr<uint32_t> id = mysqlwire::ParseStmtIdCommand(command.payload, Command::kStmtReset);
  if (!id.ok()) {
    const mysqlwire::ServerError error = Malformed();
    co_return co_await WriteError(error);
  }
  if (!statements_.Reset(*id)) {
    const mysqlwire::ServerError error = ListenerError(
        kErUnknownStmtHandler,
        absl::StrCat("Unknown prepared statement handler (", *id, ") given to mysqld_stmt_reset"));
    co_return co_await WriteError(error);
  }
  co_return co_await WriteOk();
}

asio::awaitable<bool> ListenerSession::HandleResetConnection() {
  // The session's pinned connection goes back (reset), its settings are
  // forgotten; the database stays, as in MySQL.
  gateway_.EndSession(*session_);
  statements_.Clear();
  // Back to the state of a new connection: its character set included.
  if (std::optional<mysqlwire::ServerError> e = co_await SetUpSession("")) {
    co_return co_await WriteError(*e);
  }
  mysqlwire::OkPacket ok;
  ok.status_flags = mysqlwire::kServerStatusAutocommit;
  co_return (co_await conn_.WriteOk(ok)).ok();
}

asio::awaitable<bool> ListenerSession::HandleChangeUser(const mysqlwire::ClientCommand& command) {
  absl::StatusOr<mysqlwire::ServerHandshakeResult> changed =
      co_await conn_.ChangeUser(command.payload);
  if (!changed.ok()) {
    // The client heard ERR 1045 (or 1043 for a malformed request) and is no
    // longer anyone: the connection ends, as MySQL ends it.
    if (changed.status().code() == absl::StatusCode::kPermissionDenied) {
      context_.stats->auth_failures.fetch_add(1, std::memory_order_relaxed);
    }
    co_return false;
  }
  End();
  statements_.Clear();
  user_ = changed->user;
  if (changed->character_set != 0) client_collation_ = changed->character_set;
  if (absl::Status s = Begin(context_.accounts->PrincipalOf(user_)); !s.ok()) {
    owed_error_ = ToMySqlError(s);
  } else {
    owed_error_ = co_await SetUpSession(changed->database);
  }
  co_return true;
}

asio::awaitable<bool> ListenerSession::HandleFieldList() {
  // COM_FIELD_LIST is deprecated (MySQL 5.7.11); clients use it for name
  // completion only. An empty column list keeps them working without a
  // backend round trip; SHOW COLUMNS gives the real list.
  std::string terminator;
  if (conn_.deprecate_eof()) {
    terminator = mysqlwire::SerializeOkPacket(SessionOk(), conn_.capabilities(),
                                              mysqlwire::kEofHeader);
  } else {
    const mysqlwire::EofPacket eof{0, SessionOk().status_flags};
    terminator = mysqlwire::SerializeEofPacket(eof);
  }
  co_return (co_await conn_.WritePacket(terminator)).ok();
}

asio::awaitable<bool> ListenerSession::HandleStatistics() {
  const ListenerStats& stats = *context_.stats;
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - context_.started);
  uint64_t questions = 0;
  for (const auto& c : stats.commands) questions += c.load(std::memory_order_relaxed);
  char qps[32];
  std::snprintf(qps, sizeof(qps), "%.3f",
                uptime.count() > 0 ? static_cast<double>(questions) / uptime.count() : 0.0);
  // MySQL's format, which clients print as is.
  const std::string text = absl::StrCat(
      "Uptime: ", uptime.count(), "  Threads: ", stats.connections_open.load(),
      "  Questions: ", questions, "  Slow queries: 0  Opens: 0  Open tables: 0  Pinned sessions: ",
      gateway_.pinned_sessions(), "  Queries per second avg: ", qps);
  co_return (co_await conn_.WritePacket(text)).ok();
}

}  // namespace mysqlgw
