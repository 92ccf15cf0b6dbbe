// MySQL Proxy's scripting API over one LuaSandbox: the global `proxy`
// table, read_query(packet) and read_query_result(inj). Built once per
// state; each call only refreshes the per-statement fields.
//
// In the script:
//   proxy.PROXY_SEND_QUERY / PROXY_SEND_RESULT / PROXY_IGNORE_RESULT,
//   proxy.MYSQLD_PACKET_OK / _ERR / _RAW, proxy.COM_*, proxy.MYSQL_TYPE_*,
//   proxy.BACKEND_STATE_*, proxy.BACKEND_TYPE_*, proxy.PROXY_VERSION;
//   proxy.global: a table kept across calls (per shard, not shared);
//   proxy.connection.client.{username, address, default_db, protocol}
//     (username is the principal; address the IP without a port, "" for
//     in-process callers; protocol "grpc" or "mysql");
//   proxy.statement.{sql, digest, digest_text, kind, tables, in_transaction,
//     has_params} (mysqlgw extras; tables = { {db=, name=}, ... });
//   proxy.queries:append(id, packet [, opts]) / :prepend / :reset() / :len();
//   proxy.route("primary" | "replica" | backend name);
//   proxy.response = { type = ..., ... } with `return proxy.PROXY_SEND_RESULT`.
#ifndef SERVER_INTERCEPT_LUA_LUA_PROXY_API_H_
#define SERVER_INTERCEPT_LUA_LUA_PROXY_API_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/intercept/hook.h"
#include "server/intercept/lua/lua_sandbox.h"

namespace mysqlgw {

// Values as in mysql-proxy 0.8 (network-mysqld-lua.h, mysql.h).
inline constexpr int kProxySendQuery = 1;
inline constexpr int kProxySendResult = 2;
inline constexpr int kProxyIgnoreResult = 4;
inline constexpr int kMysqldPacketOk = 0;
inline constexpr int kMysqldPacketRaw = 0xfa;
inline constexpr int kMysqldPacketErr = 0xff;
inline constexpr int kComQuery = 3;

// What read_query asked for. Reused between calls; valid after an OK
// LuaProxyApi::ReadQuery.
struct LuaQueryDecision {
  // proxy.queries:append: the statement to run instead of ctx.sql.
  bool rewrite = false;
  int64_t injection_id = 0;
  std::string sql;
  // proxy.route(...).
  bool route_set = false;
  RouteTarget route;
  // proxy.response with PROXY_SEND_RESULT.
  enum class Reply { kNone, kResultSet, kError } reply = Reply::kNone;
  SyntheticResultSet result;
  uint16_t error_code = 0;
  std::string sql_state;
  std::string error_message;

  void Reset();
};

// What read_query_result asked for: nothing, or turning the outcome into
// an error (proxy.response of type MYSQLD_PACKET_ERR + PROXY_SEND_RESULT).
struct LuaResultDecision {
  bool called = false;  // The script defines read_query_result and it ran.
  bool error = false;
  uint16_t error_code = 0;
  std::string sql_state;
  std::string error_message;

  void Reset();
};

class LuaProxyApi {
 public:
  // Installs the global `proxy` table in `sandbox`, which must outlive the
  // returned object.
  static absl::StatusOr<std::unique_ptr<LuaProxyApi>> Install(LuaSandbox& sandbox);

  // Whether the script defines read_query and read_query_result as
  // functions.
  struct Entrypoints {
    bool read_query = false;
    bool read_query_result = false;
  };
  absl::StatusOr<Entrypoints> FindEntrypoints();

  // Calls read_query("\x03" .. ctx.sql) if the script defines it. On OK,
  // query_decision() holds what it asked for; a bad return value or
  // proxy.response is an error (INTERNAL).
  absl::Status ReadQuery(const StatementContext& ctx);
  const LuaQueryDecision& query_decision() const { return query_; }
  LuaQueryDecision& mutable_query_decision() { return query_; }

  // Calls read_query_result(inj) if the script defines it, and either
  // `injected` (read_query appended this statement; `injection_id` is the id
  // it gave) or proxy.global.observe_all is true.
  absl::Status ReadQueryResult(const StatementContext& ctx, const ResultInfo& result,
                               bool injected, int64_t injection_id);
  const LuaResultDecision& result_decision() const { return result_; }

 private:
  explicit LuaProxyApi(LuaSandbox& sandbox) : sandbox_(sandbox) {}

  static int Setup(lua_State* L);
  static int DoFindEntrypoints(lua_State* L);
  static int DoReadQuery(lua_State* L);
  static int DoReadQueryResult(lua_State* L);
  static int QueriesAppend(lua_State* L);
  static int QueriesReset(lua_State* L);
  static int QueriesLen(lua_State* L);
  static int Route(lua_State* L);

  void PushStatementFields(lua_State* L);
  void ParseQueryReturn(lua_State* L);
  void ParseResultReturn(lua_State* L);

  LuaSandbox& sandbox_;
  // Registry references to the tables kept across calls.
  int proxy_ref_ = LUA_NOREF;
  int global_ref_ = LUA_NOREF;
  int client_ref_ = LUA_NOREF;
  int statement_ref_ = LUA_NOREF;

  // Inputs of the call in progress.
  const StatementContext* ctx_ = nullptr;
  const ResultInfo* result_info_ = nullptr;
  bool injected_ = false;
  int64_t injection_id_ = 0;
  // The outcome's MySQL error, read before entering Lua (GetServerError
  // returns an object with a destructor, which a Lua error would skip).
  uint16_t result_error_code_ = 0;
  std::string result_sql_state_;
  std::string result_error_message_;  // The server's own text when it sent one.
  // proxy.queries and proxy.route act only while read_query runs.
  bool in_read_query_ = false;
  Entrypoints entrypoints_;

  LuaQueryDecision query_;
  LuaResultDecision result_;

  // The caller's address as text, recomputed only when it changes.
  ClientAddress cached_address_;
  std::string cached_address_text_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LUA_LUA_PROXY_API_H_
