#include "server/gateway/statement_analysis.h"

#include <string>

#include "absl/container/flat_hash_map.h"

namespace mysqlgw {
namespace {

using Cache = absl::flat_hash_map<std::string, std::shared_ptr<const StatementAnalysis>>;

Cache& ThreadCache() {
  thread_local Cache cache;
  return cache;
}

std::shared_ptr<const StatementAnalysis> Analyze(absl::string_view sql, bool with_effect) {
  auto analysis = std::make_shared<StatementAnalysis>();
  analysis->info = AnalyzeStatement(sql);
  analysis->digest = DigestStatement(sql);
  if (with_effect) analysis->effect = ClassifySessionEffect(sql);
  return analysis;
}

}  // namespace

std::shared_ptr<const StatementAnalysis> AnalyzeStatementText(absl::string_view sql, bool reuse) {
  using statement_analysis_internal::kCacheEntries;
  using statement_analysis_internal::kMaxCachedSqlBytes;
  if (!reuse || sql.size() > kMaxCachedSqlBytes) return Analyze(sql, /*with_effect=*/false);
  Cache& cache = ThreadCache();
  if (auto it = cache.find(sql); it != cache.end()) return it->second;
  if (cache.size() >= kCacheEntries) cache.clear();
  std::shared_ptr<const StatementAnalysis> analysis = Analyze(sql, /*with_effect=*/true);
  cache.emplace(std::string(sql), analysis);
  return analysis;
}

namespace statement_analysis_internal {
size_t CachedOnThisThread() { return ThreadCache().size(); }
}  // namespace statement_analysis_internal

}  // namespace mysqlgw
