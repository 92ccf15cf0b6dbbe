#include "server/intercept/lua/lua_sandbox.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mysqlgw {
namespace {

// Long error messages (error(string.rep(...))) are cut: they end up in
// statuses, logs and MySQL ERR packets.
constexpr size_t kMaxErrorMessage = 1024;
constexpr size_t kMaxPrintLine = 4096;

// The error object on top of the stack as text. Never calls __tostring and
// never asks Lua to convert numbers (both could raise outside protection).
std::string ErrorText(lua_State* L) {
  std::string out;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      out.assign(s, std::min(len, kMaxErrorMessage));
      break;
    }
    case LUA_TNUMBER:
      out = lua_isinteger(L, -1) ? absl::StrCat(lua_tointeger(L, -1))
                                 : absl::StrFormat("%.14g", lua_tonumber(L, -1));
      break;
    default:
      out = absl::StrCat("(error object is a ", lua_typename(L, lua_type(L, -1)), " value)");
  }
  return out;
}

// load() that compiles text only: mode forced to "t" whatever the caller
// passed, keeping an explicit env argument (even nil) as given.
int TextOnlyLoad(lua_State* L) {
  int n = lua_gettop(L);
  if (n < 3) {
    lua_settop(L, 3);
    n = 3;
  }
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

// Finalizers run with debug hooks off (lgc.c GCTM), out of reach of the
// instruction limit: a looping __gc would hang the event loop. Lua marks an
// object for finalization only if its metatable has __gc when set, so
// checking here is enough.
int NoFinalizerSetMetatable(lua_State* L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) {
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed");
    }
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// A full collection's cost is not bounded by the instruction limit.
int CountOnlyCollectGarbage(lua_State* L) {
  const char* option = luaL_optstring(L, 1, "collect");
  if (std::strcmp(option, "count") != 0) {
    return luaL_error(L, "collectgarbage: only \"count\" is allowed, not \"%s\"", option);
  }
  lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT) + lua_gc(L, LUA_GCCOUNTB) / 1024.0);
  return 1;
}

// print() to stderr, one write per call, prefixed with the script's name.
int StderrPrint(lua_State* L) {
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushvalue(L, lua_upvalueindex(1));
  luaL_addvalue(&b);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, nullptr);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len = 0;
  const char* line = lua_tolstring(L, -1, &len);
  len = std::min(len, kMaxPrintLine);
  std::fprintf(stderr, "%.*s\n", static_cast<int>(len), line);
  return 0;
}

void WrapGlobal(lua_State* L, const char* name, lua_CFunction wrapper) {
  lua_getglobal(L, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setglobal(L, name);
}

int OpenSafeLibraries(lua_State* L) {
  const char* name = static_cast<const char*>(lua_touserdata(L, 1));
  static const luaL_Reg kLibraries[] = {
      {LUA_GNAME, luaopen_base},         {LUA_STRLIBNAME, luaopen_string},
      {LUA_TABLIBNAME, luaopen_table},   {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},
  };
  for (const luaL_Reg& lib : kLibraries) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
  // File access and bytecode: dofile/loadfile read files, string.dump and
  // binary chunks bypass the compiler's checks (crafted bytecode can corrupt
  // the state).
  for (const char* removed : {"dofile", "loadfile"}) {
    lua_pushnil(L);
    lua_setglobal(L, removed);
  }
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  WrapGlobal(L, "load", TextOnlyLoad);
  WrapGlobal(L, "setmetatable", NoFinalizerSetMetatable);
  lua_pushcfunction(L, CountOnlyCollectGarbage);
  lua_setglobal(L, "collectgarbage");
  lua_pushfstring(L, "lua script '%s': ", name);
  lua_pushcclosure(L, StderrPrint, 1);
  lua_setglobal(L, "print");
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LuaSandbox>> LuaSandbox::Create(const LuaSandboxOptions& options) {
  std::unique_ptr<LuaSandbox> sandbox(new LuaSandbox());
  sandbox->budget_.limit = options.max_memory_bytes;
  sandbox->max_instructions_ = options.max_instructions;
  sandbox->hook_count_ = static_cast<int>(
      std::clamp<uint64_t>(options.max_instructions, 1, static_cast<uint64_t>(INT_MAX)));
  sandbox->state_ = lua_newstate(&LuaSandbox::Allocate, &sandbox->budget_);
  if (sandbox->state_ == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a lua state does not fit in the memory limit of ", options.max_memory_bytes, " bytes"));
  }
  *static_cast<LuaSandbox**>(lua_getextraspace(sandbox->state_)) = sandbox.get();
  absl::Status opened =
      sandbox->Call(OpenSafeLibraries, const_cast<char*>(options.name.c_str()));
  if (!opened.ok()) {
    return absl::Status(opened.code(),
                        absl::StrCat("opening the lua libraries: ", opened.message()));
  }
  return sandbox;
}

LuaSandbox::~LuaSandbox() {
  if (state_ != nullptr) lua_close(state_);
}

void* LuaSandbox::Allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
  auto* budget = static_cast<MemoryBudget*>(ud);
  // For a new block Lua passes the object's type in old_size.
  if (ptr == nullptr) old_size = 0;
  if (new_size == 0) {
    std::free(ptr);
    budget->used -= old_size;
    return nullptr;
  }
  if (new_size > old_size && new_size - old_size > budget->limit - budget->used) {
    budget->refused = true;
    return nullptr;
  }
  void* block = std::realloc(ptr, new_size);
  if (block == nullptr) return nullptr;
  budget->used = budget->used - old_size + new_size;
  return block;
}

void LuaSandbox::CountHook(lua_State* L, lua_Debug* /*ar*/) {
  LuaSandbox* self = *static_cast<LuaSandbox**>(lua_getextraspace(L));
  self->instruction_limit_hit_ = true;
  // From now on every instruction raises, so a pcall in the script cannot
  // swallow the stop and loop on.
  lua_sethook(L, &LuaSandbox::CountHook, LUA_MASKCOUNT, 1);
  luaL_where(L, 0);
  lua_pushfstring(L, "instruction limit of %I exceeded",
                  static_cast<lua_Integer>(self->hook_count_));
  lua_concat(L, 2);
  lua_error(L);
}

absl::Status LuaSandbox::Call(lua_CFunction fn, void* arg) {
  instruction_limit_hit_ = false;
  budget_.refused = false;
  lua_sethook(state_, &LuaSandbox::CountHook, LUA_MASKCOUNT, hook_count_);
  lua_pushcfunction(state_, fn);
  lua_pushlightuserdata(state_, arg);
  int rc = lua_pcall(state_, 1, 0, 0);
  lua_sethook(state_, nullptr, 0, 0);
  if (rc == LUA_OK) return absl::OkStatus();
  return PopError(rc);
}

absl::Status LuaSandbox::Run(absl::string_view source, const std::string& chunk_name) {
  int rc = luaL_loadbufferx(state_, source.data(), source.size(), chunk_name.c_str(), "t");
  if (rc == LUA_ERRSYNTAX) {
    std::string message = ErrorText(state_);
    lua_pop(state_, 1);
    return absl::InvalidArgumentError(message);
  }
  if (rc != LUA_OK) return PopError(rc);
  instruction_limit_hit_ = false;
  budget_.refused = false;
  lua_sethook(state_, &LuaSandbox::CountHook, LUA_MASKCOUNT, hook_count_);
  rc = lua_pcall(state_, 0, 0, 0);
  lua_sethook(state_, nullptr, 0, 0);
  if (rc == LUA_OK) return absl::OkStatus();
  return PopError(rc);
}

absl::Status LuaSandbox::PopError(int rc) {
  std::string message = ErrorText(state_);
  lua_pop(state_, 1);
  if (instruction_limit_hit_) {
    if (message.find("instruction limit") == std::string::npos) {
      message = absl::StrCat("instruction limit of ", hook_count_, " exceeded");
    }
    return absl::ResourceExhaustedError(message);
  }
  // A script may catch the memory error and raise it again as a string.
  if (rc == LUA_ERRMEM || (budget_.refused && message == "not enough memory")) {
    return absl::ResourceExhaustedError(
        absl::StrCat("memory limit of ", budget_.limit, " bytes exceeded"));
  }
  return absl::InternalError(message);
}

}  // namespace mysqlgw
