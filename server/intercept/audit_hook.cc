#include "server/intercept/audit_hook.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "mysqlwire/error.h"
#include "server/log/log.h"
#include "server/log/redact.h"

namespace mysqlgw {

absl::StatusOr<std::shared_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  std::FILE* file = stderr;
  if (!path.empty()) {
    file = std::fopen(path.c_str(), "a");
    if (file == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot open audit log '", path, "': ", std::strerror(errno)));
    }
  }
  return std::shared_ptr<AuditLog>(new AuditLog(file, path));
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != stderr) std::fclose(file_);
}

void AuditLog::Write(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fputc('\n', file_);
  // An audit trail that sits in a buffer when the process dies is no trail.
  std::fflush(file_);
}

std::string AuditRecord(const StatementContext& ctx, const StatementPlan& plan,
                        const ResultInfo& result) {
  std::string out = "{\"time\":";
  AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
                   &out);
  out += ",\"principal\":";
  AppendJsonString(ctx.client != nullptr ? ctx.client->principal : "", &out);
  out += ",\"client\":";
  AppendJsonString(ctx.client != nullptr ? ctx.client->address.ToString() : "", &out);
  out += ",\"protocol\":";
  out += (ctx.client != nullptr && ctx.client->protocol == ClientInfo::Protocol::kMySql)
             ? "\"mysql\""
             : "\"grpc\"";
  out += ",\"database\":";
  AppendJsonString(ctx.database, &out);
  out += ",\"kind\":";
  AppendJsonString(StatementKindName(ctx.kind), &out);
  out += ",\"digest\":";
  AppendJsonString(DigestHex(ctx.digest), &out);
  out += ",\"digest_text\":";
  AppendJsonString(ctx.digest_text, &out);
  out += ",\"in_transaction\":";
  out += ctx.in_transaction ? "true" : "false";
  out += ",\"rules\":[";
  for (size_t i = 0; i < plan.matched_rules.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(plan.matched_rules[i], &out);
  }
  out += "],\"verdict\":";
  switch (plan.verdict) {
    case StatementPlan::Verdict::kPass:
      out += "\"pass\"";
      break;
    case StatementPlan::Verdict::kReject:
      out += "\"reject\"";
      break;
    case StatementPlan::Verdict::kRespond:
      out += "\"respond\"";
      break;
  }
  out += ",\"status\":";
  AppendJsonString(absl::StatusCodeToString(result.status.code()), &out);
  if (std::optional<mysqlwire::ServerError> e = mysqlwire::GetServerError(result.status)) {
    absl::StrAppend(&out, ",\"mysql_errno\":", e->code, ",\"sql_state\":");
    AppendJsonString(e->sql_state, &out);
  }
  if (!result.status.ok()) {
    // MySQL quotes the caller's data in its messages (duplicate keys,
    // syntax errors): only the message's shape is kept.
    out += ",\"error\":";
    AppendJsonString(RedactErrorMessage(result.status.message()), &out);
  }
  absl::StrAppend(&out, ",\"rows\":", result.rows, ",\"affected_rows\":", result.affected_rows,
                  ",\"bytes\":", result.bytes, ",\"latency_us\":", result.latency.count(),
                  ",\"backend\":");
  AppendJsonString(result.backend, &out);
  out += '}';
  return out;
}

absl::Status AuditHook::ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                                        const ResultInfo& result) {
  if (plan.audit) log_->Write(AuditRecord(ctx, plan, result));
  return absl::OkStatus();
}

}  // namespace mysqlgw
