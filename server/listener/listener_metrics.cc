#include "server/listener/listener_metrics.h"

#include <functional>
#include <string>
#include <vector>

#include "server/gateway/session_effect.h"

namespace mysqlgw {
namespace {

using metrics::LabeledValue;
using metrics::MetricType;

double Num(uint64_t v) { return static_cast<double>(v); }

}  // namespace

absl::Status RegisterListenerMetrics(metrics::Registry& registry, MySqlListener& listener) {
  const ListenerStats* stats = &listener.stats();
  Gateway* gateway = &listener.gateway();
  struct Spec {
    MetricType type;
    const char* name;
    const char* help;
    std::vector<std::string> labels;
    std::function<std::vector<LabeledValue>()> collect;
  };
  const Spec specs[] = {
      {MetricType::kGauge, "mysqlgw_listener_connections_open",
       "MySQL-protocol client connections open now.",
       {},
       [stats] {
         return std::vector<LabeledValue>{
             {{}, static_cast<double>(stats->connections_open.load())}};
       }},
      {MetricType::kCounter, "mysqlgw_listener_connections_total",
       "MySQL-protocol client connections accepted.",
       {},
       [stats] { return std::vector<LabeledValue>{{{}, Num(stats->connections_total.load())}}; }},
      {MetricType::kCounter, "mysqlgw_listener_connections_refused_total",
       "MySQL-protocol client connections refused with ERR 1040 (max_connections).",
       {},
       [stats] {
         return std::vector<LabeledValue>{{{}, Num(stats->connections_refused.load())}};
       }},
      {MetricType::kCounter, "mysqlgw_listener_auth_failures_total",
       "MySQL-protocol logins and changes of user refused (ERR 1045).",
       {},
       [stats] { return std::vector<LabeledValue>{{{}, Num(stats->auth_failures.load())}}; }},
      {MetricType::kCounter, "mysqlgw_listener_commands_total",
       "MySQL-protocol commands received, by command.",
       {"command"},
       [stats] {
         std::vector<LabeledValue> out;
         uint64_t other = 0;
         for (int byte = 0; byte < 256; ++byte) {
           const uint64_t n = stats->commands[byte].load(std::memory_order_relaxed);
           const absl::string_view name = CommandName(static_cast<uint8_t>(byte));
           if (name.empty()) {
             other += n;
           } else {
             out.push_back({{std::string(name)}, Num(n)});
           }
         }
         out.push_back({{"other"}, Num(other)});
         return out;
       }},
      {MetricType::kCounter, "mysqlgw_listener_session_pins_total",
       "Times a MySQL-protocol session pinned its backend connection, by reason.",
       {"reason"},
       [gateway] {
         std::vector<LabeledValue> out;
         for (int bit = 0; bit < kPinReasonCount; ++bit) {
           out.push_back({{std::string(PinReasonName(1u << bit))}, Num(gateway->session_pins(bit))});
         }
         return out;
       }},
      {MetricType::kGauge, "mysqlgw_listener_pinned_sessions",
       "MySQL-protocol sessions holding a backend connection now.",
       {},
       [gateway] {
         return std::vector<LabeledValue>{{{}, static_cast<double>(gateway->pinned_sessions())}};
       }},
  };
  for (const Spec& spec : specs) {
    if (absl::Status s =
            registry.AddCallback(spec.type, spec.name, spec.help, spec.labels, spec.collect);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace mysqlgw
