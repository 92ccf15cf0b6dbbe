#include "server/sql/digest_tables.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"

namespace mysqlgw {
namespace digest_internal {
namespace {

bool IsPunct(const Token& t, absl::string_view sql, char c) {
  return t.kind == TokenKind::kOperator && t.end - t.begin == 1 && sql[t.begin] == c;
}

bool IsName(const Token& t) {
  return t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdentifier;
}

// The characters between the quotes of a quoted identifier (doubled quotes
// still doubled), or a bare word's text.
absl::string_view RawName(const Token& t, absl::string_view sql) {
  absl::string_view text = t.Text(sql);
  if (t.kind != TokenKind::kQuotedIdentifier) return text;
  text.remove_prefix(1);
  if (!t.unterminated && !text.empty()) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string TableFinder::NameOf(const Token& token) const {
  const absl::string_view raw = RawName(token, sql_);
  if (token.kind != TokenKind::kQuotedIdentifier) return std::string(raw);
  const char quote = sql_[token.begin];
  std::string name;
  name.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    name.push_back(raw[i]);
    if (raw[i] == quote && i + 1 < raw.size() && raw[i + 1] == quote) ++i;
  }
  return name;
}

void TableFinder::Record(const Token* database, const Token& name_token) {
  std::string name = NameOf(name_token);
  if (name.empty()) return;  // `` or an unterminated ` at the end.
  if (database == nullptr) {
    for (size_t i = 0; i < cte_count_; ++i) {
      if (absl::EqualsIgnoreCase(ctes_[i], name)) return;
    }
  }
  std::string db = database == nullptr ? std::string() : NameOf(*database);
  for (const TableName& t : tables_) {
    if (t.name == name && t.database == db) return;
  }
  tables_.push_back(TableName{std::move(db), std::move(name)});
}

void TableFinder::EndStatement() {
  if (pending_ == Pending::kName) Record(nullptr, first_part_);
  expect_ = Expect::kNone;
  pending_ = Pending::kNone;
  depth_ = 0;
  from_lists_ = 0;
  cte_lists_ = 0;
  call_parens_ = 0;
  prev_glues_call_ = false;
  verb_ = Kw::kOther;
  has_verb_ = false;
  prev_keyword_ = Kw::kOther;
  prev_was_comma_ = false;
  show_names_table_ = false;
  saw_index_or_trigger_ = false;
  cte_count_ = 0;
}

bool TableFinder::HandleExpected(const Token& t, const Keyword* kw) {
  const Expect e = expect_;
  expect_ = Expect::kNone;
  if (e == Expect::kCteName) {
    if (kw != nullptr && kw->id == Kw::kRecursive) {
      expect_ = Expect::kCteName;
      return true;
    }
    // Keywords (WITH ROLLUP, WITH CONSISTENT SNAPSHOT) name no CTE.
    if (t.kind == TokenKind::kQuotedIdentifier || (t.kind == TokenKind::kWord && kw == nullptr)) {
      if (cte_count_ < kMaxCtes) ctes_[cte_count_++] = RawName(t, sql_);
      return true;
    }
    return false;
  }
  if (IsName(t)) {
    if (kw != nullptr) {
      if (kw->Has(kTableModifier)) {
        expect_ = e;
        return true;
      }
      if (e == Expect::kExplained &&
          (kw->id == Kw::kFormat || kw->id == Kw::kExtended || kw->id == Kw::kPartitions)) {
        return false;
      }
      if (kw->Has(kReserved)) return false;
    }
    first_part_ = t;
    pending_ = Pending::kName;
    return true;
  }
  if (e == Expect::kTableOrParen && IsPunct(t, sql_, '(')) {
    // "FROM (t1, t2)" lists tables; "FROM (SELECT" ends at SELECT.
    ++depth_;
    call_parens_ &= ~Level();
    cte_lists_ &= ~Level();
    from_lists_ |= Level();
    expect_ = e;
    return true;
  }
  return false;
}

void TableFinder::HandleKeyword(const Keyword& kw) {
  const Kw id = kw.id;
  if (!has_verb_) {
    has_verb_ = true;
    verb_ = id;
    if (id == Kw::kDescribe || id == Kw::kDesc || id == Kw::kExplain) {
      expect_ = Expect::kExplained;
      return;
    }
  } else if (verb_ == Kw::kWith && (id == Kw::kSelect || id == Kw::kUpdate ||
                                    id == Kw::kDelete || id == Kw::kInsert ||
                                    id == Kw::kReplace)) {
    verb_ = id;
  }
  if (kw.Has(kClauseEnd)) from_lists_ &= ~Level();
  if (id == Kw::kSelect || id == Kw::kUpdate || id == Kw::kDelete || id == Kw::kInsert ||
      id == Kw::kReplace || id == Kw::kValues || id == Kw::kTable) {
    cte_lists_ &= ~Level();
  }

  switch (id) {
    case Kw::kFrom:
    case Kw::kIn:
      if (verb_ == Kw::kShow) {
        // SHOW COLUMNS FROM t, but SHOW TABLES FROM db.
        if (show_names_table_) expect_ = Expect::kTable;
        show_names_table_ = false;
      } else if (id == Kw::kFrom && (call_parens_ & Level()) == 0) {
        // Not EXTRACT(YEAR FROM d), TRIM(x FROM y).
        from_lists_ |= Level();
        expect_ = Expect::kTableOrParen;
      }
      break;
    case Kw::kJoin:
      if (prev_keyword_ != Kw::kFor) {  // Not USE INDEX FOR JOIN (i).
        from_lists_ |= Level();
        expect_ = Expect::kTableOrParen;
      }
      break;
    case Kw::kStraightJoin:  // Also a SELECT modifier.
      if ((from_lists_ & Level()) != 0) expect_ = Expect::kTableOrParen;
      break;
    case Kw::kInto:
      expect_ = Expect::kTable;
      break;
    case Kw::kInsert:
    case Kw::kReplace:  // Not the INSERT() and REPLACE() functions.
      if (verb_ == id) expect_ = Expect::kTable;
      break;
    case Kw::kUpdate:
      // Not FOR UPDATE, ON DUPLICATE KEY UPDATE, ON UPDATE CASCADE, GRANT.
      if (verb_ != Kw::kGrant && verb_ != Kw::kRevoke && prev_keyword_ != Kw::kFor &&
          prev_keyword_ != Kw::kKey && prev_keyword_ != Kw::kOn && !prev_was_comma_) {
        from_lists_ |= Level();
        expect_ = Expect::kTableOrParen;
      }
      break;
    case Kw::kTable:
      if (verb_ == Kw::kShow) {  // SHOW CREATE TABLE t, not SHOW TABLE STATUS.
        if (prev_keyword_ == Kw::kCreate) expect_ = Expect::kTable;
        break;
      }
      expect_ = Expect::kTable;
      if (verb_ == Kw::kDrop || verb_ == Kw::kLock || verb_ == Kw::kFlush ||
          verb_ == Kw::kRename || verb_ == Kw::kCheck || verb_ == Kw::kOptimize ||
          verb_ == Kw::kRepair || verb_ == Kw::kChecksum || verb_ == Kw::kAnalyze) {
        from_lists_ |= Level();
      }
      break;
    case Kw::kTables:
      if (verb_ != Kw::kShow) {
        from_lists_ |= Level();
        expect_ = Expect::kTable;
      }
      break;
    case Kw::kTruncate:
      if (verb_ == Kw::kTruncate && prev_keyword_ == Kw::kOther) expect_ = Expect::kTable;
      break;
    case Kw::kUsing:  // DELETE FROM t1 USING t1 JOIN t2; not JOIN ... USING (c).
      if (verb_ == Kw::kDelete) {
        from_lists_ |= Level();
        expect_ = Expect::kTable;
      }
      break;
    case Kw::kWith:
      expect_ = Expect::kCteName;
      cte_lists_ |= Level();
      break;
    case Kw::kTo:
      if (verb_ == Kw::kRename) expect_ = Expect::kTable;
      break;
    case Kw::kLike:
      if (verb_ == Kw::kCreate && depth_ == 0) expect_ = Expect::kTable;
      break;
    case Kw::kReferences:
      expect_ = Expect::kTable;
      break;
    case Kw::kColumns:
    case Kw::kFields:
    case Kw::kIndex:
    case Kw::kIndexes:
    case Kw::kKeys:
    case Kw::kTrigger:
      if (verb_ == Kw::kShow) show_names_table_ = id != Kw::kTrigger;
      if (id == Kw::kIndex || id == Kw::kTrigger) saw_index_or_trigger_ = true;
      break;
    case Kw::kOn:
      // CREATE INDEX i ON t, CREATE TRIGGER ... ON t, GRANT ... ON db.t.
      if (depth_ == 0 &&
          (((verb_ == Kw::kCreate || verb_ == Kw::kDrop) && saw_index_or_trigger_) ||
           verb_ == Kw::kGrant || verb_ == Kw::kRevoke)) {
        expect_ = Expect::kTable;
      }
      break;
    default:
      break;
  }
}

void TableFinder::OnToken(const Token& t, const Keyword* kw) {
  // A name in a table position may go on as db.name.
  bool consumed = false;
  if (pending_ == Pending::kName) {
    pending_ = Pending::kNone;
    if (IsPunct(t, sql_, '.')) {
      pending_ = Pending::kAfterDot;
      consumed = true;
    } else {
      Record(nullptr, first_part_);
    }
  } else if (pending_ == Pending::kAfterDot) {
    pending_ = Pending::kNone;
    if (IsName(t)) {
      Record(&first_part_, t);
      consumed = true;
    }  // "db.*": no table.
  }

  if (!consumed && !(expect_ != Expect::kNone && HandleExpected(t, kw))) {
    if (IsPunct(t, sql_, '(')) {
      ++depth_;
      if (prev_glues_call_) {
        call_parens_ |= Level();
      } else {
        call_parens_ &= ~Level();
      }
      from_lists_ &= ~Level();
      cte_lists_ &= ~Level();
    } else if (IsPunct(t, sql_, ')')) {
      from_lists_ &= ~Level();
      cte_lists_ &= ~Level();
      call_parens_ &= ~Level();
      if (depth_ > 0) --depth_;
    } else if (IsPunct(t, sql_, ',')) {
      if ((from_lists_ & Level()) != 0) {
        expect_ = Expect::kTableOrParen;
      } else if ((cte_lists_ & Level()) != 0) {
        expect_ = Expect::kCteName;
      }
    } else if (kw != nullptr) {
      HandleKeyword(*kw);
    }
  }

  prev_keyword_ = kw != nullptr ? kw->id : Kw::kOther;
  prev_was_comma_ = IsPunct(t, sql_, ',');
  prev_glues_call_ = t.kind == TokenKind::kQuotedIdentifier ||
                     (t.kind == TokenKind::kWord &&
                      (kw == nullptr || kw->Has(kFunction) || !kw->Has(kReserved)));
}

}  // namespace digest_internal
}  // namespace mysqlgw
