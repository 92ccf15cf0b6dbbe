#include "server/intercept/interceptor.h"

#include "absl/strings/str_cat.h"
#include "server/intercept/audit_hook.h"

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

  std::vector<std::shared_ptr<Hook>> hooks;
  hooks.push_back(std::make_shared<AuditHook>(policy->audit_log_));
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
