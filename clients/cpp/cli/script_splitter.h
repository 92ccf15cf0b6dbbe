// Splits a SQL script into statements for `mysqlgw-cli script`.
//
// The rule is deliberately simple: a statement ends at a ';' that ends its
// line (only blanks and comments may follow it there). A ';' elsewhere on a
// line stays in the text, so "SELECT 1; SELECT 2;" on one line is one
// multi-statement text (the gateway returns one result per statement).
// Never a terminator:
//   - a ';' inside '...', "..." or `...` (with backslash and doubled-quote
//     escapes) or inside a comment (-- , #, /* */);
//   - a ';' inside a BEGIN ... END block of a stored program (CREATE
//     PROCEDURE / FUNCTION / TRIGGER / EVENT / PACKAGE, or MariaDB's
//     BEGIN NOT ATOMIC), so routines need no DELIMITER. Blocks are counted
//     by keywords: BEGIN and CASE open, END closes (END CASE too), and
//     END IF / LOOP / WHILE / REPEAT / FOR close nothing counted.
// DELIMITER (a mysql CLI command, not SQL) is refused with a clear error.
// Statement text starts at its first character outside a comment (a
// /*! executable comment */ counts) and excludes the ';'.
#ifndef CLIENTS_CPP_CLI_SCRIPT_SPLITTER_H_
#define CLIENTS_CPP_CLI_SCRIPT_SPLITTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw::client::cli {

struct ScriptStatement {
  std::string sql;
  int line = 0;  // 1-based line of its first character.

  bool operator==(const ScriptStatement& o) const { return sql == o.sql && line == o.line; }
};

// InvalidArgument for an unterminated quote or comment and for DELIMITER.
absl::StatusOr<std::vector<ScriptStatement>> SplitScript(absl::string_view script);

// Statements that the script runner maps to the gateway's transaction RPCs
// instead of sending them as SQL: BEGIN [WORK], START TRANSACTION [READ
// ONLY | READ WRITE | WITH CONSISTENT SNAPSHOT, ...], COMMIT [WORK],
// ROLLBACK [WORK]. Anything longer (ROLLBACK TO SAVEPOINT s, COMMIT AND
// CHAIN) is ordinary SQL.
struct TransactionControl {
  enum Kind { kNone, kBegin, kCommit, kRollback };
  Kind kind = kNone;
  bool read_only = false;  // START TRANSACTION READ ONLY
};
TransactionControl ClassifyTransactionControl(absl::string_view sql);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_SCRIPT_SPLITTER_H_
