#include "server/sql/statement_kind.h"

#include <vector>

#include "absl/strings/match.h"
#include "server/sql/sql_lexer.h"

namespace mysqlgw {
namespace {

// EXPLAIN ANALYZE, ANALYZE and SET STATEMENT ... FOR nest statements; this
// bounds the recursion on hostile input.
constexpr int kMaxNesting = 8;

int Rank(v1::Operation op) {
  switch (op) {
    case v1::OPERATION_READ:
      return 0;
    case v1::OPERATION_WRITE:
      return 1;
    case v1::OPERATION_DDL:
      return 2;
    default:
      return 3;  // ADMIN, and anything unexpected.
  }
}

v1::Operation MorePrivileged(v1::Operation a, v1::Operation b) {
  return Rank(a) >= Rank(b) ? a : b;
}

bool IsAnyOf(const SqlToken& token, std::initializer_list<absl::string_view> keywords) {
  for (absl::string_view keyword : keywords) {
    if (token.Is(keyword)) return true;
  }
  return false;
}

struct Result {
  StatementKind kind;
  v1::Operation op;
  bool locking = false;
  bool unknown = false;  // Its first word begins no MySQL/MariaDB statement.
};

// Every word a MySQL 8 or MariaDB 11 statement can begin with. Anything else
// is a syntax error on either server.
bool BeginsAStatement(const SqlToken& t) {
  return IsAnyOf(t, {"ALTER",    "ANALYZE",  "BACKUP",   "BEGIN",     "BINLOG",   "CACHE",
                     "CALL",     "CHANGE",   "CHECK",    "CHECKSUM",  "CLONE",    "COMMIT",
                     "CREATE",   "DEALLOCATE", "DECLARE", "DELETE",   "DESC",     "DESCRIBE",
                     "DO",       "DROP",     "EXECUTE",  "EXPLAIN",   "FLUSH",    "FOR",
                     "GET",      "GRANT",    "HANDLER",  "HELP",      "IF",       "IMPORT",
                     "INSERT",   "INSTALL",  "ITERATE",  "KILL",      "LEAVE",    "LOAD",
                     "LOCK",     "LOOP",     "OPTIMIZE", "PREPARE",   "PURGE",    "RELEASE",
                     "RENAME",   "REPAIR",   "REPEAT",   "REPLACE",   "RESET",    "RESIGNAL",
                     "RESTART",  "RETURN",   "REVOKE",   "ROLLBACK",  "SAVEPOINT", "SELECT",
                     "SET",      "SHOW",     "SHUTDOWN", "SIGNAL",    "START",    "STOP",
                     "TABLE",    "TRUNCATE", "UNINSTALL", "UNLOCK",   "UPDATE",   "USE",
                     "VALUES",   "WHILE",    "WITH",     "XA",        "CASE"});
}

constexpr Result kAdmin{StatementKind::kOther, v1::OPERATION_ADMIN};

// Classifies one statement from the lexer's position, leaving the lexer at
// its ';' (not consumed) or the end.
class Classifier {
 public:
  explicit Classifier(SqlLexer* lexer) : lx_(*lexer) {}

  Result Statement() {
    depth_ = 0;
    SqlToken first = lx_.NextInStatement();
    while (first.IsPunct('(')) first = lx_.NextInStatement();
    Result result =
        first.IsEnd() ? Result{StatementKind::kEmpty, v1::OPERATION_READ} : FromKeyword(first);
    SkipRest();
    return result;
  }

 private:
  // A statement inside another (EXPLAIN ANALYZE <stmt>, ...).
  Result Nested() {
    if (++depth_ > kMaxNesting) return kAdmin;
    SqlToken first = lx_.NextInStatement();
    while (first.IsPunct('(')) first = lx_.NextInStatement();
    if (first.IsEnd()) return kAdmin;
    return FromKeyword(first);
  }

  void SkipRest() {
    while (!lx_.NextInStatement().IsEnd()) {
    }
  }

  // After an opening '(': up to and including its ')'.
  void SkipParenthesized() {
    int depth = 1;
    while (depth > 0) {
      SqlToken t = lx_.NextInStatement();
      if (t.IsEnd()) return;
      if (t.IsPunct('(')) ++depth;
      if (t.IsPunct(')')) --depth;
    }
  }

  Result FromKeyword(const SqlToken& t) {
    if (IsAnyOf(t, {"SELECT", "TABLE", "VALUES"})) return SelectTail();
    if (t.Is("WITH")) return With();
    if (t.Is("INSERT")) return {StatementKind::kInsert, v1::OPERATION_WRITE};
    if (t.Is("REPLACE")) return {StatementKind::kReplace, v1::OPERATION_WRITE};
    if (t.Is("UPDATE")) return {StatementKind::kUpdate, v1::OPERATION_WRITE};
    if (t.Is("DELETE")) return {StatementKind::kDelete, v1::OPERATION_WRITE};
    if (t.Is("LOAD")) return Load();
    if (IsAnyOf(t, {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"})) return Ddl(t);
    if (IsAnyOf(t, {"SHOW", "HELP"})) return {StatementKind::kShow, v1::OPERATION_READ};
    if (IsAnyOf(t, {"EXPLAIN", "DESCRIBE", "DESC"})) return Explain();
    if (t.Is("ANALYZE")) return Analyze();
    if (t.Is("USE")) return {StatementKind::kUse, v1::OPERATION_READ};
    if (t.Is("CALL")) return {StatementKind::kCall, v1::OPERATION_WRITE};
    if (t.Is("SET")) return Set();
    constexpr Result kTransaction{StatementKind::kTransaction, v1::OPERATION_WRITE};
    if (IsAnyOf(t, {"COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})) return kTransaction;
    if (t.Is("BEGIN")) {
      // BEGIN [WORK]; BEGIN NOT ATOMIC opens a compound block (MariaDB).
      const SqlToken& next = lx_.PeekInStatement();
      return next.IsEnd() || next.Is("WORK") ? kTransaction : kAdmin;
    }
    if (t.Is("START")) return lx_.PeekInStatement().Is("TRANSACTION") ? kTransaction : kAdmin;
    if (t.Is("XA")) return lx_.PeekInStatement().Is("RECOVER") ? kAdmin : kTransaction;
    if (!BeginsAStatement(t)) {
      // A labeled compound statement ("label: BEGIN ...") begins with any
      // identifier followed by ':'.
      const bool label = lx_.PeekInStatement().IsPunct(':');
      return Result{StatementKind::kOther, v1::OPERATION_ADMIN, false, !label};
    }
    return kAdmin;
  }

  // The rest of a SELECT: files written and rows locked.
  Result SelectTail() {
    Result result{StatementKind::kSelect, v1::OPERATION_READ};
    SqlToken before_previous, previous;
    for (SqlToken t = lx_.NextInStatement(); !t.IsEnd(); t = lx_.NextInStatement()) {
      if (previous.Is("INTO") && IsAnyOf(t, {"OUTFILE", "DUMPFILE"})) {
        result.op = v1::OPERATION_ADMIN;
      }
      if (previous.Is("FOR") && IsAnyOf(t, {"UPDATE", "SHARE"})) result.locking = true;
      if (before_previous.Is("LOCK") && previous.Is("IN") && t.Is("SHARE")) {
        result.locking = true;
      }
      before_previous = previous;
      previous = t;
    }
    return result;
  }

  // WITH [RECURSIVE] name [(cols)] AS (...) [CYCLE ... RESTRICT] [, ...] main
  Result With() {
    constexpr Result kUnsure{StatementKind::kOther, v1::OPERATION_WRITE};
    SqlToken t = lx_.NextInStatement();
    if (t.Is("RECURSIVE")) t = lx_.NextInStatement();
    for (;;) {
      if (t.type != SqlToken::Type::kWord && t.type != SqlToken::Type::kQuotedIdent) {
        return kUnsure;
      }
      t = lx_.NextInStatement();
      if (t.IsPunct('(')) {
        SkipParenthesized();
        t = lx_.NextInStatement();
      }
      if (!t.Is("AS")) return kUnsure;
      if (!lx_.NextInStatement().IsPunct('(')) return kUnsure;
      SkipParenthesized();
      t = lx_.NextInStatement();
      if (t.Is("CYCLE")) {  // MariaDB: CYCLE col, ... RESTRICT
        while (!t.IsEnd() && !t.Is("RESTRICT")) t = lx_.NextInStatement();
        t = lx_.NextInStatement();
      }
      if (!t.IsPunct(',')) break;
      t = lx_.NextInStatement();
    }
    while (t.IsPunct('(')) t = lx_.NextInStatement();
    if (IsAnyOf(t, {"SELECT", "TABLE", "VALUES", "UPDATE", "DELETE", "INSERT", "REPLACE"})) {
      return FromKeyword(t);
    }
    return kUnsure;
  }

  // LOAD DATA|XML [LOW_PRIORITY|CONCURRENT] [LOCAL] INFILE ...
  Result Load() {
    if (!IsAnyOf(lx_.NextInStatement(), {"DATA", "XML"})) return kAdmin;  // LOAD INDEX ...
    bool local = false;
    for (SqlToken t = lx_.NextInStatement(); !t.IsEnd() && !t.Is("INFILE");
         t = lx_.NextInStatement()) {
      if (t.Is("LOCAL")) local = true;
    }
    // Without LOCAL the server reads its own file system (FILE privilege).
    return {StatementKind::kInsert, local ? v1::OPERATION_WRITE : v1::OPERATION_ADMIN};
  }

  // CREATE/ALTER/DROP/RENAME/TRUNCATE: by the object, after any modifiers
  // (OR REPLACE, TEMPORARY, DEFINER = ..., ALGORITHM = ..., ONLINE, ...).
  Result Ddl(const SqlToken& verb) {
    constexpr Result kDdl{StatementKind::kDdl, v1::OPERATION_DDL};
    if (verb.Is("TRUNCATE")) return kDdl;
    for (int i = 0; i < 32; ++i) {
      SqlToken t = lx_.NextInStatement();
      if (t.IsEnd()) break;
      if (IsAnyOf(t, {"USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE", "INSTANCE", "RESOURCE",
                      "REFERENCE"})) {
        return kAdmin;
      }
      if (t.Is("FUNCTION") && verb.Is("CREATE")) {
        // CREATE [AGGREGATE] FUNCTION f RETURNS type SONAME 'lib.so' loads code.
        for (t = lx_.NextInStatement(); !t.IsEnd(); t = lx_.NextInStatement()) {
          if (t.Is("SONAME")) return kAdmin;
        }
        return kDdl;
      }
      if (IsAnyOf(t, {"TABLE", "DATABASE", "SCHEMA", "INDEX", "VIEW", "PROCEDURE", "FUNCTION",
                      "TRIGGER", "EVENT", "SEQUENCE", "PACKAGE"})) {
        return kDdl;
      }
    }
    return kAdmin;
  }

  // EXPLAIN [EXTENDED | PARTITIONS | FORMAT = x] [ANALYZE] ...
  Result Explain() {
    bool analyze = false;
    for (int i = 0; i < 8; ++i) {
      const SqlToken& t = lx_.PeekInStatement();
      if (IsAnyOf(t, {"EXTENDED", "PARTITIONS"})) {
        lx_.NextInStatement();
      } else if (t.Is("FORMAT")) {
        lx_.NextInStatement();
        if (lx_.PeekInStatement().IsPunct('=')) lx_.NextInStatement();
        lx_.NextInStatement();
      } else if (t.Is("ANALYZE")) {
        lx_.NextInStatement();
        analyze = true;
      } else {
        break;
      }
    }
    // MySQL's EXPLAIN ANALYZE runs the statement.
    if (analyze) return Nested();
    return {StatementKind::kShow, v1::OPERATION_READ};
  }

  // MariaDB: ANALYZE [FORMAT = JSON] <statement> runs it; ANALYZE TABLE is
  // maintenance.
  Result Analyze() {
    if (lx_.PeekInStatement().Is("FORMAT")) {
      lx_.NextInStatement();
      if (lx_.PeekInStatement().IsPunct('=')) lx_.NextInStatement();
      lx_.NextInStatement();
    }
    const SqlToken& t = lx_.PeekInStatement();
    if (t.IsPunct('(') || IsAnyOf(t, {"SELECT", "TABLE", "VALUES", "WITH", "UPDATE", "DELETE",
                                      "INSERT", "REPLACE"})) {
      // "ANALYZE TABLE t" is maintenance, "ANALYZE TABLE" alone is not SQL;
      // MySQL 8's "TABLE t" statement cannot follow ANALYZE.
      if (t.Is("TABLE")) return kAdmin;
      return Nested();
    }
    return kAdmin;
  }

  Result Set() {
    const SqlToken& first = lx_.PeekInStatement();
    if (first.Is("STATEMENT")) {  // MariaDB: SET STATEMENT var = value, ... FOR <stmt>
      lx_.NextInStatement();
      int depth = 0;
      for (SqlToken t = lx_.NextInStatement(); !t.IsEnd(); t = lx_.NextInStatement()) {
        if (t.IsPunct('(')) ++depth;
        if (t.IsPunct(')')) --depth;
        if (depth == 0 && t.Is("FOR")) return Nested();
      }
      return kAdmin;
    }
    constexpr Result kSetAdmin{StatementKind::kSet, v1::OPERATION_ADMIN};
    // SET PASSWORD, SET ROLE, SET DEFAULT ROLE: accounts, not the session.
    if (IsAnyOf(first, {"PASSWORD", "ROLE", "DEFAULT"})) return kSetAdmin;
    bool global = false;
    for (SqlToken t = lx_.NextInStatement(); !t.IsEnd(); t = lx_.NextInStatement()) {
      if (IsAnyOf(t, {"GLOBAL", "PERSIST", "PERSIST_ONLY"})) global = true;
      if (t.type == SqlToken::Type::kVariable &&
          (absl::StartsWithIgnoreCase(t.text, "@@global.") ||
           absl::StartsWithIgnoreCase(t.text, "@@persist.") ||
           absl::StartsWithIgnoreCase(t.text, "@@persist_only."))) {
        global = true;
      }
    }
    return global ? kSetAdmin : Result{StatementKind::kSet, v1::OPERATION_READ};
  }

  SqlLexer& lx_;
  int depth_ = 0;
};

StatementInfo AnalyzeOneReading(absl::string_view sql, SqlLexerMode mode) {
  SqlLexer lexer(sql, mode);
  Classifier classifier(&lexer);
  StatementInfo info;
  for (bool first = true;; first = false) {
    Result result = classifier.Statement();
    if (first) {
      info.kind = result.kind;
      info.unrecognized = result.unknown;
    }
    info.operation = MorePrivileged(info.operation, result.op);
    info.locking_read = info.locking_read || result.locking;
    if (lexer.Next().IsEnd()) break;  // Else it was ';'.
    if (!lexer.Peek().IsEnd()) info.multiple_statements = true;
  }
  return info;
}

// The readings of `sql` that can differ (see the header).
std::vector<SqlLexerMode> Readings(absl::string_view sql) {
  std::vector<SqlLexerMode> quote_modes = {SqlLexerMode()};
  if (absl::StrContains(sql, '\\')) {
    SqlLexerMode no_backslash_escapes;
    no_backslash_escapes.backslash_escapes_in_single_quotes = false;
    no_backslash_escapes.backslash_escapes_in_double_quotes = false;
    SqlLexerMode ansi_quotes;
    ansi_quotes.backslash_escapes_in_double_quotes = false;
    quote_modes.push_back(no_backslash_escapes);
    quote_modes.push_back(ansi_quotes);
  }
  std::vector<SqlLexerMode> readings = quote_modes;
  if (absl::StrContains(sql, "/*!") || absl::StrContains(sql, "/*M!")) {
    for (SqlLexerMode mode : quote_modes) {
      mode.version_comments_are_sql = false;
      readings.push_back(mode);
    }
  }
  return readings;
}

}  // namespace

absl::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
    case StatementKind::kSelect:
      return "select";
    case StatementKind::kInsert:
      return "insert";
    case StatementKind::kUpdate:
      return "update";
    case StatementKind::kDelete:
      return "delete";
    case StatementKind::kReplace:
      return "replace";
    case StatementKind::kDdl:
      return "ddl";
    case StatementKind::kTransaction:
      return "transaction";
    case StatementKind::kSet:
      return "set";
    case StatementKind::kShow:
      return "show";
    case StatementKind::kCall:
      return "call";
    case StatementKind::kUse:
      return "use";
    case StatementKind::kOther:
      return "other";
    case StatementKind::kEmpty:
      return "empty";
  }
  return "other";
}

StatementInfo AnalyzeStatement(absl::string_view sql) {
  std::vector<SqlLexerMode> readings = Readings(sql);
  StatementInfo info = AnalyzeOneReading(sql, readings[0]);
  for (size_t i = 1; i < readings.size(); ++i) {
    StatementInfo other = AnalyzeOneReading(sql, readings[i]);
    info.operation = MorePrivileged(info.operation, other.operation);
    info.locking_read = info.locking_read || other.locking_read;
    info.multiple_statements = info.multiple_statements || other.multiple_statements;
    info.unrecognized = info.unrecognized && other.unrecognized;
  }
  return info;
}

StatementKind Classify(absl::string_view sql) {
  SqlLexer lexer(sql);
  return Classifier(&lexer).Statement().kind;
}

v1::Operation ClassifyStatement(absl::string_view sql) { return AnalyzeStatement(sql).operation; }

bool IsReadOnly(StatementKind kind) {
  return kind == StatementKind::kSelect || kind == StatementKind::kShow ||
         kind == StatementKind::kEmpty;
}

bool HasMultipleStatements(absl::string_view sql) {
  return AnalyzeStatement(sql).multiple_statements;
}

bool IsLockingRead(absl::string_view sql) { return AnalyzeStatement(sql).locking_read; }

}  // namespace mysqlgw
