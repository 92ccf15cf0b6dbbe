#include "server/intercept/lua/lua_hook.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/intercept/lua/lua_proxy_api.h"
#include "server/intercept/lua/lua_sandbox.h"

namespace mysqlgw {
namespace {

constexpr uint64_t kDefaultMaxInstructions = 1'000'000;
constexpr uint64_t kDefaultMaxMemoryBytes = 16u << 20;
constexpr uint16_t kErUnknownError = 1105;
// Injections whose read_query_result never comes (a later hook rejected the
// statement) would pile up; past this many the table starts over.
constexpr size_t kMaxPendingInjections = 1024;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read '", path, "': ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::InvalidArgumentError(absl::StrCat("cannot read '", path, "'"));
  return text.str();
}

}  // namespace

struct LuaHook::Shard {
  std::unique_ptr<LuaSandbox> sandbox;
  std::unique_ptr<LuaProxyApi> api;
  // Ids given to proxy.queries:append, until read_query_result. Keyed by
  // the statement's context, which the chain passes to both calls; only
  // looked up when the plan carries this script's marker.
  absl::flat_hash_map<const StatementContext*, int64_t> injections;
};

absl::StatusOr<std::unique_ptr<LuaHook>> LuaHook::Create(const v1::LuaScriptConfig& config,
                                                         size_t shards) {
  if (config.name().empty()) return absl::InvalidArgumentError("lua script: a name is required");
  auto invalid = [&config](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("lua script '", config.name(), "': ", what));
  };
  if (!config.file().empty() && !config.source().empty()) {
    return invalid("set either file or source, not both");
  }
  if (config.file().empty() && config.source().empty()) {
    return invalid("file or source is required");
  }
  if (shards == 0) return invalid("at least one shard is required");

  std::string source = config.source();
  std::string chunk_name = absl::StrCat("=", config.name());
  if (!config.file().empty()) {
    absl::StatusOr<std::string> text = ReadFile(config.file());
    if (!text.ok()) return invalid(text.status().message());
    source = *std::move(text);
    chunk_name = absl::StrCat("@", config.file());
  }
  LuaSandboxOptions options;
  options.name = config.name();
  options.max_instructions =
      config.max_instructions() != 0 ? config.max_instructions() : kDefaultMaxInstructions;
  options.max_memory_bytes =
      config.max_memory_bytes() != 0 ? config.max_memory_bytes() : kDefaultMaxMemoryBytes;

  std::unique_ptr<LuaHook> hook(new LuaHook(config.name()));
  hook->shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) {
    auto shard = std::make_unique<Shard>();
    absl::StatusOr<std::unique_ptr<LuaSandbox>> sandbox = LuaSandbox::Create(options);
    if (!sandbox.ok()) return invalid(sandbox.status().message());
    shard->sandbox = *std::move(sandbox);
    absl::StatusOr<std::unique_ptr<LuaProxyApi>> api = LuaProxyApi::Install(*shard->sandbox);
    if (!api.ok()) return invalid(api.status().message());
    shard->api = *std::move(api);
    absl::Status loaded = shard->sandbox->Run(source, chunk_name);
    if (!loaded.ok()) return invalid(loaded.message());
    absl::StatusOr<LuaProxyApi::Entrypoints> entrypoints = shard->api->FindEntrypoints();
    if (!entrypoints.ok()) return invalid(entrypoints.status().message());
    if (!entrypoints->read_query && !entrypoints->read_query_result) {
      return invalid("defines neither read_query nor read_query_result");
    }
    hook->shards_.push_back(std::move(shard));
  }
  return hook;
}

LuaHook::LuaHook(std::string name) : name_(std::move(name)), marker_("lua:" + name_) {}

LuaHook::~LuaHook() = default;

size_t LuaHook::memory_used(size_t shard) const { return shards_[shard]->sandbox->memory_used(); }

absl::Status LuaHook::ScriptError(const absl::Status& status) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  return RejectionStatus(status.code(), kErUnknownError, "HY000",
                         absl::StrCat("lua script '", name_, "': ", status.message()));
}

void LuaHook::Reject(StatementPlan& plan, const absl::Status& status) {
  plan.verdict = StatementPlan::Verdict::kReject;
  plan.rejection = ScriptError(status);
  plan.matched_rules.push_back(marker_);
}

void LuaHook::ReadQuery(StatementContext& ctx, StatementPlan& plan) {
  if (ctx.shard >= shards_.size()) {
    Reject(plan, absl::InternalError(
                     absl::StrCat("shard ", ctx.shard, " out of range (", shards_.size(), ")")));
    return;
  }
  Shard& shard = *shards_[ctx.shard];
  absl::Status status = shard.api->ReadQuery(ctx);
  if (!status.ok()) {
    Reject(plan, status);
    return;
  }
  LuaQueryDecision& decision = shard.api->mutable_query_decision();
  bool acted = false;
  bool injected = false;
  if (decision.route_set) {
    plan.route = decision.route;
    acted = true;
  }
  switch (decision.reply) {
    case LuaQueryDecision::Reply::kError:
      plan.verdict = StatementPlan::Verdict::kReject;
      plan.rejection = RejectionStatus(
          absl::StatusCode::kPermissionDenied, decision.error_code, decision.sql_state,
          decision.error_message.empty()
              ? absl::StrCat("statement rejected by lua script '", name_, "'")
              : decision.error_message);
      acted = true;
      break;
    case LuaQueryDecision::Reply::kResultSet:
      plan.verdict = StatementPlan::Verdict::kRespond;
      plan.response = std::move(decision.result);
      acted = true;
      break;
    case LuaQueryDecision::Reply::kNone:
      if (decision.rewrite) {
        // Swapped, not copied: the decision's buffer is reused next call.
        ctx.sql.swap(decision.sql);
        if (shard.injections.size() >= kMaxPendingInjections) shard.injections.clear();
        shard.injections[&ctx] = decision.injection_id;
        injected = true;
        acted = true;
      }
      break;
  }
  // A context at this address from an earlier statement whose result never
  // came must not pass for this one.
  if (!injected && !shard.injections.empty()) shard.injections.erase(&ctx);
  if (acted) plan.matched_rules.push_back(marker_);
}

absl::Status LuaHook::ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                                      const ResultInfo& result) {
  if (ctx.shard >= shards_.size()) {
    return ScriptError(absl::InternalError(
        absl::StrCat("shard ", ctx.shard, " out of range (", shards_.size(), ")")));
  }
  Shard& shard = *shards_[ctx.shard];
  bool injected = false;
  int64_t injection_id = 0;
  if (!shard.injections.empty() &&
      std::find(plan.matched_rules.begin(), plan.matched_rules.end(), marker_) !=
          plan.matched_rules.end()) {
    auto it = shard.injections.find(&ctx);
    if (it != shard.injections.end()) {
      injected = true;
      injection_id = it->second;
      shard.injections.erase(it);
    }
  }
  absl::Status status = shard.api->ReadQueryResult(ctx, result, injected, injection_id);
  if (!status.ok()) return ScriptError(status);
  const LuaResultDecision& decision = shard.api->result_decision();
  if (!decision.error) return absl::OkStatus();
  return RejectionStatus(absl::StatusCode::kPermissionDenied, decision.error_code,
                         decision.sql_state,
                         decision.error_message.empty()
                             ? absl::StrCat("statement failed by lua script '", name_, "'")
                             : decision.error_message);
}

}  // namespace mysqlgw
