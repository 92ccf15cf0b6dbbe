// A Lua 5.4 script as a Hook, with MySQL Proxy's read_query /
// read_query_result API (see lua_proxy_api.h for what the script sees).
//
//   function read_query(packet)
//     if packet:byte() ~= proxy.COM_QUERY then return end
//     local sql = packet:sub(2)
//     if sql:match("^SELECT 1$") then
//       proxy.response = { type = proxy.MYSQLD_PACKET_OK,
//         resultset = { fields = { {name = "1", type = proxy.MYSQL_TYPE_LONG} },
//                       rows = { {1} } } }
//       return proxy.PROXY_SEND_RESULT
//     end
//   end
//
// What a read_query call maps to:
//  - nothing or PROXY_SEND_QUERY: the statement passes; after
//    proxy.queries:append(id, string.char(proxy.COM_QUERY) .. sql) it passes
//    as that sql instead (one appended query at most: one statement per
//    call). proxy.route("primary" | "replica" | "default" | backend name)
//    sets the plan's route.
//  - PROXY_SEND_RESULT with proxy.response of type MYSQLD_PACKET_OK: the
//    plan answers with its result set (fields' names, rows, nil = NULL,
//    affected_rows, insert_id, info); type MYSQLD_PACKET_ERR: rejected as
//    PERMISSION_DENIED with errcode (default 1105), sqlstate (default
//    HY000) and errmsg.
//  - an error, a bad return value or proxy.response, the instruction limit
//    or the memory limit: the statement is rejected (INTERNAL, or
//    RESOURCE_EXHAUSTED for a limit) with errno 1105, SQLSTATE HY000 and
//    "lua script 'NAME': ..."; errors() counts it; the next statement runs
//    normally.
// Whenever the script changes the plan, "lua:NAME" is added to
// plan.matched_rules (audit log, metrics).
//
// read_query_result(inj) runs, as in MySQL Proxy, only for statements whose
// read_query appended a query, or for every statement when the script sets
// proxy.global.observe_all = true. inj has id (the appended id, else 0),
// query (the packet), query_time and response_time (µs), backend,
// resultset = {row_count, bytes, affected_rows, query_status}, status
// ("ok" or "error") and, on error, errmsg, errcode and sqlstate. Returning
// PROXY_SEND_RESULT with an ERR proxy.response turns the outcome into that
// error (the returned status); PROXY_IGNORE_RESULT or nothing leaves the
// outcome as it is (the result belongs to the caller and cannot be
// dropped). An error in read_query_result is returned too: a script that
// observes results fails closed.
//
// Each shard has its own lua_State (globals, proxy.global): a hook call on
// shard i touches only state i, so shards run concurrently without locks,
// and a script's state across calls is per shard.
#ifndef SERVER_INTERCEPT_LUA_LUA_HOOK_H_
#define SERVER_INTERCEPT_LUA_LUA_HOOK_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

class LuaHook : public Hook {
 public:
  // Loads and runs the script once per shard. INVALID_ARGUMENT, naming the
  // script (and the line where Lua knows it), for: no name, both or
  // neither of file and source, an unreadable file, a syntax or load-time
  // error, a script defining neither read_query nor read_query_result,
  // shards == 0 or limits too small to open the libraries.
  static absl::StatusOr<std::unique_ptr<LuaHook>> Create(const v1::LuaScriptConfig& config,
                                                         size_t shards);
  ~LuaHook() override;

  absl::string_view name() const override { return name_; }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override;
  absl::Status ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                               const ResultInfo& result) override;

  // Statements failed by the script itself (errors, limits, bad return
  // values), over all shards since creation. Safe from any thread.
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  size_t shards() const { return shards_.size(); }
  // Bytes held by shard `shard`'s state; read it on that shard's thread.
  size_t memory_used(size_t shard) const;

 private:
  struct Shard;  // A lua_State and its proxy table (lua_hook.cc).

  explicit LuaHook(std::string name);
  absl::Status ScriptError(const absl::Status& status);
  void Reject(StatementPlan& plan, const absl::Status& status);

  std::string name_;
  std::string marker_;  // In plan.matched_rules when the script acted.
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> errors_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LUA_LUA_HOOK_H_
