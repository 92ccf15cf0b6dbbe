// Statement digests: the text of a statement with its literals replaced by
// '?', IN (...) and VALUES (...), (...) lists collapsed, comments dropped,
// keywords upper-cased and whitespace normalized, plus a stable 64-bit hash
// of that text. Statements that differ only in their literals share a
// digest: rules, the allowlist, metrics and the audit log key on it.
#ifndef SERVER_SQL_DIGEST_H_
#define SERVER_SQL_DIGEST_H_

#include <cstdint>
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
  uint64_t hash = 0;  // Stable across runs and machines.
  std::string text;   // e.g. "SELECT * FROM `t` WHERE `id` = ? AND `x` IN (...)"
  // Tables the statement names (FROM, JOIN, INTO, UPDATE, TABLE, DELETE FROM,
  // ...), each once, in order of first appearance.
  std::vector<TableName> tables;
};

StatementDigest DigestStatement(absl::string_view sql, const DigestOptions& options = {});

// The hash as 16 lower-case hex digits, as shown in logs and configured in
// rules and allowlists.
std::string DigestHex(uint64_t hash);

}  // namespace mysqlgw

#endif  // SERVER_SQL_DIGEST_H_
