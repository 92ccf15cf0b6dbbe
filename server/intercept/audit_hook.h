// The audit log: one JSON object per line for each statement a rule marked
// for audit (plan.audit), written after its outcome is known. It records the
// normalized statement (digest text), never literal values, so secrets and
// personal data in SQL do not leak into it.
//
// Runs first in the chain so that its read_query_result sees every
// statement, whichever hook decided.
#ifndef SERVER_INTERCEPT_AUDIT_HOOK_H_
#define SERVER_INTERCEPT_AUDIT_HOOK_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

class AuditLog {
 public:
  // Appends to `path`, created if missing; empty: stderr.
  static absl::StatusOr<std::shared_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  void Write(absl::string_view line);
  const std::string& path() const { return path_; }

 private:
  AuditLog(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_);
  std::string path_;
};

// The audit record for one statement, without the trailing newline.
std::string AuditRecord(const StatementContext& ctx, const StatementPlan& plan,
                        const ResultInfo& result);

class AuditHook : public Hook {
 public:
  explicit AuditHook(std::shared_ptr<AuditLog> log) : log_(std::move(log)) {}
  absl::string_view name() const override { return "audit"; }
  absl::Status ReadQueryResult(const StatementContext& ctx, const StatementPlan& plan,
                               const ResultInfo& result) override;

 private:
  std::shared_ptr<AuditLog> log_;
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_AUDIT_HOOK_H_
