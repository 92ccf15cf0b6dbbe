// One Lua 5.4 state for untrusted-ish operator scripts: only the base (minus
// file access and bytecode loading), string, table, math and utf8
// libraries; memory capped by the allocator; instructions capped per call
// by a count hook. A script that hits a limit or raises an error fails only
// the call it was in: the state stays usable for the next one.
//
// Lua errors are longjmps (Debian builds Lua as C). Functions run through
// Call() may raise them, so while they call into Lua they must not hold C++
// objects with destructors on their own stack: write results into objects
// owned elsewhere.
#ifndef SERVER_INTERCEPT_LUA_LUA_SANDBOX_H_
#define SERVER_INTERCEPT_LUA_LUA_SANDBOX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lua5.4/lua.hpp"

namespace mysqlgw {

struct LuaSandboxOptions {
  std::string name;  // Prefixes lines written by the script's print().
  // Per Call()/Run(); lua_sethook takes an int, so at most INT_MAX.
  uint64_t max_instructions = 1'000'000;
  uint64_t max_memory_bytes = 16u << 20;
};

class LuaSandbox {
 public:
  // Fails (RESOURCE_EXHAUSTED) when the libraries do not fit in the memory
  // limit.
  static absl::StatusOr<std::unique_ptr<LuaSandbox>> Create(const LuaSandboxOptions& options);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  lua_State* state() const { return state_; }

  // Compiles `source` (text only; bytecode is refused) and runs it with a
  // fresh instruction budget. `chunk_name` is Lua's: "@path" or "=name".
  // INVALID_ARGUMENT for a syntax error, else as Call().
  absl::Status Run(absl::string_view source, const std::string& chunk_name);

  // Calls `fn` protected, with a light userdata `arg` as its only argument
  // and a fresh instruction budget. Errors: RESOURCE_EXHAUSTED when a limit
  // was hit, INTERNAL for an error the script raised; the message carries
  // Lua's "chunk:line:" position where Lua knows it.
  absl::Status Call(lua_CFunction fn, void* arg);

  size_t memory_used() const { return budget_.used; }
  uint64_t max_instructions() const { return max_instructions_; }
  uint64_t max_memory_bytes() const { return budget_.limit; }

 private:
  struct MemoryBudget {
    size_t used = 0;
    size_t limit = 0;
    bool refused = false;  // An allocation was refused since the last reset.
  };

  LuaSandbox() = default;
  static void* Allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
  static void CountHook(lua_State* L, lua_Debug* ar);
  absl::Status PopError(int rc);

  MemoryBudget budget_;
  uint64_t max_instructions_ = 0;
  int hook_count_ = 0;  // max_instructions_ clamped to what lua_sethook takes.
  bool instruction_limit_hit_ = false;
  lua_State* state_ = nullptr;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LUA_LUA_SANDBOX_H_
