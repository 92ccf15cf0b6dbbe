// The SQL keywords the digest recognises (upper-cased in digest text), with
// what the digest and its table finder need to know about each. Internal to
// digest.cc.
#ifndef SERVER_SQL_DIGEST_KEYWORDS_H_
#define SERVER_SQL_DIGEST_KEYWORDS_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mysqlgw {
namespace digest_internal {

// Keywords the table finder acts on; kOther for the rest.
enum class Kw : uint8_t {
  kOther,
  kAnalyze,
  kColumns,
  kCreate,
  kDefault,
  kDelete,
  kDesc,
  kDescribe,
  kDrop,
  kExplain,
  kExtended,
  kFalse,
  kFields,
  kFlush,
  kFor,
  kFormat,
  kFrom,
  kGrant,
  kIn,
  kIndex,
  kIndexes,
  kInsert,
  kInto,
  kJoin,
  kKey,
  kKeys,
  kLike,
  kLock,
  kNull,
  kOn,
  kPartitions,
  kRecursive,
  kReferences,
  kRename,
  kReplace,
  kRevoke,
  kSelect,
  kShow,
  kStraightJoin,
  kTable,
  kTables,
  kTo,
  kTrigger,
  kTrue,
  kTruncate,
  kUpdate,
  kUsing,
  kValue,
  kValues,
  kWith,
  // Statements whose TABLE takes a comma-separated list.
  kCheck,
  kChecksum,
  kOptimize,
  kRepair,
};

enum KeywordFlag : uint8_t {
  // Cannot be an unquoted identifier, so never a table name; a '-' after it
  // is a sign (unless also kValue).
  kReserved = 1 << 0,
  // A function or type name: "COUNT(*)", "VARCHAR(?)" keep the '(' glued.
  kFunction = 1 << 1,
  // Reserved but a value (NULL, TRUE, CURRENT_TIMESTAMP): a '-' after it
  // subtracts.
  kValue = 1 << 2,
  // Ends a FROM list at its nesting level (WHERE, GROUP, SET, ...).
  kClauseEnd = 1 << 3,
  // May stand between a table keyword and its table (INSERT IGNORE INTO t,
  // DROP TABLE IF EXISTS t).
  kTableModifier = 1 << 4,
};

struct Keyword {
  absl::string_view text;  // Upper case.
  uint8_t flags;
  Kw id;
  bool Has(KeywordFlag f) const { return (flags & f) != 0; }
};

// The keyword spelled by `word` in any case, or nullptr.
const Keyword* LookupKeyword(absl::string_view word);

}  // namespace digest_internal
}  // namespace mysqlgw

#endif  // SERVER_SQL_DIGEST_KEYWORDS_H_
