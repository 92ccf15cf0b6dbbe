// Reading what a hook returned and MySQL Proxy's proxy.response table.
// Every function here may raise a Lua error (longjmp): call them only from
// code running inside LuaSandbox::Call, with the outputs owned elsewhere.
#ifndef SERVER_INTERCEPT_LUA_LUA_RESPONSE_H_
#define SERVER_INTERCEPT_LUA_LUA_RESPONSE_H_

#include <cstdint>
#include <string>

#include "lua5.4/lua.hpp"
#include "server/intercept/hook.h"

namespace mysqlgw {

// The hook's return value on top of the stack as a proxy.PROXY_* action
// (0 for nothing); raises for anything but nil or an integer.
lua_Integer LuaReturnedAction(lua_State* L, const char* hook);

// Pushes proxy.response (proxy table at registry ref `proxy_ref`), raising
// unless it is a table with an integer `type`; returns that type.
lua_Integer LuaResponseType(lua_State* L, int proxy_ref, const char* hook);

// The MYSQLD_PACKET_ERR response on top of the stack: errcode (default
// 1105), sqlstate (default "HY000", else exactly 5 characters), errmsg
// (default empty).
void ParseLuaErrorResponse(lua_State* L, uint16_t* code, std::string* sql_state,
                           std::string* message);

// The MYSQLD_PACKET_OK response on top of the stack: affected_rows,
// insert_id, info and resultset = { fields = { {name=, type=} | "name", ...},
// rows = { {v1, v2, ...}, ... } } with values as text (nil is NULL, numbers
// as Lua prints them, booleans as 1/0). `out` is appended to.
void ParseLuaOkResponse(lua_State* L, SyntheticResultSet* out);

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LUA_LUA_RESPONSE_H_
