// libFuzzer target for the configuration loader: file text (YAML or JSON)
// -> ConfigNode tree -> schema check -> GatewayConfig -> defaults ->
// validation, then the interception policy's sections that build without
// files or sockets (rules, client addresses, limits, allowlist, quotas).
//
// Input: byte 0, low two bits: 0 YAML, 1 JSON, 2-3 ParseConfig's own choice
// (kAuto); the rest is the file's text.
//
// Invariants, besides "no crash, no sanitizer report":
//  - the reader's tree printed as JSON reads back (ReadJson) to the same
//    JSON: ToJson is a fixed point of ReadJson;
//  - a parsed configuration, printed by protobuf's JSON printer, parses back
//    through ParseConfig to an equal message, as JSON and as YAML (JSON is
//    YAML's flow style): everything the gateway can hold can be written in
//    its file;
//  - ApplyDefaults is idempotent; ValidateConfig gives the same answer twice.
// Paths in the configuration (TLS files, the RSA key) are only stat'ed and
// read by ValidateConfig; nothing here writes a file or opens a socket.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/config/config_defaults.h"
#include "server/config/config_loader.h"
#include "server/config/config_node.h"
#include "server/config/config_validate.h"
#include "server/config/json_reader.h"
#include "server/config/yaml_reader.h"
#include "server/intercept/limits/allowlist.h"
#include "server/intercept/limits/client_address_hook.h"
#include "server/intercept/limits/database_quota.h"
#include "server/intercept/limits/principal_limits.h"
#include "server/intercept/rules/rule_set.h"

namespace {

using google::protobuf::util::MessageDifferencer;
using mysqlgw::ConfigFormat;

[[noreturn]] void Fail(const char* what, absl::string_view detail) {
  std::fprintf(stderr, "config_fuzzer invariant broken: %s\n%.*s\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// ToJson(tree) must read back as JSON to a tree that prints the same.
void CheckTreeRoundTrip(const mysqlgw::ConfigNode& tree) {
  const std::string json = mysqlgw::ToJson(tree);
  absl::StatusOr<mysqlgw::ConfigNode> again = mysqlgw::ReadJson(json);
  if (!again.ok()) Fail("ReadJson refuses ToJson's output", json + "\n" + again.status().ToString());
  const std::string json2 = mysqlgw::ToJson(*again);
  if (json2 != json) Fail("ToJson(ReadJson(ToJson(tree))) differs", json + "\n" + json2);
}

void CheckConfigRoundTrip(const mysqlgw::v1::GatewayConfig& config) {
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(config, &json, print).ok()) {
    // Only non-UTF-8 strings fail to print, and ParseConfig cannot make one.
    Fail("a parsed configuration does not print as JSON", config.DebugString());
  }
  for (ConfigFormat format : {ConfigFormat::kJson, ConfigFormat::kYaml}) {
    absl::StatusOr<mysqlgw::v1::GatewayConfig> again =
        mysqlgw::ParseConfig(json, format, "reprinted");
    if (!again.ok()) {
      Fail(format == ConfigFormat::kJson ? "printed JSON does not parse back as JSON"
                                         : "printed JSON does not parse back as YAML",
           json + "\n" + again.status().ToString());
    }
    if (!MessageDifferencer::Equals(config, *again)) {
      Fail("printed JSON parses back to a different configuration",
           json + "\n" + again->DebugString());
    }
  }
}

// The interception sections that build from the message alone. The audit
// log (a file it opens for writing) and Lua scripts (files, and code that
// runs) are left out.
void BuildInterception(const mysqlgw::v1::GatewayConfig& config) {
  const mysqlgw::v1::InterceptionConfig& ic = config.interception();
  std::vector<std::string> backends;
  for (const auto& b : config.backends()) backends.push_back(b.name());
  (void)mysqlgw::RuleSet::Compile(ic.rules(), backends);
  (void)mysqlgw::ClientAddressHook::Create(ic);
  (void)mysqlgw::PrincipalLimits::Create(ic);
  (void)mysqlgw::AllowlistHook::Create(ic);
  (void)mysqlgw::DatabaseQuota::Create(ic);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  const uint8_t selector = data[0];
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ConfigFormat format = ConfigFormat::kAuto;
  if ((selector & 3) == 0) format = ConfigFormat::kYaml;
  if ((selector & 3) == 1) format = ConfigFormat::kJson;

  // The readers alone, whatever the schema says.
  const bool json = format == ConfigFormat::kJson ||
                    (format == ConfigFormat::kAuto &&
                     absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{"));
  absl::StatusOr<mysqlgw::ConfigNode> tree =
      json ? mysqlgw::ReadJson(text) : mysqlgw::ReadYaml(text);
  if (tree.ok()) CheckTreeRoundTrip(*tree);

  absl::StatusOr<mysqlgw::v1::GatewayConfig> parsed = mysqlgw::ParseConfig(text, format, "fuzz");
  if (!parsed.ok()) return 0;
  CheckConfigRoundTrip(*parsed);

  mysqlgw::v1::GatewayConfig config = *parsed;
  mysqlgw::ApplyDefaults(&config);
  mysqlgw::v1::GatewayConfig twice = config;
  mysqlgw::ApplyDefaults(&twice);
  if (!MessageDifferencer::Equals(config, twice)) {
    Fail("ApplyDefaults is not idempotent", config.DebugString() + "\n" + twice.DebugString());
  }
  const absl::Status valid = mysqlgw::ValidateConfig(config);
  if (mysqlgw::ValidateConfig(config).ok() != valid.ok()) {
    Fail("ValidateConfig is not deterministic", valid.ToString());
  }
  BuildInterception(config);
  return 0;
}
