#include "server/binlog/table_filter.h"

#include "absl/strings/str_cat.h"

namespace mysqlgw {

bool GlobMatch(absl::string_view pattern, absl::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no
  // recursion on hostile patterns.
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

TableFilter::TableFilter(const v1::BinlogFilter& filter,
                         std::shared_ptr<const Principal> principal)
    : include_(filter.include_tables().begin(), filter.include_tables().end()),
      exclude_(filter.exclude_tables().begin(), filter.exclude_tables().end()),
      principal_(std::move(principal)) {}

bool TableFilter::AllowsSchema(absl::string_view schema) const {
  return principal_->AllowsDatabase(schema);
}

bool TableFilter::Allows(absl::string_view schema, absl::string_view table) {
  std::string name = absl::StrCat(schema, ".", table);
  if (auto it = cache_.find(name); it != cache_.end()) return it->second;
  bool allowed = AllowsSchema(schema);
  if (allowed && !include_.empty()) {
    allowed = false;
    for (const std::string& g : include_) allowed |= GlobMatch(g, name);
  }
  for (const std::string& g : exclude_) {
    if (allowed && GlobMatch(g, name)) allowed = false;
  }
  cache_.emplace(std::move(name), allowed);
  return allowed;
}

}  // namespace mysqlgw
