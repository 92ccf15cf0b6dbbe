// Classifies SQL text by what it may do, for authorization (v1::Operation)
// and routing (StatementKind). A stop-gap until the full SQL tokenizer: it
// reads leading keywords, not grammar, and where it cannot tell it picks the
// more privileged answer.
//
// Reading the text:
//  - case-insensitive; leading whitespace, comments (-- , #, /* */) and
//    opening parentheses ("(SELECT 1)") are skipped;
//  - /*!NNNNN ... */ and /*M!NNNNNN ... */ hold SQL ("/*!40101 SET ...*/" is
//    SET). Since a server older than NNNNN reads them as comments, the
//    operation is the more privileged of both readings;
//  - strings are read with and without backslash escapes (sql_mode
//    NO_BACKSLASH_ESCAPES, ANSI_QUOTES), for the same reason, whenever the
//    text contains a backslash.
//
// Operations (ClassifyStatement), least to most privileged:
//  READ:  SELECT, TABLE, VALUES, WITH ... SELECT; SHOW, HELP; EXPLAIN,
//         DESCRIBE, DESC (not executed); USE; SET of session state: SET @x,
//         SET NAMES, SET CHARACTER SET, SET [SESSION|LOCAL] var, SET
//         @@session.var, SET TRANSACTION (next transaction only). The empty
//         statement too (it does nothing).
//  WRITE: INSERT, UPDATE, DELETE, REPLACE, CALL, WITH ... UPDATE/DELETE,
//         LOAD DATA/XML LOCAL INFILE (a file sent by the client); BEGIN,
//         START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, XA (but
//         XA RECOVER). A WITH whose main statement cannot be found is WRITE.
//  DDL:   CREATE, ALTER, DROP, RENAME, TRUNCATE of tables, databases,
//         indexes, views, routines, triggers, events, sequences.
//  ADMIN: everything else, unknown statements included. Notably SET GLOBAL,
//         SET PERSIST, SET @@global.x, SET PASSWORD, SET [DEFAULT] ROLE;
//         SELECT ... INTO OUTFILE/DUMPFILE and LOAD DATA INFILE without
//         LOCAL (files on the database server: the FILE privilege); CREATE/
//         ALTER/DROP/RENAME of users, roles, servers, tablespaces, logfile
//         groups, resource groups, spatial reference systems, instance;
//         CREATE FUNCTION ... SONAME (a UDF library); GRANT, REVOKE, KILL,
//         FLUSH, RESET, PURGE, INSTALL, UNINSTALL, SHUTDOWN, CHANGE MASTER,
//         START/STOP SLAVE|REPLICA, ANALYZE/OPTIMIZE/REPAIR/CHECK TABLE,
//         LOCK/UNLOCK TABLES, HANDLER, DO, PREPARE/EXECUTE/DEALLOCATE (the
//         prepared text is unknown), BEGIN NOT ATOMIC (a compound block).
// Statements that run another one take its class: EXPLAIN ANALYZE <stmt>
// (MySQL runs it), ANALYZE <stmt> (MariaDB runs it), SET STATEMENT ... FOR
// <stmt>.
//
// Several statements ("a; b") get the most privileged operation among them.
// Known over-classification until the tokenizer exists: a routine body with
// BEGIN ... END holds ';', so CREATE PROCEDURE ... BEGIN ...; END is seen as
// several statements (ADMIN, because of "END"), and HasMultipleStatements is
// true for it. Stored functions called from a SELECT may write: the server's
// own privileges remain the last line of defence.
//
// SELECT ... FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE stay READ (the
// principal needs no write permission to lock rows it may read) but take
// locks: IsLockingRead/AnalyzeStatement tell, so that routing keeps them on
// the primary.
#ifndef SERVER_SQL_STATEMENT_KIND_H_
#define SERVER_SQL_STATEMENT_KIND_H_

#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

enum class StatementKind {
  kSelect,  // SELECT, TABLE, VALUES, WITH ... SELECT.
  kInsert,  // INSERT; also LOAD DATA / LOAD XML.
  kUpdate,
  kDelete,
  kReplace,
  kDdl,          // CREATE/ALTER/DROP/RENAME/TRUNCATE of schema objects.
  kTransaction,  // BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, XA.
  kSet,
  kShow,  // SHOW; also EXPLAIN, DESCRIBE, DESC, HELP.
  kCall,
  kUse,
  kOther,  // Anything else (administration, unknown).
  kEmpty,  // Only whitespace and comments.
};

// "select", "insert", ..., for logs and metrics.
absl::string_view StatementKindName(StatementKind kind);

// The kind of the first statement (for EXPLAIN ANALYZE, ANALYZE <stmt> and
// SET STATEMENT ... FOR, of the statement they run).
StatementKind Classify(absl::string_view sql);

// The operation to authorize: the most privileged over all statements and
// all readings of the text (see above). Never OPERATION_UNSPECIFIED nor
// OPERATION_BINLOG.
v1::Operation ClassifyStatement(absl::string_view sql);

// True for kinds that change neither data nor session state: kSelect, kShow,
// kEmpty. By kind only: a SELECT may still lock rows (IsLockingRead) or
// write a file (ClassifyStatement is then ADMIN).
bool IsReadOnly(StatementKind kind);

// A ';' outside strings and comments followed by anything but whitespace and
// comments (another ';' included), under any reading of the text.
bool HasMultipleStatements(absl::string_view sql);

// SELECT ... FOR UPDATE, FOR SHARE or LOCK IN SHARE MODE, in any statement.
bool IsLockingRead(absl::string_view sql);

// All of the above from one pass per reading of the text.
struct StatementInfo {
  StatementKind kind = StatementKind::kEmpty;
  v1::Operation operation = v1::OPERATION_READ;
  bool locking_read = false;
  bool multiple_statements = false;
  // The (first) statement's first word begins no MySQL or MariaDB statement
  // ("SELEC 1"): the server would answer with a syntax error (1064).
  bool unrecognized = false;
};
StatementInfo AnalyzeStatement(absl::string_view sql);

}  // namespace mysqlgw

#endif  // SERVER_SQL_STATEMENT_KIND_H_
