#include "server/intercept/lua/lua_response.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mysqlgw {
namespace {

constexpr uint16_t kErUnknownError = 1105;

// table[key] when present; raises when it is not an integer.
bool OptInteger(lua_State* L, int table, const char* key, const char* where, lua_Integer* out) {
  int type = lua_getfield(L, table, key);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return false;
  }
  int is_integer = 0;
  lua_Integer value = type == LUA_TNUMBER ? lua_tointegerx(L, -1, &is_integer) : 0;
  if (!is_integer) {
    luaL_error(L, "%s.%s must be an integer, not a %s value", where, key, luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  *out = value;
  return true;
}

bool OptUnsigned(lua_State* L, int table, const char* key, const char* where, uint64_t* out) {
  lua_Integer value = 0;
  if (!OptInteger(L, table, key, where, &value)) return false;
  if (value < 0) luaL_error(L, "%s.%s must not be negative", where, key);
  *out = static_cast<uint64_t>(value);
  return true;
}

// table[key] when present; raises when it is not a string.
bool OptString(lua_State* L, int table, const char* key, const char* where, std::string* out) {
  int type = lua_getfield(L, table, key);
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return false;
  }
  if (type != LUA_TSTRING) {
    luaL_error(L, "%s.%s must be a string, not a %s value", where, key, luaL_typename(L, -1));
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  out->assign(s, len);
  lua_pop(L, 1);
  return true;
}



void ParseFields(lua_State* L, int fields, std::vector<std::string>* columns) {
  lua_Unsigned count = lua_rawlen(L, fields);
  for (lua_Unsigned i = 1; i <= count; ++i) {
    int type = lua_geti(L, fields, static_cast<lua_Integer>(i));
    size_t len = 0;
    const char* name = nullptr;
    if (type == LUA_TSTRING) {
      name = lua_tolstring(L, -1, &len);
    } else if (type == LUA_TTABLE) {
      if (lua_getfield(L, -1, "name") != LUA_TSTRING) {
        luaL_error(L, "proxy.response.resultset.fields[%I].name must be a string",
                   static_cast<lua_Integer>(i));
      }
      name = lua_tolstring(L, -1, &len);
      lua_Integer ignored_type = 0;
      OptInteger(L, lua_gettop(L) - 1, "type", "proxy.response.resultset.fields[i]",
                 &ignored_type);
    } else {
      luaL_error(L, "proxy.response.resultset.fields[%I] must be a table {name=, type=}",
                 static_cast<lua_Integer>(i));
    }
    columns->emplace_back(name, len);
    lua_settop(L, fields);
  }
}

void ParseRows(lua_State* L, int rows, size_t column_count,
               std::vector<std::vector<std::optional<std::string>>>* out) {
  lua_Unsigned count = lua_rawlen(L, rows);
  for (lua_Unsigned i = 1; i <= count; ++i) {
    if (lua_geti(L, rows, static_cast<lua_Integer>(i)) != LUA_TTABLE) {
      luaL_error(L, "proxy.response.resultset.rows[%I] must be a table",
                 static_cast<lua_Integer>(i));
    }
    int row = lua_gettop(L);
    if (lua_rawlen(L, row) > column_count) {
      luaL_error(L, "proxy.response.resultset.rows[%I] has %I values but there are %I fields",
                 static_cast<lua_Integer>(i), static_cast<lua_Integer>(lua_rawlen(L, row)),
                 static_cast<lua_Integer>(column_count));
    }
    out->emplace_back();
    std::vector<std::optional<std::string>>& values = out->back();
    values.reserve(column_count);
    for (size_t c = 1; c <= column_count; ++c) {
      // nil (or a hole: {2, nil}) is NULL.
      switch (lua_geti(L, row, static_cast<lua_Integer>(c))) {
        case LUA_TNIL:
          values.emplace_back(std::nullopt);
          break;
        case LUA_TSTRING: {
          size_t len = 0;
          const char* s = lua_tolstring(L, -1, &len);
          values.emplace_back(std::in_place, s, len);
          break;
        }
        case LUA_TNUMBER:
          if (lua_isinteger(L, -1)) {
            values.emplace_back(absl::StrCat(lua_tointeger(L, -1)));
          } else {
            values.emplace_back(absl::StrFormat("%.14g", lua_tonumber(L, -1)));
          }
          break;
        case LUA_TBOOLEAN:
          values.emplace_back(lua_toboolean(L, -1) ? "1" : "0");
          break;
        default:
          luaL_error(L, "proxy.response.resultset.rows[%I][%I] is a %s value",
                     static_cast<lua_Integer>(i), static_cast<lua_Integer>(c),
                     luaL_typename(L, -1));
      }
      lua_pop(L, 1);
    }
    lua_settop(L, rows);
  }
}

}  // namespace

// The hook's return value on top of the stack as a proxy.PROXY_* action
// (0 for nothing).
lua_Integer LuaReturnedAction(lua_State* L, const char* hook) {
  int type = lua_type(L, -1);
  if (type == LUA_TNIL) return 0;
  int is_integer = 0;
  lua_Integer action = type == LUA_TNUMBER ? lua_tointegerx(L, -1, &is_integer) : 0;
  if (!is_integer) {
    luaL_error(L, "%s returned a %s value; expected nothing or a proxy.PROXY_* constant", hook,
               luaL_typename(L, -1));
  }
  return action;
}

// proxy.response on top of the stack, checked to be a table; returns its
// proxy.MYSQLD_PACKET_* type.
lua_Integer LuaResponseType(lua_State* L, int proxy_ref, const char* hook) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, proxy_ref);
  lua_getfield(L, -1, "response");
  lua_remove(L, -2);
  if (!lua_istable(L, -1)) {
    luaL_error(L,
               "%s returned proxy.PROXY_SEND_RESULT but proxy.response is a %s value, "
               "not a table",
               hook, luaL_typename(L, -1));
  }
  lua_Integer type = -1;
  if (!OptInteger(L, lua_gettop(L), "type", "proxy.response", &type)) {
    luaL_error(L, "proxy.response.type is missing");
  }
  return type;
}

// An ERR response (table on top of the stack) into errno, SQLSTATE and
// message; defaults 1105 and HY000 as MySQL's ER_UNKNOWN_ERROR.
void ParseLuaErrorResponse(lua_State* L, uint16_t* code, std::string* sql_state,
                           std::string* message) {
  int response = lua_gettop(L);
  lua_Integer errcode = kErUnknownError;
  OptInteger(L, response, "errcode", "proxy.response", &errcode);
  if (errcode < 1 || errcode > 65535) {
    luaL_error(L, "proxy.response.errcode must be within 1..65535, not %I", errcode);
  }
  *code = static_cast<uint16_t>(errcode);
  if (!OptString(L, response, "sqlstate", "proxy.response", sql_state)) {
    sql_state->assign("HY000");
  } else if (sql_state->size() != 5) {
    luaL_error(L, "proxy.response.sqlstate must have 5 characters, not %d",
               static_cast<int>(sql_state->size()));
  }
  if (!OptString(L, response, "errmsg", "proxy.response", message)) message->clear();
}

// An OK response (table on top of the stack), with or without a result set.
void ParseLuaOkResponse(lua_State* L, SyntheticResultSet* out) {
  int response = lua_gettop(L);
  OptUnsigned(L, response, "affected_rows", "proxy.response", &out->affected_rows);
  OptUnsigned(L, response, "insert_id", "proxy.response", &out->last_insert_id);
  OptString(L, response, "info", "proxy.response", &out->info);
  int type = lua_getfield(L, response, "resultset");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (type != LUA_TTABLE) {
    luaL_error(L, "proxy.response.resultset must be a table, not a %s value", luaL_typename(L, -1));
  }
  int resultset = lua_gettop(L);
  type = lua_getfield(L, resultset, "fields");
  if (type == LUA_TTABLE) {
    ParseFields(L, lua_gettop(L), &out->columns);
  } else if (type != LUA_TNIL) {
    luaL_error(L, "proxy.response.resultset.fields must be a table");
  }
  type = lua_getfield(L, resultset, "rows");
  if (type == LUA_TTABLE) {
    if (out->columns.empty() && lua_rawlen(L, -1) > 0) {
      luaL_error(L, "proxy.response.resultset has rows but no fields");
    }
    ParseRows(L, lua_gettop(L), out->columns.size(), &out->rows);
  } else if (type != LUA_TNIL) {
    luaL_error(L, "proxy.response.resultset.rows must be a table");
  }
  lua_settop(L, response);
}

}  // namespace mysqlgw
