// Statement digests: the text of a statement with its literals replaced by
// '?', IN (...) and VALUES (...), (...) lists collapsed, comments dropped,
// keywords upper-cased and whitespace normalized, plus a stable 64-bit hash
// of that text. Statements that differ only in their literals share a
// digest: rules, the allowlist, metrics and the audit log key on it.
//
// The text (from server/sql/tokenizer.h's tokens), in the manner of MySQL's
// performance_schema DIGEST_TEXT but more readable:
//  - keywords (a fixed list of MySQL's reserved words plus common
//    non-reserved keywords and built-in functions) in upper case; other words
//    and quoted identifiers as `name` with their case kept ("a""b" under
//    ANSI_QUOTES becomes `a"b`); a word right after a qualifier dot is
//    always a name (t.status);
//  - strings (adjacent ones count as one), numbers, hex and bit literals and
//    placeholders (? and :name) become ?, and so does a '-' or '+' sign in
//    front of a number where a value is expected (after an operator, '(',
//    ',', the start or a reserved keyword: "id = -5" is "`id` = ?", while
//    "a - 1" stays "`a` - ?"); TRUE, FALSE and NULL stay keywords;
//  - IN (...) when the list holds only values (?, NULL, TRUE, FALSE,
//    DEFAULT, signs, nested tuples); VALUES (...) / VALUE (...) when every
//    row does, whatever the number of rows;
//  - comments and optimizer hints dropped; the content of executable
//    comments (/*! */, /*M! */) kept as SQL;
//  - one space between tokens, none before , ) . and after ( . , none
//    between a name or function keyword and its '(' ("COUNT(*)",
//    "`t`(`a`)"); user and system variables as written; a control byte as
//    \xNN;
//  - statements of a multi-statement text joined by "; ", empty ones and the
//    trailing ';' dropped.
// The hash is FNV-1a 64 of the text (offset basis 0xcbf29ce484222325, prime
// 0x100000001b3), so other tools can compute it from the text.
//
// Tables, best effort from the tokens (no parser): the name (db.name, quoted
// or not) after FROM, every JOIN kind, a ',' in a FROM list (also after an
// ON condition), INTO, INSERT/REPLACE [modifiers] [INTO], UPDATE (and its
// comma list; not FOR UPDATE / ON DUPLICATE KEY UPDATE / ON UPDATE), DELETE
// ... USING, TABLE (TABLE t, CREATE/ALTER/DROP/TRUNCATE TABLE [IF [NOT]
// EXISTS], lists for DROP, LOCK, RENAME, CHECK, OPTIMIZE, ...), TRUNCATE t,
// LOCK TABLES, DESCRIBE/DESC/EXPLAIN t, CREATE ... LIKE t, REFERENCES t,
// RENAME ... TO t, CREATE/DROP INDEX or TRIGGER ... ON t, GRANT/REVOKE ...
// ON db.t, SHOW COLUMNS/INDEX FROM t and SHOW CREATE TABLE t. Derived
// tables and subqueries are entered, not named; aliases, DUAL, reserved
// words, FROM inside a function call (EXTRACT(YEAR FROM d)), "db.*" and
// the names of the statement's CTEs (WITH x AS ...; the first 8, compared
// case-insensitively) are not tables. Multi-table DELETE targets are found
// through their FROM list. Known gaps: a CTE named like a keyword hides
// nothing; tables inside stored-program bodies split at their ';'.
#ifndef SERVER_SQL_DIGEST_H_
#define SERVER_SQL_DIGEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mysqlgw {

// A table a statement names; database empty when unqualified.
struct TableName {
  std::string database;
  std::string name;
  bool operator==(const TableName&) const = default;
};

struct DigestOptions {
  // sql_mode NO_BACKSLASH_ESCAPES: '\' is an ordinary character in strings.
  bool no_backslash_escapes = false;
  // sql_mode ANSI_QUOTES: "..." is an identifier, not a string.
  bool ansi_quotes = false;
};

struct StatementDigest {
  uint64_t hash = 0;  // FNV-1a 64 of `text`: stable across runs and machines.
  std::string text;   // e.g. "SELECT * FROM `t` WHERE `id` = ? AND `x` IN (...)"
  // Tables the statement names (FROM, JOIN, INTO, UPDATE, TABLE, DELETE FROM,
  // ...), each once, in order of first appearance.
  std::vector<TableName> tables;
};

StatementDigest DigestStatement(absl::string_view sql, const DigestOptions& options = {});

// The hash as 16 lower-case hex digits, as shown in logs and configured in
// rules and allowlists.
std::string DigestHex(uint64_t hash);

// The inverse: 16 hex digits (either case) to the hash; nullopt for
// anything else.
std::optional<uint64_t> ParseDigestHex(absl::string_view text);

}  // namespace mysqlgw

#endif  // SERVER_SQL_DIGEST_H_
