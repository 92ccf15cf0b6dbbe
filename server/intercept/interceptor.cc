#include "server/intercept/interceptor.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/intercept/audit_hook.h"
#include "server/intercept/lua/lua_hook.h"
#include "server/intercept/rules/rules_hook.h"

namespace mysqlgw {

absl::StatusOr<std::shared_ptr<const Policy>> Policy::Build(const v1::InterceptionConfig& config,
                                                            const PolicyEnvironment& env,
                                                            const Policy* previous) {
  std::shared_ptr<Policy> policy(new Policy());
  policy->config_ = config;
  if (previous != nullptr) policy->generation_ = previous->generation_ + 1;

  // The audit log stays open across reloads unless its path changed.
  if (previous != nullptr && previous->audit_log_ != nullptr &&
      previous->audit_log_->path() == config.audit_log_file()) {
    policy->audit_log_ = previous->audit_log_;
  } else {
    absl::StatusOr<std::shared_ptr<AuditLog>> log = AuditLog::Open(config.audit_log_file());
    if (!log.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("interception.audit_log_file: ", log.status().message()));
    }
    policy->audit_log_ = *std::move(log);
  }

  // Every section is validated, and every problem reported, before
  // anything is used.
  std::vector<std::string> problems;
  auto check = [&problems](const absl::Status& s) {
    if (!s.ok()) problems.emplace_back(s.message());
  };
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules =
      RuleSet::Compile(config.rules(), env.backend_names);
  check(rules.status());
  absl::StatusOr<std::unique_ptr<ClientAddressHook>> addresses = ClientAddressHook::Create(config);
  check(addresses.status());
  absl::StatusOr<std::shared_ptr<PrincipalLimits>> limits = PrincipalLimits::Create(
      config, previous != nullptr ? previous->limits_->state() : nullptr);
  check(limits.status());
  absl::StatusOr<std::unique_ptr<AllowlistHook>> allowlist = AllowlistHook::Create(config);
  check(allowlist.status());
  absl::StatusOr<std::shared_ptr<DatabaseQuota>> quota =
      DatabaseQuota::Create(config, previous != nullptr ? previous->quota_.get() : nullptr);
  check(quota.status());
  std::vector<std::shared_ptr<LuaHook>> scripts;
  for (const v1::LuaScriptConfig& script : config.lua_scripts()) {
    absl::StatusOr<std::unique_ptr<LuaHook>> hook = LuaHook::Create(script, env.shards);
    check(hook.status());
    if (hook.ok()) scripts.push_back(*std::move(hook));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));

  // Order: what is cheapest and refuses the most comes first; the rules
  // rewrite before the allowlist judges the statement that will run.
  std::vector<std::shared_ptr<Hook>> hooks;
  hooks.push_back(std::make_shared<AuditHook>(policy->audit_log_));
  for (const auto& hook : env.observers) hooks.push_back(hook);
  if (config.client_addresses_size() > 0) {
    policy->client_addresses_ = *std::move(addresses);
    hooks.push_back(policy->client_addresses_);
  }
  policy->limits_ = *std::move(limits);
  // Always in the chain: counting goes on even without limits, so that a
  // reload that adds one starts from the true numbers.
  hooks.push_back(std::make_shared<LimitsHook>(policy->limits_));
  if (rules.value()->size() > 0) {
    policy->rules_ = std::make_shared<RulesHook>(*std::move(rules));
    hooks.push_back(policy->rules_);
  }
  if (config.allowlist().mode() != v1::ALLOWLIST_MODE_OFF) {
    policy->allowlist_ = *std::move(allowlist);
    hooks.push_back(policy->allowlist_);
  }
  policy->quota_ = *std::move(quota);
  if (config.database_quotas_size() > 0) {
    hooks.push_back(std::make_shared<QuotaHook>(policy->quota_));
  }
  for (auto& script : scripts) hooks.push_back(script);
  policy->scripts_ = std::move(scripts);
  for (const auto& hook : env.extra_hooks) hooks.push_back(hook);
  policy->chain_ = HookChain(std::move(hooks));
  return std::shared_ptr<const Policy>(std::move(policy));
}

absl::StatusOr<std::unique_ptr<Interceptor>> Interceptor::Create(
    const v1::InterceptionConfig& config, PolicyEnvironment env) {
  std::unique_ptr<Interceptor> interceptor(new Interceptor(std::move(env)));
  absl::StatusOr<std::shared_ptr<const Policy>> policy =
      Policy::Build(config, interceptor->env_, nullptr);
  if (!policy.ok()) return policy.status();
  interceptor->current_.store(*std::move(policy));
  return interceptor;
}

absl::Status Interceptor::Reload(const v1::InterceptionConfig& config) {
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Policy> previous = current_.load();
  absl::StatusOr<std::shared_ptr<const Policy>> policy =
      Policy::Build(config, env_, previous.get());
  if (!policy.ok()) {
    failed_reloads_.fetch_add(1);
    return policy.status();
  }
  current_.store(*std::move(policy));
  reloads_.fetch_add(1);
  return absl::OkStatus();
}

}  // namespace mysqlgw
