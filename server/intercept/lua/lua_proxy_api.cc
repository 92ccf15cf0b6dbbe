#include "server/intercept/lua/lua_proxy_api.h"

#include <cinttypes>
#include <cstdio>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "server/intercept/lua/lua_response.h"
#include "server/sql/statement_kind.h"

// Everything named Do*/Parse*/Push* below runs inside LuaSandbox::Call and
// may raise Lua errors (longjmp): no C++ locals with destructors live across
// a Lua call there; results go into members of LuaProxyApi.

namespace mysqlgw {
namespace {

struct Constant {
  const char* name;
  int value;
};

// mysql-proxy 0.8's names and values (network-mysqld-lua.c, mysql_com.h).
constexpr Constant kConstants[] = {
    {"PROXY_VERSION", 0x00805},
    {"PROXY_SEND_QUERY", kProxySendQuery},
    {"PROXY_SEND_RESULT", kProxySendResult},
    {"PROXY_IGNORE_RESULT", kProxyIgnoreResult},
    {"MYSQLD_PACKET_OK", kMysqldPacketOk},
    {"MYSQLD_PACKET_RAW", kMysqldPacketRaw},
    {"MYSQLD_PACKET_ERR", kMysqldPacketErr},
    {"BACKEND_STATE_UNKNOWN", 0},
    {"BACKEND_STATE_UP", 1},
    {"BACKEND_STATE_DOWN", 2},
    {"BACKEND_TYPE_UNKNOWN", 0},
    {"BACKEND_TYPE_RW", 1},
    {"BACKEND_TYPE_RO", 2},
    {"COM_SLEEP", 0},
    {"COM_QUIT", 1},
    {"COM_INIT_DB", 2},
    {"COM_QUERY", kComQuery},
    {"COM_FIELD_LIST", 4},
    {"COM_CREATE_DB", 5},
    {"COM_DROP_DB", 6},
    {"COM_REFRESH", 7},
    {"COM_SHUTDOWN", 8},
    {"COM_STATISTICS", 9},
    {"COM_PROCESS_INFO", 10},
    {"COM_CONNECT", 11},
    {"COM_PROCESS_KILL", 12},
    {"COM_DEBUG", 13},
    {"COM_PING", 14},
    {"COM_TIME", 15},
    {"COM_DELAYED_INSERT", 16},
    {"COM_CHANGE_USER", 17},
    {"COM_BINLOG_DUMP", 18},
    {"COM_TABLE_DUMP", 19},
    {"COM_CONNECT_OUT", 20},
    {"COM_REGISTER_SLAVE", 21},
    {"COM_STMT_PREPARE", 22},
    {"COM_STMT_EXECUTE", 23},
    {"COM_STMT_SEND_LONG_DATA", 24},
    {"COM_STMT_CLOSE", 25},
    {"COM_STMT_RESET", 26},
    {"COM_SET_OPTION", 27},
    {"COM_STMT_FETCH", 28},
    {"COM_DAEMON", 29},
    {"MYSQL_TYPE_DECIMAL", 0},
    {"MYSQL_TYPE_TINY", 1},
    {"MYSQL_TYPE_SHORT", 2},
    {"MYSQL_TYPE_LONG", 3},
    {"MYSQL_TYPE_FLOAT", 4},
    {"MYSQL_TYPE_DOUBLE", 5},
    {"MYSQL_TYPE_NULL", 6},
    {"MYSQL_TYPE_TIMESTAMP", 7},
    {"MYSQL_TYPE_LONGLONG", 8},
    {"MYSQL_TYPE_INT24", 9},
    {"MYSQL_TYPE_DATE", 10},
    {"MYSQL_TYPE_TIME", 11},
    {"MYSQL_TYPE_DATETIME", 12},
    {"MYSQL_TYPE_YEAR", 13},
    {"MYSQL_TYPE_NEWDATE", 14},
    {"MYSQL_TYPE_VARCHAR", 15},
    {"MYSQL_TYPE_BIT", 16},
    {"MYSQL_TYPE_JSON", 245},
    {"MYSQL_TYPE_NEWDECIMAL", 246},
    {"MYSQL_TYPE_ENUM", 247},
    {"MYSQL_TYPE_SET", 248},
    {"MYSQL_TYPE_TINY_BLOB", 249},
    {"MYSQL_TYPE_MEDIUM_BLOB", 250},
    {"MYSQL_TYPE_LONG_BLOB", 251},
    {"MYSQL_TYPE_BLOB", 252},
    {"MYSQL_TYPE_VAR_STRING", 253},
    {"MYSQL_TYPE_STRING", 254},
    {"MYSQL_TYPE_GEOMETRY", 255},
};

constexpr uint16_t kErUnknownError = 1105;

LuaProxyApi* ApiArg(lua_State* L) { return static_cast<LuaProxyApi*>(lua_touserdata(L, 1)); }
LuaProxyApi* ApiUpvalue(lua_State* L) {
  return static_cast<LuaProxyApi*>(lua_touserdata(L, lua_upvalueindex(1)));
}

void SetString(lua_State* L, const char* key, absl::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

void SetInteger(lua_State* L, const char* key, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

// Lua integers are signed; counters beyond 2^63 saturate.
lua_Integer ToLuaInteger(uint64_t value) {
  return value > static_cast<uint64_t>(LUA_MAXINTEGER) ? LUA_MAXINTEGER
                                                        : static_cast<lua_Integer>(value);
}

// "\x03" .. sql, as MySQL Proxy hands a COM_QUERY packet to the script.
void PushQueryPacket(lua_State* L, absl::string_view sql) {
  luaL_Buffer b;
  luaL_buffinitsize(L, &b, sql.size() + 1);
  luaL_addchar(&b, static_cast<char>(kComQuery));
  luaL_addlstring(&b, sql.data(), sql.size());
  luaL_pushresult(&b);
}

}  // namespace

void LuaQueryDecision::Reset() {
  rewrite = false;
  injection_id = 0;
  sql.clear();
  route_set = false;
  route = RouteTarget();
  reply = Reply::kNone;
  result = SyntheticResultSet();
  error_code = 0;
  sql_state.clear();
  error_message.clear();
}

void LuaResultDecision::Reset() {
  called = false;
  error = false;
  error_code = 0;
  sql_state.clear();
  error_message.clear();
}

absl::StatusOr<std::unique_ptr<LuaProxyApi>> LuaProxyApi::Install(LuaSandbox& sandbox) {
  std::unique_ptr<LuaProxyApi> api(new LuaProxyApi(sandbox));
  absl::Status installed = sandbox.Call(&LuaProxyApi::Setup, api.get());
  if (!installed.ok()) {
    return absl::Status(installed.code(),
                        absl::StrCat("installing the proxy table: ", installed.message()));
  }
  return api;
}

int LuaProxyApi::Setup(lua_State* L) {
  LuaProxyApi* api = ApiArg(L);
  lua_createtable(L, 0, static_cast<int>(std::size(kConstants)) + 8);
  for (const Constant& constant : kConstants) SetInteger(L, constant.name, constant.value);

  lua_newtable(L);
  lua_pushvalue(L, -1);
  api->global_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "global");

  lua_createtable(L, 0, 1);  // proxy.connection
  lua_createtable(L, 0, 4);  // proxy.connection.client
  lua_pushvalue(L, -1);
  api->client_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "client");
  lua_setfield(L, -2, "connection");

  lua_createtable(L, 0, 8);
  lua_pushvalue(L, -1);
  api->statement_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "statement");

  static const luaL_Reg kQueries[] = {
      {"append", &LuaProxyApi::QueriesAppend},
      // One query per statement: prepending to an empty queue is appending.
      {"prepend", &LuaProxyApi::QueriesAppend},
      {"reset", &LuaProxyApi::QueriesReset},
      {"len", &LuaProxyApi::QueriesLen},
      {nullptr, nullptr},
  };
  lua_createtable(L, 0, 4);
  lua_pushlightuserdata(L, api);
  luaL_setfuncs(L, kQueries, 1);
  lua_setfield(L, -2, "queries");

  lua_pushlightuserdata(L, api);
  lua_pushcclosure(L, &LuaProxyApi::Route, 1);
  lua_setfield(L, -2, "route");

  lua_pushvalue(L, -1);
  api->proxy_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setglobal(L, "proxy");
  return 0;
}

absl::StatusOr<LuaProxyApi::Entrypoints> LuaProxyApi::FindEntrypoints() {
  entrypoints_ = Entrypoints();
  absl::Status found = sandbox_.Call(&LuaProxyApi::DoFindEntrypoints, this);
  if (!found.ok()) return found;
  return entrypoints_;
}

int LuaProxyApi::DoFindEntrypoints(lua_State* L) {
  LuaProxyApi* api = ApiArg(L);
  api->entrypoints_.read_query = lua_getglobal(L, "read_query") == LUA_TFUNCTION;
  api->entrypoints_.read_query_result = lua_getglobal(L, "read_query_result") == LUA_TFUNCTION;
  return 0;
}

void LuaProxyApi::PushStatementFields(lua_State* L) {
  const StatementContext& ctx = *ctx_;
  lua_rawgeti(L, LUA_REGISTRYINDEX, client_ref_);
  if (ctx.client != nullptr) {
    const ClientAddress& address = ctx.client->address;
    if (address.specified() != cached_address_.specified() ||
        address.bytes() != cached_address_.bytes()) {
      cached_address_ = address;
      cached_address_text_ = address.specified() ? address.ToString() : std::string();
    }
    SetString(L, "username", ctx.client->principal);
    SetString(L, "address", cached_address_text_);
    SetString(L, "protocol",
              ctx.client->protocol == ClientInfo::Protocol::kMySql ? "mysql" : "grpc");
  } else {
    SetString(L, "username", "");
    SetString(L, "address", "");
    SetString(L, "protocol", "");
  }
  SetString(L, "default_db", ctx.database);
  lua_pop(L, 1);

  lua_rawgeti(L, LUA_REGISTRYINDEX, statement_ref_);
  SetString(L, "sql", ctx.sql);
  char digest[17];
  std::snprintf(digest, sizeof(digest), "%016" PRIx64, ctx.digest);
  SetString(L, "digest", absl::string_view(digest, 16));
  SetString(L, "digest_text", ctx.digest_text);
  SetString(L, "kind", StatementKindName(ctx.kind));
  lua_pushboolean(L, ctx.in_transaction);
  lua_setfield(L, -2, "in_transaction");
  lua_pushboolean(L, ctx.has_params);
  lua_setfield(L, -2, "has_params");
  // A new table each time: a script may keep the previous one.
  lua_createtable(L, static_cast<int>(ctx.tables.size()), 0);
  lua_Integer i = 0;
  for (const TableRef& table : ctx.tables) {
    lua_createtable(L, 0, 2);
    SetString(L, "db", table.database);
    SetString(L, "name", table.name);
    lua_rawseti(L, -2, ++i);
  }
  lua_setfield(L, -2, "tables");
  lua_pop(L, 1);

  lua_rawgeti(L, LUA_REGISTRYINDEX, proxy_ref_);
  lua_pushnil(L);
  lua_setfield(L, -2, "response");
  lua_pop(L, 1);
}

absl::Status LuaProxyApi::ReadQuery(const StatementContext& ctx) {
  query_.Reset();
  ctx_ = &ctx;
  in_read_query_ = true;
  absl::Status status = sandbox_.Call(&LuaProxyApi::DoReadQuery, this);
  in_read_query_ = false;
  ctx_ = nullptr;
  return status;
}

int LuaProxyApi::DoReadQuery(lua_State* L) {
  LuaProxyApi* api = ApiArg(L);
  if (lua_getglobal(L, "read_query") != LUA_TFUNCTION) return 0;
  api->PushStatementFields(L);
  PushQueryPacket(L, api->ctx_->sql);
  lua_call(L, 1, 1);
  api->ParseQueryReturn(L);
  return 0;
}

void LuaProxyApi::ParseQueryReturn(lua_State* L) {
  lua_Integer action = LuaReturnedAction(L, "read_query");
  lua_pop(L, 1);
  // The appended query (if any) is the rewrite either way.
  if (action == 0 || action == kProxySendQuery) return;
  if (action != kProxySendResult) {
    luaL_error(L,
               "read_query returned %I; expected nothing, proxy.PROXY_SEND_QUERY or "
               "proxy.PROXY_SEND_RESULT",
               action);
  }
  lua_Integer type = LuaResponseType(L, proxy_ref_, "read_query");
  if (type == kMysqldPacketErr) {
    ParseLuaErrorResponse(L, &query_.error_code, &query_.sql_state, &query_.error_message);
    query_.reply = LuaQueryDecision::Reply::kError;
  } else if (type == kMysqldPacketOk) {
    ParseLuaOkResponse(L, &query_.result);
    query_.reply = LuaQueryDecision::Reply::kResultSet;
  } else {
    luaL_error(L,
               "proxy.response.type must be proxy.MYSQLD_PACKET_OK or "
               "proxy.MYSQLD_PACKET_ERR, not %I",
               type);
  }
  lua_pop(L, 1);
}

absl::Status LuaProxyApi::ReadQueryResult(const StatementContext& ctx, const ResultInfo& result,
                                          bool injected, int64_t injection_id) {
  result_.Reset();
  ctx_ = &ctx;
  result_info_ = &result;
  injected_ = injected;
  injection_id_ = injection_id;
  result_error_code_ = 0;
  result_sql_state_.clear();
  result_error_message_.clear();
  if (!result.status.ok()) {
    std::optional<mysqlwire::ServerError> server = mysqlwire::GetServerError(result.status);
    if (server) {
      result_error_code_ = server->code;
      result_sql_state_ = std::move(server->sql_state);
      result_error_message_ = std::move(server->message);
    } else {
      result_error_code_ = kErUnknownError;
      result_sql_state_ = "HY000";
      result_error_message_ = std::string(result.status.message());
    }
  }
  absl::Status status = sandbox_.Call(&LuaProxyApi::DoReadQueryResult, this);
  ctx_ = nullptr;
  result_info_ = nullptr;
  return status;
}

int LuaProxyApi::DoReadQueryResult(lua_State* L) {
  LuaProxyApi* api = ApiArg(L);
  if (lua_getglobal(L, "read_query_result") != LUA_TFUNCTION) return 0;
  if (!api->injected_) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, api->global_ref_);
    lua_getfield(L, -1, "observe_all");
    bool observe_all = lua_toboolean(L, -1);
    lua_pop(L, 2);
    if (!observe_all) return 0;
  }
  api->result_.called = true;
  api->PushStatementFields(L);
  const ResultInfo& result = *api->result_info_;

  lua_createtable(L, 0, 10);
  SetInteger(L, "id", api->injected_ ? api->injection_id_ : 0);
  PushQueryPacket(L, api->ctx_->sql);
  lua_setfield(L, -2, "query");
  SetInteger(L, "query_time", static_cast<lua_Integer>(result.latency.count()));
  SetInteger(L, "response_time", static_cast<lua_Integer>(result.latency.count()));
  SetString(L, "backend", result.backend);
  lua_createtable(L, 0, 4);
  SetInteger(L, "row_count", ToLuaInteger(result.rows));
  SetInteger(L, "bytes", ToLuaInteger(result.bytes));
  SetInteger(L, "affected_rows", ToLuaInteger(result.affected_rows));
  SetInteger(L, "query_status", result.status.ok() ? kMysqldPacketOk : kMysqldPacketErr);
  lua_setfield(L, -2, "resultset");
  if (result.status.ok()) {
    SetString(L, "status", "ok");
  } else {
    SetString(L, "status", "error");
    SetString(L, "errmsg", api->result_error_message_);
    SetInteger(L, "errcode", api->result_error_code_);
    SetString(L, "sqlstate", api->result_sql_state_);
  }
  lua_call(L, 1, 1);
  api->ParseResultReturn(L);
  return 0;
}

void LuaProxyApi::ParseResultReturn(lua_State* L) {
  lua_Integer action = LuaReturnedAction(L, "read_query_result");
  lua_pop(L, 1);
  // IGNORE_RESULT would drop the result in MySQL Proxy; here the result is
  // the caller's, so it means nothing more than returning nothing.
  if (action == 0 || action == kProxyIgnoreResult) return;
  if (action != kProxySendResult) {
    luaL_error(L,
               "read_query_result returned %I; expected nothing, proxy.PROXY_IGNORE_RESULT or "
               "proxy.PROXY_SEND_RESULT",
               action);
  }
  if (LuaResponseType(L, proxy_ref_, "read_query_result") != kMysqldPacketErr) {
    luaL_error(L,
               "read_query_result can only replace the outcome with an error "
               "(proxy.response.type = proxy.MYSQLD_PACKET_ERR)");
  }
  ParseLuaErrorResponse(L, &result_.error_code, &result_.sql_state, &result_.error_message);
  result_.error = true;
  lua_pop(L, 1);
}

int LuaProxyApi::QueriesAppend(lua_State* L) {
  LuaProxyApi* api = ApiUpvalue(L);
  lua_Integer id = luaL_checkinteger(L, 2);
  size_t len = 0;
  const char* packet = luaL_checklstring(L, 3, &len);
  if (!api->in_read_query_) {
    return luaL_error(L, "proxy.queries:append is only available in read_query");
  }
  if (len == 0 || static_cast<unsigned char>(packet[0]) != kComQuery) {
    return luaL_error(L,
                      "proxy.queries:append: only COM_QUERY packets "
                      "(string.char(proxy.COM_QUERY) .. sql) are supported");
  }
  if (api->query_.rewrite) {
    return luaL_error(L,
                      "proxy.queries:append: only one query per statement is supported "
                      "(call proxy.queries:reset() first)");
  }
  api->query_.rewrite = true;
  api->query_.injection_id = id;
  api->query_.sql.assign(packet + 1, len - 1);
  return 0;
}

int LuaProxyApi::QueriesReset(lua_State* L) {
  LuaProxyApi* api = ApiUpvalue(L);
  api->query_.rewrite = false;
  api->query_.injection_id = 0;
  api->query_.sql.clear();
  return 0;
}

int LuaProxyApi::QueriesLen(lua_State* L) {
  lua_pushinteger(L, ApiUpvalue(L)->query_.rewrite ? 1 : 0);
  return 1;
}

int LuaProxyApi::Route(lua_State* L) {
  LuaProxyApi* api = ApiUpvalue(L);
  size_t len = 0;
  const char* target = luaL_checklstring(L, 1, &len);
  if (!api->in_read_query_) return luaL_error(L, "proxy.route is only available in read_query");
  if (len == 0) return luaL_error(L, "proxy.route: empty target");
  absl::string_view name(target, len);
  RouteTarget& route = api->query_.route;
  api->query_.route_set = true;
  route.backend.clear();
  if (name == "default") {
    route.kind = RouteTarget::Kind::kDefault;
  } else if (name == "primary") {
    route.kind = RouteTarget::Kind::kPrimary;
  } else if (name == "replica") {
    route.kind = RouteTarget::Kind::kReplica;
  } else {
    route.kind = RouteTarget::Kind::kNamed;
    route.backend.assign(target, len);
  }
  return 0;
}

}  // namespace mysqlgw
