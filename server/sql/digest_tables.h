// Finds the tables a statement names, from its tokens, for
// StatementDigest::tables. Internal to digest.cc; the rules are documented
// in digest.h.
#ifndef SERVER_SQL_DIGEST_TABLES_H_
#define SERVER_SQL_DIGEST_TABLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/sql/digest.h"
#include "server/sql/digest_keywords.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {
namespace digest_internal {

class TableFinder {
 public:
  // Appends to `tables`, which may already hold tables of earlier calls.
  TableFinder(absl::string_view sql, std::vector<TableName>& tables)
      : sql_(sql), tables_(tables) {}

  // Each significant token (no comments) but ';', with its keyword if any.
  void OnToken(const Token& token, const Keyword* keyword);
  // At each ';' and at the end of the input.
  void EndStatement();

 private:
  enum class Expect : uint8_t {
    kNone,
    kTable,         // INTO, TABLE, UPDATE ...: a name next.
    kTableOrParen,  // FROM, JOIN, ',' in a FROM list: "(t1, t2)" too.
    kExplained,     // DESCRIBE t, but EXPLAIN FORMAT=JSON SELECT ...
    kCteName,       // WITH name AS (...)
  };
  enum class Pending : uint8_t { kNone, kName, kAfterDot };

  // Bit of nesting level `depth_` in the per-level sets (levels past 63 are
  // not tracked).
  uint64_t Level() const { return depth_ < 64 ? uint64_t{1} << depth_ : 0; }
  bool HandleExpected(const Token& token, const Keyword* keyword);
  void HandleKeyword(const Keyword& keyword);
  void Record(const Token* database, const Token& name);
  std::string NameOf(const Token& token) const;

  absl::string_view sql_;
  std::vector<TableName>& tables_;

  Expect expect_ = Expect::kNone;
  Pending pending_ = Pending::kNone;
  Token first_part_;
  size_t depth_ = 0;
  uint64_t from_lists_ = 0;    // Levels inside a FROM (or UPDATE, ...) list.
  uint64_t cte_lists_ = 0;     // Levels inside a WITH list.
  uint64_t call_parens_ = 0;   // Levels opened by a function call's '('.
  bool prev_glues_call_ = false;
  Kw verb_ = Kw::kOther;       // The statement's first keyword.
  bool has_verb_ = false;
  Kw prev_keyword_ = Kw::kOther;
  bool prev_was_comma_ = false;
  bool show_names_table_ = false;  // SHOW COLUMNS / INDEX: FROM t next.
  bool saw_index_or_trigger_ = false;
  // CTE names: not tables. The first few per statement are remembered.
  static constexpr size_t kMaxCtes = 8;
  absl::string_view ctes_[kMaxCtes];
  size_t cte_count_ = 0;
};

}  // namespace digest_internal
}  // namespace mysqlgw

#endif  // SERVER_SQL_DIGEST_TABLES_H_
