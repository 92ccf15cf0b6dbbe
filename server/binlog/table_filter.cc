#include "server/binlog/table_filter.h"

#include "absl/strings/str_cat.h"

namespace mysqlgw {

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
