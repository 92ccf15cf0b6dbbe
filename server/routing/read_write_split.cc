#include "server/routing/read_write_split.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "server/sql/statement_kind.h"

namespace mysqlgw {
namespace {

bool IsWordByte(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

// Up to `max` leading words, upper-cased, skipping whitespace and plain
// comments. Stops at anything else (a quote, a parenthesis, an executable
// comment): the caller then knows less and decides for the primary.
std::vector<std::string> LeadingWords(absl::string_view sql, size_t max) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < sql.size() && words.size() < max) {
    const unsigned char c = static_cast<unsigned char>(sql[i]);
    if (absl::ascii_isspace(c)) {
      ++i;
    } else if (c == '#' ||
               (sql.substr(i, 2) == "--" &&
                (i + 2 == sql.size() ||
                 absl::ascii_isspace(static_cast<unsigned char>(sql[i + 2])) ||
                 absl::ascii_iscntrl(static_cast<unsigned char>(sql[i + 2]))))) {
      const size_t eol = sql.find('\n', i);
      i = eol == absl::string_view::npos ? sql.size() : eol + 1;
    } else if (sql.substr(i, 2) == "/*") {
      if (i + 2 < sql.size() && (sql[i + 2] == '!' || sql[i + 2] == 'M')) break;
      const size_t end = sql.find("*/", i + 2);
      if (end == absl::string_view::npos) break;
      i = end + 2;
    } else if (IsWordByte(c)) {
      size_t j = i;
      while (j < sql.size() && IsWordByte(static_cast<unsigned char>(sql[j]))) ++j;
      words.push_back(absl::AsciiStrToUpper(sql.substr(i, j - i)));
      i = j;
    } else {
      break;
    }
  }
  return words;
}

// Statements of kind kShow whose answer is the same on every server of the
// cluster: schema listings and plans.
bool IsReplicaSafeShow(absl::string_view sql) {
  static const auto* const kSchemaShows = new absl::flat_hash_set<std::string>{
      "TABLES",   "COLUMNS",   "FIELDS",    "INDEX",   "INDEXES",
      "KEYS",     "DATABASES", "SCHEMAS",   "TRIGGERS", "EVENTS",
      "COLLATION", "CHARSET"};
  static const auto* const kCreateShows = new absl::flat_hash_set<std::string>{
      "TABLE", "VIEW", "DATABASE", "SCHEMA", "PROCEDURE", "FUNCTION",
      "TRIGGER", "EVENT", "SEQUENCE"};
  const std::vector<std::string> w = LeadingWords(sql, 4);
  if (w.empty()) return false;
  if (w[0] == "EXPLAIN" || w[0] == "DESCRIBE" || w[0] == "DESC" || w[0] == "HELP") {
    return true;
  }
  if (w[0] != "SHOW" || w.size() < 2) return false;
  size_t k = 1;
  if (w[k] == "FULL" || w[k] == "EXTENDED") ++k;
  if (k < w.size() && w[k] == "FULL") ++k;  // SHOW EXTENDED FULL COLUMNS
  if (k >= w.size()) return false;
  if (kSchemaShows->contains(w[k])) return true;
  const bool has_next = k + 1 < w.size();
  if (w[k] == "CREATE") return has_next && kCreateShows->contains(w[k + 1]);
  if (w[k] == "TABLE") return has_next && w[k + 1] == "STATUS";
  if (w[k] == "CHARACTER") return has_next && w[k + 1] == "SET";
  if (w[k] == "PROCEDURE" || w[k] == "FUNCTION") {
    return has_next && (w[k + 1] == "STATUS" || w[k + 1] == "CODE");
  }
  return false;
}

}  // namespace

bool ShouldReadFromReplica(StatementKind kind, bool locking_read, bool in_transaction,
                           bool multiple_statements, bool session_dependent) {
  if (kind != StatementKind::kSelect && kind != StatementKind::kShow) return false;
  return !locking_read && !in_transaction && !multiple_statements && !session_dependent;
}

bool ShouldReadFromReplica(absl::string_view sql, bool in_transaction, bool session_pinned) {
  if (in_transaction || session_pinned) return false;
  const StatementInfo info = AnalyzeStatement(sql);
  if (info.operation != v1::OPERATION_READ) return false;
  if (!ShouldReadFromReplica(info.kind, info.locking_read, in_transaction,
                             info.multiple_statements, ReadsSessionState(sql))) {
    return false;
  }
  return info.kind != StatementKind::kShow || IsReplicaSafeShow(sql);
}

bool ReadsSessionState(absl::string_view sql) {
  static const auto* const kSessionWords = new absl::flat_hash_set<std::string>{
      "LAST_INSERT_ID", "FOUND_ROWS",   "ROW_COUNT", "GET_LOCK",
      "RELEASE_LOCK",   "RELEASE_ALL_LOCKS", "IS_FREE_LOCK", "IS_USED_LOCK",
      "NEXTVAL",        "LASTVAL",      "SETVAL",    "NEXT",
      "PREVIOUS"};
  if (sql.find('@') != absl::string_view::npos) return true;
  size_t i = 0;
  while (i < sql.size()) {
    if (!IsWordByte(static_cast<unsigned char>(sql[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < sql.size() && IsWordByte(static_cast<unsigned char>(sql[j]))) ++j;
    // No listed word is longer than this; longer words need no copy.
    if (j - i >= 4 && j - i <= 17 && kSessionWords->contains(absl::AsciiStrToUpper(sql.substr(i, j - i)))) {
      return true;
    }
    i = j;
  }
  return false;
}

}  // namespace mysqlgw
