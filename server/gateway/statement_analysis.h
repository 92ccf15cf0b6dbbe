// What the gateway learns from a statement's text alone, before running
// it: kind and operation (authorization, routing), digest and tables
// (interception, statistics) and its effect on the session (pins).
//
// Statements with placeholders repeat their text by design (a prepared
// statement executed again and again, a parameterized gRPC call), and
// tokenizing the text three times per execution cost more than the rest of
// the gateway's own work on a point select. Their analysis is kept in a
// small cache of the calling thread (an event loop): no lock, and entries
// shared with the statements in flight.
#ifndef SERVER_GATEWAY_STATEMENT_ANALYSIS_H_
#define SERVER_GATEWAY_STATEMENT_ANALYSIS_H_

#include <cstddef>
#include <memory>
#include <optional>

#include "absl/strings/string_view.h"
#include "server/gateway/session_effect.h"
#include "server/sql/digest.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {

struct StatementAnalysis {
  StatementInfo info;
  StatementDigest digest;
  // Only MySQL-protocol sessions need it (pins). Computed for cached
  // entries, where it costs once; otherwise left to the session, so that
  // a one-off gRPC statement does not pay for it.
  std::optional<SessionEffect> effect;
};

// Analyzes `sql`. With `reuse`, the result may come from the calling
// thread's cache and is added to it; without, it is always computed (text
// with inlined literals rarely repeats, and would only churn the cache).
std::shared_ptr<const StatementAnalysis> AnalyzeStatementText(absl::string_view sql, bool reuse);

namespace statement_analysis_internal {
// Entries per thread; when full the cache starts over, which bounds memory
// without bookkeeping per hit.
inline constexpr size_t kCacheEntries = 512;
// Longer texts are analyzed every time: they would dominate the memory.
inline constexpr size_t kMaxCachedSqlBytes = 4096;
// The calling thread's cache size, for tests.
size_t CachedOnThisThread();
}  // namespace statement_analysis_internal

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_STATEMENT_ANALYSIS_H_
