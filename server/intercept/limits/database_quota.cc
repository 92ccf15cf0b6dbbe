#include "server/intercept/limits/database_quota.h"

#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "mysqlwire/protocol/escaping.h"
#include "server/intercept/limits/config_problems.h"

namespace mysqlgw {
namespace {

using limits_internal::ConfigProblems;
using limits_internal::IndexedPath;

constexpr uint16_t kErRecordFileFull = 1114;
// The measuring query scans information_schema, which opens every table of
// the database: more often than this costs the backend more than it saves.
constexpr std::chrono::milliseconds kMinRefreshInterval{1000};
constexpr std::chrono::milliseconds kDefaultRefreshInterval{60000};

// Digits, optionally followed by a fraction (SUM returns a DECIMAL, whose
// text some servers or drivers may give with a scale); the fraction is
// dropped.
std::optional<uint64_t> ParseByteCount(absl::string_view text) {
  const size_t dot = text.find('.');
  absl::string_view whole = text.substr(0, dot);
  if (whole.empty()) return std::nullopt;
  if (dot != absl::string_view::npos) {
    absl::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || !std::all_of(fraction.begin(), fraction.end(), absl::ascii_isdigit)) {
      return std::nullopt;
    }
  }
  uint64_t value = 0;
  for (char c : whole) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (~uint64_t{0} - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Names from the backend or the configuration, shown in errors on one line.
std::string Shown(absl::string_view text) {
  std::string out(text.substr(0, 80));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text.size() > 80 ? out + "..." : out;
}

std::chrono::milliseconds ToMillis(const google::protobuf::Duration& d) {
  return std::chrono::milliseconds(d.seconds() * 1000 + d.nanos() / 1000000);
}

}  // namespace

absl::StatusOr<std::shared_ptr<DatabaseQuota>> DatabaseQuota::Create(
    const v1::InterceptionConfig& config, const DatabaseQuota* previous) {
  ConfigProblems problems;
  std::shared_ptr<DatabaseQuota> quota(new DatabaseQuota());
  absl::flat_hash_map<std::string, int> first_index;
  std::optional<std::chrono::milliseconds> interval;
  for (int i = 0; i < config.database_quotas_size(); ++i) {
    const v1::DatabaseQuotaConfig& entry = config.database_quotas(i);
    const std::string path = IndexedPath("interception.database_quotas", i);
    const std::string& name = entry.database();
    if (name.empty()) {
      problems.Add(path, "database must not be empty");
    } else if (name.find('\0') != std::string::npos) {
      problems.Add(path, "database must not contain a NUL character");
    } else if (name.back() == ' ') {
      // The server refuses such names, so the quota could never apply.
      problems.Add(path, absl::StrCat("database '", Shown(name), "' must not end with a space"));
    } else if (auto [it, inserted] = first_index.emplace(name, i); !inserted) {
      problems.Add(path, absl::StrCat("database '", Shown(name),
                                      "' already has a quota at interception.database_quotas[",
                                      it->second, "]"));
    }
    if (entry.max_bytes() == 0) problems.Add(path, "max_bytes must be > 0");
    std::chrono::milliseconds entry_interval = kDefaultRefreshInterval;
    if (entry.has_refresh_interval()) {
      const google::protobuf::Duration& d = entry.refresh_interval();
      if (d.seconds() < 0 || d.nanos() < 0) {
        problems.Add(path, "refresh_interval must not be negative");
      } else if (ToMillis(d) < kMinRefreshInterval) {
        problems.Add(path, "refresh_interval must be at least 1s (or unset for 60s)");
      } else {
        entry_interval = ToMillis(d);
      }
    }
    interval = std::min(interval.value_or(entry_interval), entry_interval);
    if (problems.empty()) {
      auto e = std::make_unique<Entry>();
      e->max_bytes = entry.max_bytes();
      if (previous != nullptr) {
        if (const Entry* old = previous->Find(name); old != nullptr) {
          e->used.store(old->used.load(std::memory_order_relaxed), std::memory_order_relaxed);
        }
      }
      quota->names_.push_back(name);
      quota->entries_.emplace(name, std::move(e));
    }
  }
  if (!problems.empty()) return problems.ToStatus();
  if (interval.has_value()) quota->refresh_interval_ = *interval;
  return quota;
}

DatabaseQuota::Entry* DatabaseQuota::Find(absl::string_view database) const {
  auto it = entries_.find(database);
  return it == entries_.end() ? nullptr : it->second.get();
}

void DatabaseQuota::Update(absl::string_view database, uint64_t bytes) {
  Entry* entry = Find(database);
  if (entry == nullptr) return;
  entry->used.store(std::min(bytes, kUnmeasured - 1), std::memory_order_relaxed);
}

std::optional<DatabaseQuota::Usage> DatabaseQuota::UsageOf(absl::string_view database) const {
  const Entry* entry = Find(database);
  if (entry == nullptr) return std::nullopt;
  Usage usage;
  usage.max_bytes = entry->max_bytes;
  const uint64_t used = entry->used.load(std::memory_order_relaxed);
  if (used != kUnmeasured) usage.used_bytes = used;
  return usage;
}

bool DatabaseQuota::IsOver(absl::string_view database) const {
  const Entry* entry = Find(database);
  if (entry == nullptr) return false;
  const uint64_t used = entry->used.load(std::memory_order_relaxed);
  return used != kUnmeasured && used >= entry->max_bytes;
}

std::string QuotaQuery(const DatabaseQuota& quota, bool no_backslash_escapes) {
  if (quota.databases().empty()) return "";
  std::vector<std::string> literals;
  literals.reserve(quota.databases().size());
  for (const std::string& name : quota.databases()) {
    literals.push_back(mysqlwire::EscapeStringLiteral(name, no_backslash_escapes));
  }
  return absl::StrCat(
      "SELECT table_schema, COALESCE(SUM(data_length + index_length), 0) "
      "FROM information_schema.tables WHERE table_schema IN (",
      absl::StrJoin(literals, ", "), ") GROUP BY table_schema");
}

absl::Status ApplyQuotaRows(DatabaseQuota& quota,
                            absl::Span<const std::pair<std::string, std::string>> rows) {
  std::vector<std::string> problems;
  std::vector<std::pair<const std::string*, uint64_t>> sizes;
  absl::flat_hash_set<const std::string*> seen;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [database, size_text] = rows[i];
    const std::string where = absl::StrCat("quota row ", i, " (database '", Shown(database), "')");
    const std::string* name = nullptr;
    for (const std::string& configured : quota.databases()) {
      if (configured == database) {
        name = &configured;
        break;
      }
    }
    if (name == nullptr) {
      for (const std::string& configured : quota.databases()) {
        if (absl::EqualsIgnoreCase(configured, database)) {
          if (name != nullptr) {
            name = nullptr;  // Ambiguous: "Shop" and "SHOP" both configured.
            break;
          }
          name = &configured;
        }
      }
    }
    std::optional<uint64_t> size = ParseByteCount(size_text);
    if (!size.has_value()) {
      problems.push_back(
          absl::StrCat(where, ": size '", Shown(size_text), "' is not a byte count"));
    }
    if (name == nullptr) {
      problems.push_back(absl::StrCat(where, ": no quota is configured for this database"));
    } else if (!seen.insert(name).second) {
      problems.push_back(absl::StrCat(where, ": database '", Shown(*name), "' has two rows"));
    }
    if (name != nullptr && size.has_value()) sizes.emplace_back(name, *size);
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot apply database quota measurements:\n",
                                                   absl::StrJoin(problems, "\n")));
  }
  for (const std::string& configured : quota.databases()) {
    if (!seen.contains(&configured)) quota.Update(configured, 0);
  }
  for (const auto& [name, size] : sizes) quota.Update(*name, size);
  return absl::OkStatus();
}

std::string FormatByteSize(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

bool IsQuotaLimitedWrite(const StatementContext& ctx) {
  switch (ctx.kind) {
    case StatementKind::kInsert:
    case StatementKind::kUpdate:
    case StatementKind::kReplace:
    case StatementKind::kCall:
    case StatementKind::kOther:
      return true;
    case StatementKind::kDdl: {
      // The normalized text starts with the keyword; the raw text is the
      // fallback should a caller not fill it in.
      absl::string_view text = ctx.digest_text.empty() ? ctx.sql : ctx.digest_text;
      text = absl::StripLeadingAsciiWhitespace(text);
      return !(absl::StartsWithIgnoreCase(text, "DROP ") ||
               absl::StartsWithIgnoreCase(text, "TRUNCATE "));
    }
    case StatementKind::kSelect:
    case StatementKind::kDelete:
    case StatementKind::kTransaction:
    case StatementKind::kSet:
    case StatementKind::kShow:
    case StatementKind::kUse:
    case StatementKind::kEmpty:
      return false;
  }
  return true;
}

void QuotaHook::ReadQuery(StatementContext& ctx, StatementPlan& plan) {
  if (quota_->databases().empty() || !IsQuotaLimitedWrite(ctx)) return;
  const std::string* over = nullptr;
  if (!ctx.database.empty() && quota_->IsOver(ctx.database)) over = &ctx.database;
  for (size_t i = 0; over == nullptr && i < ctx.tables.size(); ++i) {
    const std::string& database = ctx.tables[i].database;
    if (!database.empty() && quota_->IsOver(database)) over = &database;
  }
  if (over == nullptr) return;
  std::optional<DatabaseQuota::Usage> usage = quota_->UsageOf(*over);
  if (!usage.has_value()) return;
  rejected_.fetch_add(1, std::memory_order_relaxed);
  plan.verdict = StatementPlan::Verdict::kReject;
  plan.rejection = RejectionStatus(
      absl::StatusCode::kResourceExhausted, kErRecordFileFull, "HY000",
      absl::StrCat("database '", *over, "' is over its quota: ",
                   FormatByteSize(usage->used_bytes.value_or(0)), " used of ",
                   FormatByteSize(usage->max_bytes),
                   "; writes are rejected until space is freed"));
}

}  // namespace mysqlgw
