// What a statement leaves behind in a MySQL session, for multiplexing
// MySQL-protocol clients over pooled backend connections: a client's
// connection goes back to the pool between statements unless its session
// holds state that lives only on that backend connection (a transaction,
// user variables, temporary tables, locks, SQL-level prepared statements),
// in which case it stays pinned. Simple session settings (SET NAMES,
// SET [SESSION] var = literal) are not a reason to pin: they are replayed
// on the next connection the session borrows.
//
// Read from the text with the SQL tokenizer, statement by statement. What
// cannot be read with confidence pins (kSessionState): multiplexing is an
// optimization, a lost session variable is a bug.
#ifndef SERVER_GATEWAY_SESSION_EFFECT_H_
#define SERVER_GATEWAY_SESSION_EFFECT_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mysqlgw {

enum PinReason : uint32_t {
  kPinTransaction = 1 << 0,         // Open transaction, or autocommit off.
  kPinUserVariables = 1 << 1,       // SET @x, SELECT ... INTO @x, @x := ...
  kPinTemporaryTables = 1 << 2,     // CREATE TEMPORARY TABLE.
  kPinLocks = 1 << 3,               // LOCK TABLES, GET_LOCK(), FTWRL.
  kPinPreparedStatements = 1 << 4,  // PREPARE ... FROM (SQL level).
  kPinSessionState = 1 << 5,        // Any other session change we cannot replay.
};
inline constexpr int kPinReasonCount = 6;
// "transaction", "user_variables", ... (metrics labels); "" for no single bit.
absl::string_view PinReasonName(uint32_t reason);

struct SessionEffect {
  uint32_t pins = 0;    // Reasons this statement adds.
  uint32_t unpins = 0;  // Reasons it ends (UNLOCK TABLES, DEALLOCATE, SET autocommit=1).
  // The text is a SET of session settings only, safe to run again on
  // another connection (replayed there).
  bool replayable = false;
};

SessionEffect ClassifySessionEffect(absl::string_view sql);

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_SESSION_EFFECT_H_
