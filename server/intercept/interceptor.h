// The interception policy in force and its hot reload. A Policy is one
// immutable hook chain built from one InterceptionConfig; the Interceptor
// holds the current one. A call takes the current policy once and keeps it
// to its end, so a reload never changes the rules under a running call and
// never drops it.
#ifndef SERVER_INTERCEPT_INTERCEPTOR_H_
#define SERVER_INTERCEPT_INTERCEPTOR_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook_chain.h"
#include "server/intercept/limits/allowlist.h"
#include "server/intercept/lua/lua_hook.h"
#include "server/intercept/limits/client_address_hook.h"
#include "server/intercept/limits/database_quota.h"
#include "server/intercept/limits/principal_limits.h"
#include "server/intercept/rules/rules_hook.h"

namespace mysqlgw {

// What a policy is built against, fixed for the gateway's lifetime.
struct PolicyEnvironment {
  size_t shards = 1;
  std::vector<std::string> backend_names;
  // Operators' own C++ hooks, run after the built-in ones.
  std::vector<std::shared_ptr<Hook>> extra_hooks;
  // Hooks that only observe outcomes and keep state across reloads
  // (statistics): run first, so that they see every statement.
  std::vector<std::shared_ptr<Hook>> observers;
};

class Policy {
 public:
  // Validates `config` (every problem in one INVALID_ARGUMENT) and builds
  // the chain. `previous` lends state that must survive a reload (open
  // audit log, counters of limits).
  static absl::StatusOr<std::shared_ptr<const Policy>> Build(
      const v1::InterceptionConfig& config, const PolicyEnvironment& env,
      const Policy* previous);

  const HookChain& chain() const { return chain_; }
  const v1::InterceptionConfig& config() const { return config_; }
  uint64_t generation() const { return generation_; }
  // The declarative rules and their match counts; null without rules.
  const RulesHook* rules() const { return rules_.get(); }
  // Null when the allowlist is off.
  const AllowlistHook* allowlist() const { return allowlist_.get(); }
  const ClientAddressHook* client_addresses() const { return client_addresses_.get(); }
  // Limits per principal; their counters carry over reloads.
  PrincipalLimits& limits() const { return *limits_; }
  // Database size quotas (possibly none); the gateway measures them.
  DatabaseQuota& quota() const { return *quota_; }
  const std::vector<std::shared_ptr<LuaHook>>& scripts() const { return scripts_; }

 private:
  Policy() = default;
  v1::InterceptionConfig config_;
  HookChain chain_;
  uint64_t generation_ = 1;
  std::shared_ptr<class AuditLog> audit_log_;
  std::shared_ptr<RulesHook> rules_;
  std::shared_ptr<AllowlistHook> allowlist_;
  std::shared_ptr<ClientAddressHook> client_addresses_;
  std::shared_ptr<PrincipalLimits> limits_;
  std::shared_ptr<DatabaseQuota> quota_;
  std::vector<std::shared_ptr<LuaHook>> scripts_;
};

class Interceptor {
 public:
  static absl::StatusOr<std::unique_ptr<Interceptor>> Create(const v1::InterceptionConfig& config,
                                                             PolicyEnvironment env);

  // The policy for a new call. Any thread.
  std::shared_ptr<const Policy> Current() const { return current_.load(); }

  // Builds a policy from `config` and makes it current; on error the
  // current policy stays and the error says why. Any thread.
  absl::Status Reload(const v1::InterceptionConfig& config);

  // A reload that failed before a policy could be built (the file did not
  // parse or validate), so that every failure is counted in one place.
  void RecordFailedReload() { failed_reloads_.fetch_add(1); }

  uint64_t reloads() const { return reloads_.load(); }
  uint64_t failed_reloads() const { return failed_reloads_.load(); }

 private:
  explicit Interceptor(PolicyEnvironment env) : env_(std::move(env)) {}

  PolicyEnvironment env_;
  absl::Mutex reload_mu_;  // One reload at a time.
  std::atomic<std::shared_ptr<const Policy>> current_;
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> failed_reloads_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_INTERCEPTOR_H_
