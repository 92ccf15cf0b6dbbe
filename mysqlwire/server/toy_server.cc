#include "mysqlwire/server/toy_server.h"

#include <exception>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "mysqlwire/protocol/prepare_response.h"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/protocol/server_commands.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlwire::testing {
namespace {

namespace asio = boost::asio;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr uint16_t kUtf8mb4 = 45;

ColumnDefinition Column(std::string name, ColumnType type, uint16_t charset,
                        uint32_t length, uint16_t flags = 0, uint8_t decimals = 0) {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = std::move(name);
  c.type = type;
  c.character_set = charset;
  c.column_length = length;
  c.flags = flags;
  c.decimals = decimals;
  return c;
}

// The column an echoed parameter is described with, by its value's kind.
ColumnDefinition ColumnFor(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      return Column("?", ColumnType::kNull, kBinaryCollation, 0, kBinaryFlag);
    case Value::Kind::kInt64:
      return Column("?", ColumnType::kLongLong, kBinaryCollation, 20, kBinaryFlag);
    case Value::Kind::kUint64:
      return Column("?", ColumnType::kLongLong, kBinaryCollation, 20,
                    kBinaryFlag | kUnsignedFlag);
    case Value::Kind::kFloat:
      return Column("?", ColumnType::kFloat, kBinaryCollation, 12, kBinaryFlag, 31);
    case Value::Kind::kDouble:
      return Column("?", ColumnType::kDouble, kBinaryCollation, 22, kBinaryFlag, 31);
    case Value::Kind::kDecimal:
      return Column("?", ColumnType::kNewDecimal, kBinaryCollation, 67, kBinaryFlag, 30);
    case Value::Kind::kString:
      return Column("?", ColumnType::kVarString, kUtf8mb4, 1024);
    case Value::Kind::kBytes:
      return Column("?", ColumnType::kBlob, kBinaryCollation, 65535, kBinaryFlag | kBlobFlag);
    case Value::Kind::kDate:
      return Column("?", ColumnType::kDate, kBinaryCollation, 10, kBinaryFlag);
    case Value::Kind::kDateTime:
      return Column("?", ColumnType::kDateTime, kBinaryCollation, 26, kBinaryFlag, 6);
    case Value::Kind::kTime:
      return Column("?", ColumnType::kTime, kBinaryCollation, 17, kBinaryFlag, 6);
  }
  return Column("?", ColumnType::kNull, kBinaryCollation, 0);
}

// Splits on ';' outside single-quoted literals; drops empty statements.
std::vector<std::string> SplitStatements(absl::string_view sql) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == ';' && !quoted) {
      if (!absl::StripAsciiWhitespace(current).empty()) {
        out.emplace_back(absl::StripAsciiWhitespace(current));
      }
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    out.emplace_back(absl::StripAsciiWhitespace(current));
  }
  return out;
}

// The number of '?' of "SELECT ?, ?, ...", or -1 for anything else.
int PlaceholderCount(absl::string_view sql) {
  const std::string s =
      absl::StrReplaceAll(absl::AsciiStrToLower(sql), {{" ", ""}, {"\n", ""}});
  absl::string_view rest = s;
  if (!absl::ConsumePrefix(&rest, "select")) return -1;
  absl::ConsumeSuffix(&rest, ";");
  if (rest.empty()) return -1;
  int n = 0;
  for (absl::string_view part : absl::StrSplit(rest, ',')) {
    if (part != "?") return -1;
    ++n;
  }
  return n;
}

struct Session {
  std::string user;
  std::string database;
  std::string host;
  struct Statement {
    uint16_t num_params = 0;
    std::vector<uint16_t> types;
    bool long_data = false;
  };
  std::map<uint32_t, Statement> statements;
  uint32_t next_statement = 1;
};

// One result of a text-protocol statement.
struct Result {
  std::vector<ColumnDefinition> columns;  // Empty: an OK.
  std::vector<Value> row;
  std::optional<ServerError> error;
};

Result Rows(std::vector<ColumnDefinition> columns, std::vector<Value> row) {
  Result r;
  r.columns = std::move(columns);
  r.row = std::move(row);
  return r;
}

ServerError SyntaxError(absl::string_view statement) {
  return ServerError{1064, "42000",
                     absl::StrCat("You have an error in your SQL syntax; check the "
                                  "manual that corresponds to your MySQL server "
                                  "version for the right syntax to use near '",
                                  statement.substr(0, 80), "' at line 1")};
}

Result Evaluate(const std::string& statement, const Session& session) {
  const std::string lower = absl::AsciiStrToLower(statement);
  absl::string_view rest = lower;
  int64_t number = 0;
  if (absl::ConsumePrefix(&rest, "select ") &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &number)) {
    return Rows({Column(std::string(absl::StripAsciiWhitespace(rest)), ColumnType::kLongLong,
                    kBinaryCollation, 20, kNotNullFlag | kBinaryFlag)},
            {Value::Int64(number)});
  }
  if (lower == "select 'a' as x, null as y") {
    return Rows({Column("x", ColumnType::kVarString, kUtf8mb4, 4, kNotNullFlag),
             Column("y", ColumnType::kNull, kBinaryCollation, 0, kBinaryFlag)},
            {Value::String("a"), Value::Null()});
  }
  if (lower == "select @@version_comment limit 1") {
    return Rows({Column("@@version_comment", ColumnType::kVarString, kUtf8mb4, 80)},
            {Value::String("mysqlgw toy server")});
  }
  if (lower == "select database()") {
    return Rows({Column("DATABASE()", ColumnType::kVarString, kUtf8mb4, 256)},
            {session.database.empty() ? Value::Null() : Value::String(session.database)});
  }
  if (lower == "select user()") {
    return Rows({Column("USER()", ColumnType::kVarString, kUtf8mb4, 512)},
            {Value::String(absl::StrCat(session.user, "@", session.host))});
  }
  rest = lower;
  if (absl::ConsumePrefix(&rest, "select repeat('") && rest.size() > 3 &&
      absl::ConsumeSuffix(&rest, ")")) {
    const char c = statement[std::string("select repeat('").size()];
    rest.remove_prefix(1);
    size_t n = 0;
    if (absl::ConsumePrefix(&rest, "',") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &n)) {
      return Rows({Column("r", ColumnType::kBlob, kUtf8mb4, 0xffffffff)},
              {Value::String(std::string(n, c))});
    }
  }
  rest = statement;
  if ((absl::ConsumePrefix(&rest, "SELECT LENGTH('") ||
       absl::ConsumePrefix(&rest, "select length('")) &&
      absl::ConsumeSuffix(&rest, "')")) {
    return Rows({Column("len", ColumnType::kLongLong, kBinaryCollation, 20, kBinaryFlag)},
            {Value::Int64(static_cast<int64_t>(rest.size()))});
  }
  if (absl::StartsWith(lower, "set ") || absl::StartsWith(lower, "do ")) return {};
  Result r;
  r.error = SyntaxError(statement);
  return r;
}

asio::awaitable<absl::Status> RunQuery(ServerConnection& conn, Session& session,
                                       absl::string_view sql) {
  std::vector<std::string> statements = SplitStatements(sql);
  if (statements.empty()) {
    const ServerError error = ServerError{1065, "42000", "Query was empty"};
    co_return co_await conn.WriteErr(error);
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    Result r = Evaluate(statements[i], session);
    if (r.error.has_value()) co_return co_await conn.WriteErr(*r.error);
    OkPacket ok;
    ok.status_flags = kServerStatusAutocommit;
    if (i + 1 < statements.size()) ok.status_flags |= kServerMoreResultsExists;
    if (r.columns.empty()) {
      if (absl::Status s = co_await conn.WriteOk(ok); !s.ok()) co_return s;
      continue;
    }
    absl::Status s = co_await conn.BeginResultSet(r.columns);
    if (s.ok()) s = co_await conn.WriteTextRow(r.row);
    if (s.ok()) s = co_await conn.EndResultSet(ok);
    if (!s.ok()) co_return s;
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> Execute(ServerConnection& conn, Session& session,
                                      absl::string_view payload) {
  if (payload.size() < 5) {
    const ServerError error = ServerError{1835, "HY000", "Malformed communication packet."};
    co_return co_await conn.WriteErr(error);
  }
  const uint32_t id = static_cast<uint8_t>(payload[1]) | static_cast<uint8_t>(payload[2]) << 8 |
                      static_cast<uint8_t>(payload[3]) << 16 |
                      static_cast<uint32_t>(static_cast<uint8_t>(payload[4])) << 24;
  auto it = session.statements.find(id);
  if (it == session.statements.end()) {
    const ServerError error{1243, "HY000",
                            absl::StrCat("Unknown prepared statement handler (", id,
                                         ") given to mysqld_stmt_execute")};
    co_return co_await conn.WriteErr(error);
  }
  if (it->second.long_data) {
    it->second.long_data = false;
    co_return co_await conn.WriteErr(
        ServerError{1105, "HY000", "COM_STMT_SEND_LONG_DATA is not supported"});
  }
  absl::StatusOr<StmtExecuteRequest> request =
      ParseStmtExecute(payload, it->second.num_params, it->second.types);
  if (!request.ok()) {
    const ServerError error = ServerError{1835, "HY000", "Malformed communication packet."};
    co_return co_await conn.WriteErr(error);
  }
  it->second.types = request->param_types;
  std::vector<ColumnDefinition> columns;
  for (const Value& v : request->params) columns.push_back(ColumnFor(v));
  OkPacket ok;
  ok.status_flags = kServerStatusAutocommit;
  absl::Status s = co_await conn.BeginResultSet(columns);
  if (s.ok()) s = co_await conn.WriteBinaryRow(request->params);
  if (s.ok()) s = co_await conn.EndResultSet(ok);
  co_return s;
}

}  // namespace

Credentials ToyAccount(absl::string_view password, bool native, bool sha2) {
  Credentials c;
  if (native) c.native_password_hash = ComputeNativePasswordHash(password);
  if (sha2) c.caching_sha2_hash = ComputeCachingSha2Hash(password);
  return c;
}

absl::StatusOr<Credentials> ToyLookup(const std::string& user) {
  if (user == "u") return ToyAccount("secret", true, true);
  if (user == "native_only") return ToyAccount("secret", true, false);
  if (user == "sha2_only") return ToyAccount("secret", false, true);
  if (user == "nopw") return ToyAccount("", true, true);
  if (user == "lookup_fails") return absl::UnavailableError("account store is down");
  return absl::NotFoundError(absl::StrCat("no account '", user, "'"));
}

ToyServer::ToyServer(ToyServerOptions options)
    : options_(std::move(options)), acceptor_(io_) {}

absl::StatusOr<std::unique_ptr<ToyServer>> ToyServer::Start(ToyServerOptions options) {
  std::unique_ptr<ToyServer> server(new ToyServer(std::move(options)));
  boost::system::error_code ec;
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  server->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) server->acceptor_.bind(endpoint, ec);
  if (!ec) server->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("toy server: ", ec.message()));
  server->port_ = server->acceptor_.local_endpoint().port();
  asio::co_spawn(server->io_, server->Accept(), asio::detached);
  server->thread_ = std::thread([s = server.get()] { s->io_.run(); });
  return server;
}

ToyServer::~ToyServer() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> ToyServer::Accept() {
  uint32_t next_id = 1;
  while (true) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (ec) co_return;
    asio::co_spawn(io_, Serve(std::move(socket), next_id++), asio::detached);
  }
}

void ToyServer::RecordHandshake(absl::Status status, const ServerHandshakeResult* result) {
  absl::MutexLock lock(&mu_);
  handshakes_.push_back(std::move(status));
  if (result != nullptr) sessions_.push_back(*result);
}

void ToyServer::Log(std::string line) {
  absl::MutexLock lock(&mu_);
  log_.push_back(std::move(line));
}

asio::awaitable<void> ToyServer::Serve(asio::ip::tcp::socket socket, uint32_t id) {
  ServerConnection conn(std::move(socket));
  ServerHandshakeOptions hs = options_.handshake;
  hs.connection_id = id;
  hs.deadline = std::chrono::steady_clock::now() + options_.handshake_timeout;
  if (!hs.lookup) hs.lookup = ToyLookup;
  absl::StatusOr<ServerHandshakeResult> result = co_await conn.Handshake(std::move(hs));
  if (!result.ok()) {
    RecordHandshake(result.status(), nullptr);
    conn.Close();
    absl::MutexLock lock(&mu_);
    finished_.push_back(result.status());
    co_return;
  }
  RecordHandshake(absl::OkStatus(), &*result);
  Session session;
  session.user = result->user;
  session.database = result->database;
  session.host = conn.peer_host();

  absl::Status end;
  bool quit = false;
  while (end.ok() && !quit) {
    absl::StatusOr<ClientCommand> cmd = co_await conn.ReadCommand();
    if (!cmd.ok()) {
      end = cmd.status();
      break;
    }
    absl::Status s;
    OkPacket ok;
    ok.status_flags = kServerStatusAutocommit;
    switch (cmd->command()) {
      case Command::kQuit:
        Log("COM_QUIT");
        quit = true;
        break;
      case Command::kPing:
        Log("COM_PING");
        s = co_await conn.WriteOk(ok);
        break;
      case Command::kResetConnection:
        Log("COM_RESET_CONNECTION");
        session.statements.clear();
        s = co_await conn.WriteOk(ok);
        break;
      case Command::kSetOption:
        Log("COM_SET_OPTION");
        s = co_await conn.WriteOk(ok);
        break;
      case Command::kInitDb: {
        absl::StatusOr<std::string> db = ParseInitDb(cmd->payload);
        Log(absl::StrCat("COM_INIT_DB ", db.ok() ? *db : "?"));
        if (!db.ok() || *db == "nosuchdb") {
          // Named, not a temporary in the co_await: GCC 12 mishandles
          // temporaries with ?: inside co_await expressions.
          const std::string name = db.ok() ? *db : "";
          const ServerError error{1049, "42000", absl::StrCat("Unknown database '", name, "'")};
          s = co_await conn.WriteErr(error);
        } else {
          session.database = *db;
          s = co_await conn.WriteOk(ok);
        }
        break;
      }
      case Command::kQuery: {
        const std::string sql(cmd->argument());
        Log(absl::StrCat("COM_QUERY ", sql.substr(0, 200)));
        s = co_await RunQuery(conn, session, sql);
        break;
      }
      case Command::kStmtPrepare: {
        const std::string sql(cmd->argument());
        Log(absl::StrCat("COM_STMT_PREPARE ", sql));
        const int n = PlaceholderCount(sql);
        if (n < 0) {
          const ServerError error = SyntaxError(sql);
          s = co_await conn.WriteErr(error);
          break;
        }
        const uint32_t sid = session.next_statement++;
        session.statements[sid].num_params = static_cast<uint16_t>(n);
        std::vector<ColumnDefinition> params(n, UntypedParameter());
        std::vector<ColumnDefinition> columns(
            n, Column("?", ColumnType::kVarString, kBinaryCollation, 0, kBinaryFlag));
        s = co_await conn.WritePrepareOk(sid, params, columns);
        break;
      }
      case Command::kStmtExecute:
        Log("COM_STMT_EXECUTE");
        s = co_await Execute(conn, session, cmd->payload);
        break;
      case Command::kStmtClose: {
        absl::StatusOr<uint32_t> sid = ParseStmtIdCommand(cmd->payload, Command::kStmtClose);
        Log(absl::StrCat("COM_STMT_CLOSE ", sid.ok() ? *sid : 0));
        if (sid.ok()) session.statements.erase(*sid);
        break;  // No response.
      }
      case Command::kStmtReset: {
        absl::StatusOr<uint32_t> sid = ParseStmtIdCommand(cmd->payload, Command::kStmtReset);
        Log(absl::StrCat("COM_STMT_RESET ", sid.ok() ? *sid : 0));
        if (sid.ok() && session.statements.count(*sid)) {
          session.statements[*sid].long_data = false;
          s = co_await conn.WriteOk(ok);
        } else {
          const ServerError error = ServerError{1243, "HY000", "Unknown prepared statement"};
          s = co_await conn.WriteErr(error);
        }
        break;
      }
      case Command::kStmtSendLongData: {
        absl::StatusOr<StmtSendLongData> data = ParseStmtSendLongData(cmd->payload);
        Log("COM_STMT_SEND_LONG_DATA");
        if (data.ok() && session.statements.count(data->statement_id)) {
          session.statements[data->statement_id].long_data = true;
        }
        break;  // No response.
      }
      case Command::kChangeUser: {
        Log("COM_CHANGE_USER");
        absl::StatusOr<ServerHandshakeResult> changed = co_await conn.ChangeUser(cmd->payload);
        RecordHandshake(changed.status(), changed.ok() ? &*changed : nullptr);
        if (!changed.ok()) {
          end = changed.status();
          break;
        }
        session.user = changed->user;
        session.database = changed->database;
        session.statements.clear();
        break;
      }
      default:
        Log(absl::StrCat("COM_0x", absl::Hex(cmd->command_byte)));
        const ServerError error = ServerError{1047, "08S01", "Unknown command"};
        s = co_await conn.WriteErr(error);
        break;
    }
    if (!s.ok()) end = s;
  }
  conn.Close();
  absl::MutexLock lock(&mu_);
  finished_.push_back(end);
}

std::vector<absl::Status> ToyServer::handshake_statuses() const {
  absl::MutexLock lock(&mu_);
  return handshakes_;
}

bool ToyServer::WaitForHandshakes(size_t n, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (handshake_statuses().size() < n) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

std::vector<ServerHandshakeResult> ToyServer::sessions() const {
  absl::MutexLock lock(&mu_);
  return sessions_;
}

std::vector<std::string> ToyServer::command_log() const {
  absl::MutexLock lock(&mu_);
  return log_;
}

std::vector<absl::Status> ToyServer::finished_connections() const {
  absl::MutexLock lock(&mu_);
  return finished_;
}

bool ToyServer::WaitForFinishedConnections(size_t n, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (finished_connections().size() < n) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace mysqlwire::testing
