// The SQL allowlist: which statement digests each principal may run
// (interception.allowlist). Entries for "*" apply to every principal, on top
// of the principal's own entries; exempt_principals are not checked, counted
// nor learned.
//
// Modes:
//  - OFF: nothing is checked.
//  - DETECT: statements outside the allowlist run; they are counted
//    (detected()) and logged to stderr once per (principal, digest).
//  - PROTECT: statements outside the allowlist are rejected:
//    PERMISSION_DENIED, errno 1227 (ER_SPECIFIC_ACCESS_DENIED_ERROR),
//    SQLSTATE 42000. 1227 rather than 1142 (ER_TABLEACCESS_DENIED_ERROR)
//    because the refusal is about the statement, not a table privilege, and
//    clients already treat 1227 as "you lack the right for this operation".
//  - LEARN: everything runs; every (principal, digest, digest text) seen is
//    recorded, up to Options::max_learned entries (further ones are counted
//    in learned_dropped()), for an operator to review with LearnedAsYaml().
//
// Empty statements (only whitespace and comments) are never checked: they
// do nothing, and some drivers send them as pings.
//
// Thread-safe: the allowlist itself is immutable after Create; the learned
// and logged sets are behind a mutex that is taken only in LEARN and DETECT
// modes (a reader lock first, the writer lock only for a new digest).
#ifndef SERVER_INTERCEPT_LIMITS_ALLOWLIST_H_
#define SERVER_INTERCEPT_LIMITS_ALLOWLIST_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/intercept/hook.h"

namespace mysqlgw {

struct LearnedStatement {
  std::string principal;
  uint64_t digest = 0;
  std::string digest_text;
  bool operator==(const LearnedStatement&) const = default;
};

class AllowlistHook : public Hook {
 public:
  struct Options {
    // Bound on learned (principal, digest) pairs, and separately on the
    // pairs DETECT mode remembers having logged.
    size_t max_learned = 100000;
    // Receives DETECT mode's log lines; null: stderr.
    std::function<void(absl::string_view)> log;
  };

  // Validates interception.allowlist; INVALID_ARGUMENT lists every problem.
  static absl::StatusOr<std::unique_ptr<AllowlistHook>> Create(
      const v1::InterceptionConfig& config);
  static absl::StatusOr<std::unique_ptr<AllowlistHook>> Create(
      const v1::InterceptionConfig& config, Options options);

  absl::string_view name() const override { return "allowlist"; }
  void ReadQuery(StatementContext& ctx, StatementPlan& plan) override;

  v1::AllowlistMode mode() const { return mode_; }
  // Whether `digest` is in the allowlist of `principal` (own or "*"
  // entries), regardless of mode and exemptions.
  bool Allows(absl::string_view principal, uint64_t digest) const;
  bool IsExempt(absl::string_view principal) const;

  // Sorted by principal, then digest text, then digest.
  std::vector<LearnedStatement> Learned() const;
  // The learned statements as a snippet for the configuration file:
  //   interception:
  //     allowlist:
  //       entries:
  //         - principal: "app"
  //           digests:
  //             - "0123456789abcdef"  # SELECT * FROM `t` WHERE `id` = ?
  // Digest texts are comments, flattened to one line and shortened.
  std::string LearnedAsYaml() const;

  // For metrics. allowed/rejected/detected count checked statements (DETECT
  // and PROTECT modes).
  uint64_t allowed() const { return allowed_.load(std::memory_order_relaxed); }
  uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  uint64_t detected() const { return detected_.load(std::memory_order_relaxed); }
  uint64_t learned_dropped() const { return learned_dropped_.load(std::memory_order_relaxed); }

 private:
  using DigestSet = absl::flat_hash_set<uint64_t>;

  AllowlistHook(v1::AllowlistMode mode, Options options) : mode_(mode), options_(std::move(options)) {}
  void Learn(absl::string_view principal, const StatementContext& ctx);
  void Detect(absl::string_view principal, const StatementContext& ctx);

  const v1::AllowlistMode mode_;
  const Options options_;
  absl::flat_hash_map<std::string, DigestSet> allowed_digests_;  // Set in Create.
  DigestSet wildcard_digests_;
  absl::flat_hash_set<std::string> exempt_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::flat_hash_map<uint64_t, std::string>> learned_
      ABSL_GUARDED_BY(mu_);
  size_t learned_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, DigestSet> logged_ ABSL_GUARDED_BY(mu_);
  size_t logged_count_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<uint64_t> allowed_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> detected_{0};
  std::atomic<uint64_t> learned_dropped_{0};
};

}  // namespace mysqlgw

#endif  // SERVER_INTERCEPT_LIMITS_ALLOWLIST_H_
