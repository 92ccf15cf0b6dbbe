// One pass over a statement for the regexes of many rules. Each RE2 costs
// about 100 ns on a short statement even when it fails at once, so a
// hundred rules would cost microseconds per statement; an RE2::Set of all
// of them answers every rule's regex in one DFA pass instead.
//
// The set is consulted lazily: a statement that the cheap conditions turn
// away from every regex rule never pays for it. When the set's DFA runs out
// of memory, the regexes are run one by one.
#ifndef SERVER_INTERCEPT_RULES_REGEX_PREFILTER_H_
#define SERVER_INTERCEPT_RULES_REGEX_PREFILTER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"
#include "re2/set.h"

namespace mysqlgw::rules_internal {

class RegexPrefilter {
 public:
  // Below this many regexes, running them one by one is as fast.
  static constexpr size_t kMinRegexes = 4;

  // `regexes[i]` is rule i's regex, null for none. Returns null when there
  // are too few regexes or the set does not compile.
  static std::unique_ptr<RegexPrefilter> Build(const std::vector<const RE2*>& regexes);

  size_t rule_count() const { return rule_count_; }

  // Sets bit i of `matched` for each rule i whose regex matches `text`
  // (partially). False when the set cannot tell (DFA out of memory).
  bool Match(absl::string_view text, absl::InlinedVector<uint64_t, 4>& matched) const;

 private:
  RegexPrefilter(size_t rule_count);

  size_t rule_count_;
  RE2::Set set_;
  std::vector<size_t> rule_of_;  // Set index -> rule index.
};

// The answers for one text during one evaluation.
class RegexMatcher {
 public:
  explicit RegexMatcher(const RegexPrefilter* prefilter) : prefilter_(prefilter) {}

  // Whether `re`, rule `rule`'s regex, matches `text` partially.
  bool PartialMatch(size_t rule, const RE2& re, absl::string_view text);
  // The text changed (a rewrite): earlier answers no longer hold.
  void Invalidate() { state_ = State::kUnknown; }

 private:
  enum class State { kUnknown, kKnown, kSetFailed };
  const RegexPrefilter* prefilter_;
  State state_ = State::kUnknown;
  absl::InlinedVector<uint64_t, 4> matched_;
};

}  // namespace mysqlgw::rules_internal

#endif  // SERVER_INTERCEPT_RULES_REGEX_PREFILTER_H_
