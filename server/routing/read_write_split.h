// Whether a statement may read from a replica instead of the primary.
//
// Only plain reads qualify: SELECT (and TABLE, VALUES, WITH ... SELECT) and
// SHOW-like statements, one statement alone, outside a transaction, taking
// no locks. Whatever is unsure stays on the primary: a replica serves data
// that may be a little old and has none of the caller's session.
#ifndef SERVER_ROUTING_READ_WRITE_SPLIT_H_
#define SERVER_ROUTING_READ_WRITE_SPLIT_H_

#include "absl/strings/string_view.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {

// From facts the caller already has. kSelect and kShow outside a
// transaction, without FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE, not
// part of a multi-statement text, and not depending on session state
// (session_dependent, e.g. from ReadsSessionState). By kind only: use the
// text overload to also keep SHOW STATUS and the like on the primary.
bool ShouldReadFromReplica(StatementKind kind, bool locking_read, bool in_transaction,
                           bool multiple_statements, bool session_dependent = false);

// From the text (AnalyzeStatement), stricter:
//  - the operation must be READ (SELECT ... INTO OUTFILE is not);
//  - no ReadsSessionState;
//  - SHOW only for schema listings (SHOW TABLES, COLUMNS, INDEX, CREATE
//    TABLE/VIEW/..., DATABASES, TABLE STATUS, ...); EXPLAIN, DESCRIBE and
//    HELP qualify. SHOW STATUS, VARIABLES, PROCESSLIST, WARNINGS, MASTER
//    STATUS, GRANTS ... describe one server or one session: primary.
// `session_pinned`: the caller's session holds state made on the primary
// (temporary tables, user variables, locks), as on a MySQL-protocol
// connection after such statements.
bool ShouldReadFromReplica(absl::string_view sql, bool in_transaction,
                           bool session_pinned = false);

// Conservative: true when the text mentions a user or system variable ('@'
// anywhere) or a function whose answer lives in the session or has side
// effects: LAST_INSERT_ID, FOUND_ROWS, ROW_COUNT, GET_LOCK and the other
// lock functions, sequences (NEXTVAL, LASTVAL, SETVAL, NEXT/PREVIOUS VALUE
// FOR). Strings and comments are not skipped: a mention there only sends
// the read to the primary.
bool ReadsSessionState(absl::string_view sql);

}  // namespace mysqlgw

#endif  // SERVER_ROUTING_READ_WRITE_SPLIT_H_
