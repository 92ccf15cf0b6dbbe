#include "server/intercept/limits/allowlist.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/intercept/limits/config_problems.h"
#include "server/sql/digest.h"

namespace mysqlgw {
namespace {

using limits_internal::ConfigProblems;
using limits_internal::IndexedPath;

constexpr uint16_t kErSpecificAccessDenied = 1227;
// Long enough to recognise a statement, short enough for one log line.
constexpr size_t kMaxShownText = 160;

absl::string_view PrincipalOf(const StatementContext& ctx) {
  return ctx.client == nullptr ? absl::string_view() : absl::string_view(ctx.client->principal);
}

// Digest texts come from callers: a newline in one would end a YAML comment
// (and let the rest of the text become configuration) or forge a log line.
std::string OneLine(absl::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxShownText + 3));
  for (char c : text) {
    if (out.size() >= kMaxShownText) {
      // Do not leave half of a UTF-8 sequence before the ellipsis.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
      if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80) != 0) out.pop_back();
      out += "...";
      return out;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

// A YAML double-quoted scalar.
std::string YamlQuoted(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", u));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AllowlistHook>> AllowlistHook::Create(
    const v1::InterceptionConfig& config) {
  return Create(config, Options());
}

absl::StatusOr<std::unique_ptr<AllowlistHook>> AllowlistHook::Create(
    const v1::InterceptionConfig& config, Options options) {
  const v1::AllowlistConfig& allowlist = config.allowlist();
  const std::string base = "interception.allowlist";
  ConfigProblems problems;
  if (!v1::AllowlistMode_IsValid(allowlist.mode())) {
    problems.Add(base, absl::StrCat("mode ", allowlist.mode(), " is not a known AllowlistMode"));
  }
  if (options.max_learned == 0) problems.Add(base, "max_learned must be at least 1");
  std::unique_ptr<AllowlistHook> hook(new AllowlistHook(allowlist.mode(), std::move(options)));
  for (int i = 0; i < allowlist.entries_size(); ++i) {
    const v1::AllowlistEntry& entry = allowlist.entries(i);
    const std::string path = IndexedPath(base + ".entries", i);
    if (entry.principal().empty()) {
      problems.Add(path, "principal must not be empty (\"*\" for every principal)");
    }
    if (entry.digests().empty()) {
      problems.Add(path, "digests must not be empty (an entry without digests allows nothing)");
    }
    DigestSet& digests = entry.principal() == "*" ? hook->wildcard_digests_
                                                  : hook->allowed_digests_[entry.principal()];
    for (int j = 0; j < entry.digests_size(); ++j) {
      std::optional<uint64_t> digest = ParseDigestHex(entry.digests(j));
      if (!digest.has_value()) {
        problems.Add(IndexedPath(path + ".digests", j),
                     absl::StrCat("'", OneLine(entry.digests(j)),
                                  "' is not a digest (16 hex digits, as in the logs)"));
        continue;
      }
      digests.insert(*digest);
    }
  }
  for (int i = 0; i < allowlist.exempt_principals_size(); ++i) {
    const std::string& principal = allowlist.exempt_principals(i);
    const std::string path = IndexedPath(base + ".exempt_principals", i);
    if (principal.empty()) {
      problems.Add(path, "must not be empty");
    } else if (principal == "*") {
      // Exempting everyone is mode: off said in a way that is easy to miss.
      problems.Add(path, "'*' would exempt every principal; use mode: off instead");
    }
    hook->exempt_.insert(principal);
  }
  if (!problems.empty()) return problems.ToStatus();
  return hook;
}

bool AllowlistHook::Allows(absl::string_view principal, uint64_t digest) const {
  if (wildcard_digests_.contains(digest)) return true;
  auto it = allowed_digests_.find(principal);
  return it != allowed_digests_.end() && it->second.contains(digest);
}

bool AllowlistHook::IsExempt(absl::string_view principal) const {
  return exempt_.contains(principal);
}

void AllowlistHook::ReadQuery(StatementContext& ctx, StatementPlan& plan) {
  if (mode_ == v1::ALLOWLIST_MODE_OFF || ctx.kind == StatementKind::kEmpty) return;
  const absl::string_view principal = PrincipalOf(ctx);
  if (IsExempt(principal)) return;
  switch (mode_) {
    case v1::ALLOWLIST_MODE_LEARN:
      Learn(principal, ctx);
      return;
    case v1::ALLOWLIST_MODE_DETECT:
    case v1::ALLOWLIST_MODE_PROTECT:
      break;
    default:
      return;
  }
  if (Allows(principal, ctx.digest)) {
    allowed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (mode_ == v1::ALLOWLIST_MODE_DETECT) {
    detected_.fetch_add(1, std::memory_order_relaxed);
    Detect(principal, ctx);
    return;
  }
  rejected_.fetch_add(1, std::memory_order_relaxed);
  plan.verdict = StatementPlan::Verdict::kReject;
  plan.rejection = RejectionStatus(
      absl::StatusCode::kPermissionDenied, kErSpecificAccessDenied, "42000",
      absl::StrCat("statement digest ", DigestHex(ctx.digest),
                   " is not in the allowlist of principal '", principal, "'"));
}

void AllowlistHook::Learn(absl::string_view principal, const StatementContext& ctx) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = learned_.find(principal);
    if (it != learned_.end() && it->second.contains(ctx.digest)) return;
  }
  absl::MutexLock lock(&mu_);
  auto it = learned_.find(principal);
  if (it != learned_.end() && it->second.contains(ctx.digest)) return;
  if (learned_count_ >= options_.max_learned) {
    learned_dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (it == learned_.end()) it = learned_.try_emplace(std::string(principal)).first;
  it->second.emplace(ctx.digest, ctx.digest_text);
  ++learned_count_;
}

void AllowlistHook::Detect(absl::string_view principal, const StatementContext& ctx) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = logged_.find(principal);
    if (it != logged_.end() && it->second.contains(ctx.digest)) return;
  }
  {
    absl::MutexLock lock(&mu_);
    // Past the bound, new digests go unlogged rather than grow memory: the
    // detected() counter still sees them.
    if (logged_count_ >= options_.max_learned) return;
    if (!logged_[principal].insert(ctx.digest).second) return;
    ++logged_count_;
  }
  std::string line = absl::StrCat("allowlist: statement digest ", DigestHex(ctx.digest),
                                  " of principal '", OneLine(principal),
                                  "' is not in the allowlist (detect mode): ",
                                  OneLine(ctx.digest_text));
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

std::vector<LearnedStatement> AllowlistHook::Learned() const {
  std::vector<LearnedStatement> out;
  {
    absl::ReaderMutexLock lock(&mu_);
    out.reserve(learned_count_);
    for (const auto& [principal, digests] : learned_) {
      for (const auto& [digest, text] : digests) out.push_back({principal, digest, text});
    }
  }
  std::sort(out.begin(), out.end(), [](const LearnedStatement& a, const LearnedStatement& b) {
    return std::tie(a.principal, a.digest_text, a.digest) <
           std::tie(b.principal, b.digest_text, b.digest);
  });
  return out;
}

std::string AllowlistHook::LearnedAsYaml() const {
  const std::vector<LearnedStatement> learned = Learned();
  std::string out = absl::StrCat(
      "# Learned by mysqlgw: ", learned.size(), " statement digest(s)",
      learned_dropped() > 0 ? absl::StrCat(" (", learned_dropped(), " more not recorded: limit reached)")
                            : std::string(),
      ".\n# Review, then use mode: detect or protect.\n"
      "interception:\n  allowlist:\n    entries:",
      learned.empty() ? " []\n" : "\n");
  const std::string* principal = nullptr;
  for (const LearnedStatement& s : learned) {
    if (principal == nullptr || *principal != s.principal) {
      principal = &s.principal;
      absl::StrAppend(&out, "      - principal: ", YamlQuoted(s.principal), "\n        digests:\n");
    }
    absl::StrAppend(&out, "          - \"", DigestHex(s.digest), "\"");
    if (!s.digest_text.empty()) absl::StrAppend(&out, "  # ", OneLine(s.digest_text));
    out.push_back('\n');
  }
  return out;
}

}  // namespace mysqlgw
