#include "server/intercept/rules/regex_prefilter.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace mysqlgw::rules_internal {
namespace {

re2::StringPiece Piece(absl::string_view s) { return re2::StringPiece(s.data(), s.size()); }

RE2::Options SetOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

}  // namespace

RegexPrefilter::RegexPrefilter(size_t rule_count)
    : rule_count_(rule_count), set_(SetOptions(), RE2::UNANCHORED) {}

std::unique_ptr<RegexPrefilter> RegexPrefilter::Build(const std::vector<const RE2*>& regexes) {
  size_t count = 0;
  for (const RE2* re : regexes) count += re != nullptr;
  if (count < kMinRegexes) return nullptr;
  std::unique_ptr<RegexPrefilter> out(new RegexPrefilter(regexes.size()));
  for (size_t rule = 0; rule < regexes.size(); ++rule) {
    const RE2* re = regexes[rule];
    if (re == nullptr) continue;
    // The set has one set of options; case-insensitivity moves into the
    // pattern, where it means the same.
    const std::string pattern = re->options().case_sensitive()
                                    ? re->pattern()
                                    : absl::StrCat("(?i)", re->pattern());
    if (out->set_.Add(pattern, nullptr) < 0) return nullptr;
    out->rule_of_.push_back(rule);
  }
  if (!out->set_.Compile()) return nullptr;
  return out;
}

bool RegexPrefilter::Match(absl::string_view text,
                           absl::InlinedVector<uint64_t, 4>& matched) const {
  // Kept per thread so that its capacity is reused across statements.
  thread_local std::vector<int> hits;
  RE2::Set::ErrorInfo error;
  matched.assign((rule_count_ + 63) / 64, 0);
  if (!set_.Match(Piece(text), &hits, &error)) {
    return error.kind == RE2::Set::kNoError;  // No regex matched.
  }
  for (int hit : hits) {
    const size_t rule = rule_of_[static_cast<size_t>(hit)];
    matched[rule / 64] |= uint64_t{1} << (rule % 64);
  }
  return true;
}

bool RegexMatcher::PartialMatch(size_t rule, const RE2& re, absl::string_view text) {
  if (prefilter_ != nullptr && state_ == State::kUnknown) {
    state_ = prefilter_->Match(text, matched_) ? State::kKnown : State::kSetFailed;
  }
  if (state_ == State::kKnown) return (matched_[rule / 64] >> (rule % 64)) & 1;
  return RE2::PartialMatch(Piece(text), re);
}

}  // namespace mysqlgw::rules_internal
