#include "server/gateway/interception_metrics.h"

#include <functional>
#include <string>
#include <vector>

namespace mysqlgw {
namespace {

using metrics::LabeledValue;
using metrics::MetricType;
using Collect = std::function<std::vector<LabeledValue>()>;

double Num(uint64_t v) { return static_cast<double>(v); }

// Samples read from the policy in force at scrape time (kept alive while
// they are read).
Collect
FromPolicy(Interceptor *interceptor,
           std::function<std::vector<LabeledValue>(const Policy &)> read) {
  return [interceptor, read = std::move(read)] {
    const std::shared_ptr<const Policy> policy = interceptor->Current();
    return read(*policy);
  };
}

} // namespace

absl::Status RegisterInterceptionMetrics(metrics::Registry &registry,
                                         Gateway &gateway) {
  Gateway *gw = &gateway;
  Interceptor *interceptor = &gateway.interceptor();
  struct Spec {
    MetricType type;
    const char *name;
    const char *help;
    std::vector<std::string> labels;
    Collect collect;
  };
  const Spec specs[] = {
      {MetricType::kCounter,
       "mysqlgw_statements_intercepted_total",
       "Statements that passed the interception chain, by verdict (pass, "
       "reject, respond).",
       {"verdict"},
       [gw] {
         return std::vector<LabeledValue>{
             {{"pass"}, Num(gw->verdicts(StatementPlan::Verdict::kPass))},
             {{"reject"}, Num(gw->verdicts(StatementPlan::Verdict::kReject))},
             {{"respond"},
              Num(gw->verdicts(StatementPlan::Verdict::kRespond))}};
       }},
      {MetricType::kCounter,
       "mysqlgw_rule_matches_total",
       "Statements each interception rule matched, since the policy was "
       "loaded.",
       {"rule"},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    std::vector<LabeledValue> out;
                    if (const RulesHook *rules = policy.rules()) {
                      const RuleStats &stats = rules->stats();
                      for (size_t i = 0; i < stats.size(); ++i) {
                        out.push_back({{stats.name(i)}, Num(stats.matches(i))});
                      }
                    }
                    return out;
                  })},
      {MetricType::kCounter,
       "mysqlgw_allowlist_statements_total",
       "Statements judged by the SQL allowlist, by result (allowed, rejected, "
       "detected).",
       {"result"},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    std::vector<LabeledValue> out;
                    if (const AllowlistHook *allowlist = policy.allowlist()) {
                      out.push_back({{"allowed"}, Num(allowlist->allowed())});
                      out.push_back({{"rejected"}, Num(allowlist->rejected())});
                      out.push_back({{"detected"}, Num(allowlist->detected())});
                    }
                    return out;
                  })},
      {MetricType::kCounter,
       "mysqlgw_limit_rejections_total",
       "Statements and transactions refused by a per-principal limit, by "
       "limit.",
       {"limit"},
       FromPolicy(
           interceptor,
           [](const Policy &policy) {
             const LimitsRejections &r = policy.limits().state()->rejections();
             return std::vector<LabeledValue>{
                 {{"max_concurrent_calls"}, Num(r.concurrent_calls.load())},
                 {{"max_open_transactions"}, Num(r.open_transactions.load())},
                 {{"queries_per_second"}, Num(r.queries_per_second.load())},
                 {{"bytes_per_second"}, Num(r.bytes_per_second.load())}};
           })},
      {MetricType::kCounter,
       "mysqlgw_client_address_rejections_total",
       "Calls refused because the caller's address is not allowed for its "
       "principal.",
       {},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    const ClientAddressHook *hook = policy.client_addresses();
                    return std::vector<LabeledValue>{
                        {{}, Num(hook != nullptr ? hook->rejected() : 0)}};
                  })},
      {MetricType::kCounter,
       "mysqlgw_lua_errors_total",
       "Statements failed by a Lua script (error, instruction or memory "
       "limit), per script.",
       {"script"},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    std::vector<LabeledValue> out;
                    for (const auto &script : policy.scripts()) {
                      out.push_back({{std::string(script->name())},
                                     Num(script->errors())});
                    }
                    return out;
                  })},
      {MetricType::kCounter,
       "mysqlgw_slow_statements_total",
       "Statements that ran at least observability.slow_statement_threshold.",
       {},
       [gw] {
         return std::vector<LabeledValue>{
             {{}, Num(gw->digest_stats().slow_statements())}};
       }},
      {MetricType::kGauge,
       "mysqlgw_statement_digests_tracked",
       "Distinct statement digests with statistics (GET /digests on the admin "
       "port).",
       {},
       [gw] {
         return std::vector<LabeledValue>{
             {{}, static_cast<double>(gw->digest_stats().tracked())}};
       }},
      {MetricType::kGauge,
       "mysqlgw_policy_generation",
       "Interception policies loaded so far (1 at start; each successful "
       "reload adds one).",
       {},
       [interceptor] {
         return std::vector<LabeledValue>{
             {{}, Num(interceptor->Current()->generation())}};
       }},
      {MetricType::kCounter,
       "mysqlgw_policy_reloads_total",
       "Interception policy reloads, by result (ok, error).",
       {"result"},
       [interceptor] {
         return std::vector<LabeledValue>{
             {{"ok"}, Num(interceptor->reloads())},
             {{"error"}, Num(interceptor->failed_reloads())}};
       }},
      {MetricType::kGauge,
       "mysqlgw_backend_up",
       "Backend health as last checked: 1 up, 0 down, -1 not checked yet (with "
       "replicas only).",
       {"backend"},
       [gw] {
         std::vector<LabeledValue> out;
         for (const auto &[name, health] : gw->BackendHealthSnapshot()) {
           double v = health.state == BackendState::kUp     ? 1
                      : health.state == BackendState::kDown ? 0
                                                            : -1;
           out.push_back({{name}, v});
         }
         return out;
       }},
      {MetricType::kGauge,
       "mysqlgw_backend_replication_lag_seconds",
       "Replica lag (Seconds_Behind_Master) as last checked; absent when "
       "unknown.",
       {"backend"},
       [gw] {
         std::vector<LabeledValue> out;
         for (const auto &[name, health] : gw->BackendHealthSnapshot()) {
           if (health.is_replica && health.lag.has_value()) {
             out.push_back({{name}, static_cast<double>(health.lag->count())});
           }
         }
         return out;
       }},
      {MetricType::kCounter,
       "mysqlgw_replica_fallbacks_total",
       "Reads a replica was wanted for that the primary served because no "
       "replica was fit.",
       {},
       [gw] {
         return std::vector<LabeledValue>{{{}, Num(gw->replica_fallbacks())}};
       }},
      {MetricType::kGauge,
       "mysqlgw_database_quota_used_bytes",
       "Measured size (data + indexes) of each database with a quota.",
       {"database"},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    std::vector<LabeledValue> out;
                    for (const std::string &db : policy.quota().databases()) {
                      auto usage = policy.quota().UsageOf(db);
                      if (usage.has_value() && usage->used_bytes.has_value()) {
                        out.push_back({{db}, Num(*usage->used_bytes)});
                      }
                    }
                    return out;
                  })},
      {MetricType::kGauge,
       "mysqlgw_database_quota_limit_bytes",
       "Configured size quota of each database.",
       {"database"},
       FromPolicy(interceptor,
                  [](const Policy &policy) {
                    std::vector<LabeledValue> out;
                    for (const std::string &db : policy.quota().databases()) {
                      auto usage = policy.quota().UsageOf(db);
                      if (usage.has_value())
                        out.push_back({{db}, Num(usage->max_bytes)});
                    }
                    return out;
                  })},
  };
  for (const Spec &spec : specs) {
    if (absl::Status s = registry.AddCallback(spec.type, spec.name, spec.help,
                                              spec.labels, spec.collect);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

} // namespace mysqlgw
