#include "server/binlog/ddl_parser.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {
namespace {

using Kind = DdlStatement::Kind;

struct Tok {
  TokenKind kind;
  absl::string_view text;
  bool unterminated;
};

// The significant tokens of the first statement.
std::vector<Tok> Significant(absl::string_view sql, const DdlParseOptions& options) {
  TokenizerOptions to;
  to.ansi_quotes = options.ansi_quotes;
  to.no_backslash_escapes = options.no_backslash_escapes;
  Tokenizer tokenizer(sql, to);
  std::vector<Tok> out;
  Token t;
  while (tokenizer.NextSignificant(t)) {
    if (t.kind == TokenKind::kSemicolon) break;
    out.push_back({t.kind, t.Text(sql), t.unterminated});
  }
  return out;
}

// A cursor over [begin, end) of the tokens. Every accessor checks bounds, so
// truncated statements simply run out of tokens.
class Cursor {
 public:
  Cursor(const std::vector<Tok>& toks, size_t begin, size_t end)
      : toks_(toks), i_(begin), end_(std::min(end, toks.size())) {}

  bool AtEnd() const { return i_ >= end_; }
  size_t index() const { return i_; }
  size_t end() const { return end_; }
  const Tok* Peek(size_t ahead = 0) const {
    return i_ + ahead < end_ ? &toks_[i_ + ahead] : nullptr;
  }
  void Skip(size_t n = 1) { i_ = std::min(end_, i_ + n); }

  bool PeekWord(absl::string_view word, size_t ahead = 0) const {
    const Tok* t = Peek(ahead);
    return t != nullptr && t->kind == TokenKind::kWord && absl::EqualsIgnoreCase(t->text, word);
  }
  bool AcceptWord(absl::string_view word) {
    if (!PeekWord(word)) return false;
    ++i_;
    return true;
  }
  bool PeekOp(char c, size_t ahead = 0) const {
    const Tok* t = Peek(ahead);
    return t != nullptr && t->kind == TokenKind::kOperator && t->text.size() == 1 &&
           t->text[0] == c;
  }
  bool AcceptOp(char c) {
    if (!PeekOp(c)) return false;
    ++i_;
    return true;
  }
  // IF EXISTS / IF NOT EXISTS.
  bool AcceptIfExists() {
    if (PeekWord("IF") && PeekWord("EXISTS", 1)) {
      Skip(2);
      return true;
    }
    return false;
  }
  bool AcceptIfNotExists() {
    if (PeekWord("IF") && PeekWord("NOT", 1) && PeekWord("EXISTS", 2)) {
      Skip(3);
      return true;
    }
    return false;
  }

  // An identifier: a bare word or a quoted identifier, unquoted.
  std::optional<std::string> Ident() {
    const Tok* t = Peek();
    if (t == nullptr || t->unterminated) return std::nullopt;
    if (t->kind == TokenKind::kWord) {
      ++i_;
      return std::string(t->text);
    }
    if (t->kind == TokenKind::kQuotedIdentifier && t->text.size() >= 2) {
      ++i_;
      const char q = t->text[0];
      std::string out;
      absl::string_view body = t->text.substr(1, t->text.size() - 2);
      for (size_t k = 0; k < body.size(); ++k) {
        out.push_back(body[k]);
        if (body[k] == q && k + 1 < body.size() && body[k + 1] == q) ++k;
      }
      return out;
    }
    return std::nullopt;
  }

  // [schema.]table, the schema defaulting to `default_schema`.
  std::optional<QualifiedName> TableName(absl::string_view default_schema) {
    std::optional<std::string> first = Ident();
    if (!first.has_value()) return std::nullopt;
    if (AcceptOp('.')) {
      std::optional<std::string> second = Ident();
      if (!second.has_value()) return std::nullopt;
      return QualifiedName{*std::move(first), *std::move(second)};
    }
    return QualifiedName{std::string(default_schema), *std::move(first)};
  }

  // Past the parenthesised group opening at the cursor; false if unbalanced.
  bool SkipGroup() {
    if (!PeekOp('(')) return false;
    int depth = 0;
    while (!AtEnd()) {
      if (PeekOp('(')) ++depth;
      if (PeekOp(')')) --depth;
      ++i_;
      if (depth == 0) return true;
    }
    return false;
  }

  // The index of the ')' matching the '(' at the cursor, or npos.
  size_t MatchingClose() const {
    int depth = 0;
    for (size_t k = i_; k < end_; ++k) {
      const Tok& t = toks_[k];
      if (t.kind != TokenKind::kOperator || t.text.size() != 1) continue;
      if (t.text[0] == '(') ++depth;
      if (t.text[0] == ')' && --depth == 0) return k;
    }
    return std::string::npos;
  }

  // Splits [cursor, end) at commas outside parentheses into [begin, end)
  // ranges.
  std::vector<std::pair<size_t, size_t>> SplitAtCommas() const {
    std::vector<std::pair<size_t, size_t>> items;
    int depth = 0;
    size_t start = i_;
    for (size_t k = i_; k < end_; ++k) {
      const Tok& t = toks_[k];
      if (t.kind != TokenKind::kOperator || t.text.size() != 1) continue;
      if (t.text[0] == '(') ++depth;
      if (t.text[0] == ')') --depth;
      if (t.text[0] == ',' && depth == 0) {
        items.emplace_back(start, k);
        start = k + 1;
      }
    }
    items.emplace_back(start, end_);
    return items;
  }

  const std::vector<Tok>& toks() const { return toks_; }

 private:
  const std::vector<Tok>& toks_;
  size_t i_;
  size_t end_;
};

bool IsWordIn(const Tok* t, std::initializer_list<absl::string_view> words) {
  if (t == nullptr || t->kind != TokenKind::kWord) return false;
  for (absl::string_view w : words) {
    if (absl::EqualsIgnoreCase(t->text, w)) return true;
  }
  return false;
}

// Words that open a table-level index or constraint in a column list.
// PERIOD is not reserved (a column may be called so): only PERIOD FOR is.
bool OpensIndexOrConstraint(const Cursor& c) {
  if (c.PeekWord("PERIOD")) return c.PeekWord("FOR", 1);
  return IsWordIn(c.Peek(), {"PRIMARY", "KEY", "INDEX", "UNIQUE", "FULLTEXT", "SPATIAL",
                             "CONSTRAINT", "FOREIGN", "CHECK"});
}

// "(a, b(10) DESC, ...)" at the cursor: the column names.
std::optional<std::vector<std::string>> KeyColumns(Cursor& c) {
  const size_t close = c.MatchingClose();
  if (close == std::string::npos) return std::nullopt;
  Cursor inner(c.toks(), c.index() + 1, close);
  std::vector<std::string> names;
  for (const auto& [b, e] : inner.SplitAtCommas()) {
    Cursor part(c.toks(), b, e);
    std::optional<std::string> name = part.Ident();
    if (!name.has_value()) return std::nullopt;  // Functional key part, garbage.
    names.push_back(*std::move(name));
  }
  c.Skip(close + 1 - c.index());
  return names;
}

// PRIMARY KEY [USING x] (cols): the cursor is at PRIMARY.
std::optional<std::vector<std::string>> PrimaryKeyClause(Cursor& c) {
  if (!c.AcceptWord("PRIMARY") || !c.AcceptWord("KEY")) return std::nullopt;
  while (!c.AtEnd() && !c.PeekOp('(')) c.Skip();  // USING BTREE, index name...
  return KeyColumns(c);
}

struct ParsedColumn {
  ColumnSpec spec;
  bool primary_key = false;
  ColumnPlace place = ColumnPlace::kLast;
  std::string after;
};

// "name type[(args)] [attributes...] [FIRST | AFTER col]" over [c, end).
std::optional<ParsedColumn> ColumnDefinition(Cursor c) {
  ParsedColumn out;
  std::optional<std::string> name = c.Ident();
  if (!name.has_value()) return std::nullopt;
  out.spec.name = *std::move(name);
  const Tok* type = c.Peek();
  if (type == nullptr || type->kind != TokenKind::kWord) return std::nullopt;
  const Tok* next = c.Peek(1);
  std::string next_word =
      next != nullptr && next->kind == TokenKind::kWord ? absl::AsciiStrToLower(next->text) : "";
  out.spec.type = NormalizeTypeName(type->text, next_word);
  out.spec.is_unsigned = out.spec.type == "bigint" && absl::EqualsIgnoreCase(type->text, "SERIAL");
  c.Skip();
  // The attributes, at parenthesis depth 0 only: enum values, defaults and
  // generated expressions are inside parentheses or strings.
  const Tok* prev = nullptr;
  while (!c.AtEnd()) {
    if (c.PeekOp('(')) {
      if (!c.SkipGroup()) return std::nullopt;
      prev = nullptr;
      continue;
    }
    const Tok* t = c.Peek();
    if (t->unterminated) return std::nullopt;
    if (IsWordIn(t, {"UNSIGNED"})) out.spec.is_unsigned = true;
    if (IsWordIn(t, {"KEY"}) && !IsWordIn(prev, {"UNIQUE"})) out.primary_key = true;
    if (IsWordIn(t, {"FIRST"})) {
      out.place = ColumnPlace::kFirst;
    } else if (IsWordIn(t, {"AFTER"})) {
      c.Skip();
      std::optional<std::string> after = c.Ident();
      if (!after.has_value()) return std::nullopt;
      out.place = ColumnPlace::kAfter;
      out.after = *std::move(after);
      prev = nullptr;
      continue;
    }
    prev = t;
    c.Skip();
  }
  return out;
}

// The statement continues with a query (CREATE TABLE ... SELECT / TABLE /
// WITH): its columns come from a result we cannot see.
bool HasQueryPart(Cursor c) {
  while (!c.AtEnd()) {
    if (IsWordIn(c.Peek(), {"SELECT", "WITH", "TABLE", "VALUES"})) return true;
    if (c.PeekOp('(')) {
      if (IsWordIn(c.Peek(1), {"SELECT", "WITH", "TABLE", "VALUES"})) return true;
      if (!c.SkipGroup()) return true;
      continue;
    }
    c.Skip();
  }
  return false;
}

void ParseCreateTable(Cursor& c, absl::string_view default_schema, DdlStatement& out) {
  out.kind = Kind::kCreateTable;
  out.if_not_exists = c.AcceptIfNotExists();
  std::optional<QualifiedName> name = c.TableName(default_schema);
  if (!name.has_value()) return;
  out.table = *name;
  out.touched.push_back(*name);
  // LIKE other | (LIKE other)
  const bool paren_like = c.PeekOp('(') && c.PeekWord("LIKE", 1);
  if (paren_like) c.Skip();
  if (c.AcceptWord("LIKE")) {
    std::optional<QualifiedName> like = c.TableName(default_schema);
    if (!like.has_value()) return;
    if (paren_like && !c.AcceptOp(')')) return;
    out.has_like = true;
    out.like = *std::move(like);
    out.understood = c.AtEnd();
    return;
  }
  if (!c.PeekOp('(')) return;  // CREATE TABLE t SELECT ...: unknown columns.
  const size_t close = c.MatchingClose();
  if (close == std::string::npos) return;
  Cursor list(c.toks(), c.index() + 1, close);
  std::vector<std::string> inline_pk;
  for (const auto& [b, e] : list.SplitAtCommas()) {
    Cursor item(c.toks(), b, e);
    if (item.AtEnd()) return;
    if (OpensIndexOrConstraint(item)) {
      if (item.AcceptWord("CONSTRAINT") && !item.PeekWord("PRIMARY")) item.Ident();
      if (item.PeekWord("PRIMARY")) {
        std::optional<std::vector<std::string>> pk = PrimaryKeyClause(item);
        if (!pk.has_value()) return;
        out.primary_key = *std::move(pk);
      }
      continue;
    }
    std::optional<ParsedColumn> column = ColumnDefinition(item);
    if (!column.has_value() || column->place != ColumnPlace::kLast) return;
    if (column->primary_key) inline_pk.push_back(column->spec.name);
    out.columns.push_back(std::move(column->spec));
  }
  if (out.columns.empty()) return;
  if (out.primary_key.empty()) out.primary_key = std::move(inline_pk);
  c.Skip(close + 1 - c.index());
  out.understood = !HasQueryPart(c);
}

// Words that start an ALTER TABLE clause changing no column: table options,
// partitioning, algorithm and lock, key maintenance.
bool IsNeutralAlterWord(const Tok* t) {
  return IsWordIn(
      t, {"ENGINE", "TYPE", "AUTO_INCREMENT", "AVG_ROW_LENGTH", "CHECKSUM", "TABLE_CHECKSUM",
          "COMMENT", "COMPRESSION", "CONNECTION", "DATA", "INDEX", "DELAY_KEY_WRITE",
          "ENCRYPTION", "ENCRYPTED", "ENCRYPTION_KEY_ID", "INSERT_METHOD", "KEY_BLOCK_SIZE",
          "MAX_ROWS", "MIN_ROWS", "PACK_KEYS", "PAGE_CHECKSUM", "PAGE_COMPRESSED",
          "PAGE_COMPRESSION_LEVEL", "PASSWORD", "ROW_FORMAT", "STATS_AUTO_RECALC",
          "STATS_PERSISTENT", "STATS_SAMPLE_PAGES", "TABLESPACE", "TRANSACTIONAL", "UNION",
          "IETF_QUOTES", "AUTOEXTEND_SIZE", "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE",
          "SECONDARY_ENGINE", "DEFAULT", "CHARACTER", "CHARSET", "COLLATE", "CONVERT",
          "ALGORITHM", "LOCK", "FORCE", "ENABLE", "DISABLE", "ORDER", "DISCARD", "IMPORT",
          "PARTITION", "PARTITIONS", "SUBPARTITION", "REMOVE", "COALESCE", "REORGANIZE",
          "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "TRUNCATE",
          "UPGRADE", "WITH", "WITHOUT", "SECONDARY_LOAD", "SECONDARY_UNLOAD", "NOWAIT", "WAIT",
          "START", "STORAGE"});
}

// One comma-separated ALTER TABLE clause; false when not understood.
bool ParseAlterClause(Cursor c, absl::string_view default_schema, DdlStatement& out) {
  if (c.AtEnd()) return false;
  AlterAction a;
  if (c.AcceptWord("ADD")) {
    const bool column_word = c.AcceptWord("COLUMN");
    if (!column_word) {
      if (c.AcceptWord("PRIMARY")) {
        if (!c.AcceptWord("KEY")) return false;
        while (!c.AtEnd() && !c.PeekOp('(')) c.Skip();
        std::optional<std::vector<std::string>> pk = KeyColumns(c);
        if (!pk.has_value()) return false;
        a.kind = AlterAction::Kind::kAddPrimaryKey;
        a.key_columns = *std::move(pk);
        out.actions.push_back(std::move(a));
        return true;
      }
      if (c.PeekWord("CONSTRAINT")) {
        // CONSTRAINT [symbol] PRIMARY KEY (...) | UNIQUE | FOREIGN KEY | CHECK
        c.Skip();
        c.AcceptIfNotExists();
        if (!c.PeekWord("PRIMARY") && !c.PeekWord("UNIQUE") && !c.PeekWord("FOREIGN") &&
            !c.PeekWord("CHECK")) {
          c.Ident();
        }
        if (c.PeekWord("PRIMARY")) {
          std::optional<std::vector<std::string>> pk = PrimaryKeyClause(c);
          if (!pk.has_value()) return false;
          a.kind = AlterAction::Kind::kAddPrimaryKey;
          a.key_columns = *std::move(pk);
          out.actions.push_back(std::move(a));
        }
        return true;
      }
      if (IsWordIn(c.Peek(), {"SYSTEM"})) return false;  // Hidden row_start/row_end.
      if (IsWordIn(c.Peek(), {"INDEX", "KEY", "FULLTEXT", "SPATIAL", "UNIQUE", "FOREIGN", "CHECK",
                              "PARTITION"}) ||
          (c.PeekWord("PERIOD") && c.PeekWord("FOR", 1)) ||
          (c.PeekWord("VECTOR") && (c.PeekWord("INDEX", 1) || c.PeekWord("KEY", 1)))) {
        return true;
      }
    }
    const bool if_not_exists = c.AcceptIfNotExists();
    if (c.PeekOp('(')) {
      // ADD [COLUMN] (a INT, b INT): appended in order.
      const size_t close = c.MatchingClose();
      if (close == std::string::npos) return false;
      Cursor list(c.toks(), c.index() + 1, close);
      for (const auto& [b, e] : list.SplitAtCommas()) {
        Cursor item(c.toks(), b, e);
        if (OpensIndexOrConstraint(item)) return false;
        std::optional<ParsedColumn> col = ColumnDefinition(item);
        if (!col.has_value() || col->place != ColumnPlace::kLast) return false;
        AlterAction add;
        add.kind = AlterAction::Kind::kAddColumn;
        add.spec = std::move(col->spec);
        add.if_not_exists = if_not_exists;
        out.actions.push_back(std::move(add));
      }
      return true;
    }
    std::optional<ParsedColumn> col = ColumnDefinition(c);
    if (!col.has_value()) return false;
    a.kind = AlterAction::Kind::kAddColumn;
    a.spec = std::move(col->spec);
    a.place = col->place;
    a.after = std::move(col->after);
    a.if_not_exists = if_not_exists;
    out.actions.push_back(std::move(a));
    if (col->primary_key) {
      AlterAction pk;
      pk.kind = AlterAction::Kind::kAddPrimaryKey;
      pk.key_columns = {out.actions.back().spec.name};
      out.actions.push_back(std::move(pk));
    }
    return true;
  }
  if (c.AcceptWord("DROP")) {
    const bool column_word = c.AcceptWord("COLUMN");
    if (!column_word) {
      if (c.PeekWord("PRIMARY") && c.PeekWord("KEY", 1)) {
        a.kind = AlterAction::Kind::kDropPrimaryKey;
        out.actions.push_back(std::move(a));
        return true;
      }
      if (c.PeekWord("CONSTRAINT")) {
        c.Skip();
        c.AcceptIfExists();
        std::optional<std::string> name = c.Ident();
        if (!name.has_value()) return false;
        if (absl::EqualsIgnoreCase(*name, "PRIMARY")) {
          a.kind = AlterAction::Kind::kDropPrimaryKey;
          out.actions.push_back(std::move(a));
        }
        return true;
      }
      if (IsWordIn(c.Peek(), {"SYSTEM", "PERIOD"})) return false;
      if (IsWordIn(c.Peek(), {"INDEX", "KEY"})) {
        c.Skip();
        c.AcceptIfExists();
        std::optional<std::string> name = c.Ident();
        if (name.has_value() && absl::EqualsIgnoreCase(*name, "PRIMARY")) {
          a.kind = AlterAction::Kind::kDropPrimaryKey;
          out.actions.push_back(std::move(a));
        }
        return true;
      }
      if (IsWordIn(c.Peek(), {"FOREIGN", "CHECK", "PARTITION", "DEFAULT"})) return true;
    }
    a.kind = AlterAction::Kind::kDropColumn;
    a.if_exists = c.AcceptIfExists();
    std::optional<std::string> name = c.Ident();
    if (!name.has_value()) return false;
    a.column = *std::move(name);
    if (!c.AcceptWord("RESTRICT")) c.AcceptWord("CASCADE");
    if (!c.AtEnd()) return false;
    out.actions.push_back(std::move(a));
    return true;
  }
  if (c.PeekWord("CHANGE") || c.PeekWord("MODIFY")) {
    const bool change = c.PeekWord("CHANGE");
    c.Skip();
    c.AcceptWord("COLUMN");
    a.kind = AlterAction::Kind::kChangeColumn;
    a.if_exists = c.AcceptIfExists();
    if (change) {
      std::optional<std::string> old_name = c.Ident();
      if (!old_name.has_value()) return false;
      a.column = *std::move(old_name);
    } else {
      Cursor probe = c;
      std::optional<std::string> n = probe.Ident();
      if (!n.has_value()) return false;
      a.column = *std::move(n);
    }
    std::optional<ParsedColumn> col = ColumnDefinition(c);
    if (!col.has_value()) return false;
    a.spec = std::move(col->spec);
    a.place = col->place;
    a.after = std::move(col->after);
    out.actions.push_back(std::move(a));
    if (col->primary_key) {
      AlterAction pk;
      pk.kind = AlterAction::Kind::kAddPrimaryKey;
      pk.key_columns = {out.actions.back().spec.name};
      out.actions.push_back(std::move(pk));
    }
    return true;
  }
  if (c.AcceptWord("RENAME")) {
    if (c.AcceptWord("COLUMN")) {
      a.kind = AlterAction::Kind::kRenameColumn;
      a.if_exists = c.AcceptIfExists();
      std::optional<std::string> from = c.Ident();
      if (!from.has_value() || !c.AcceptWord("TO")) return false;
      std::optional<std::string> to = c.Ident();
      if (!to.has_value() || !c.AtEnd()) return false;
      a.column = *std::move(from);
      a.spec.name = *std::move(to);
      out.actions.push_back(std::move(a));
      return true;
    }
    if (IsWordIn(c.Peek(), {"INDEX", "KEY"})) return true;
    if (!c.AcceptWord("TO") && !c.AcceptWord("AS")) c.AcceptOp('=');
    std::optional<QualifiedName> to = c.TableName(default_schema);
    if (!to.has_value() || !c.AtEnd()) return false;
    a.kind = AlterAction::Kind::kRenameTable;
    a.new_name = *std::move(to);
    out.touched.push_back(a.new_name);
    out.actions.push_back(std::move(a));
    return true;
  }
  if (c.AcceptWord("ALTER")) {
    // ALTER [COLUMN] c SET DEFAULT / DROP DEFAULT / SET [IN]VISIBLE,
    // ALTER INDEX ... [IN]VISIBLE, ALTER CHECK/CONSTRAINT ... ENFORCED.
    return !c.AtEnd();
  }
  // Table options and partitioning may follow each other without commas.
  return IsNeutralAlterWord(c.Peek());
}

void ParseAlterTable(Cursor& c, absl::string_view default_schema, DdlStatement& out) {
  out.kind = Kind::kAlterTable;
  c.AcceptIfExists();
  std::optional<QualifiedName> name = c.TableName(default_schema);
  if (!name.has_value()) return;
  out.table = *name;
  out.touched.push_back(*name);
  if (c.AcceptWord("WAIT")) {
    c.Skip();
  } else {
    c.AcceptWord("NOWAIT");
  }
  if (c.AtEnd()) {  // ALTER TABLE t: rebuild.
    out.understood = true;
    return;
  }
  for (const auto& [b, e] : c.SplitAtCommas()) {
    if (!ParseAlterClause(Cursor(c.toks(), b, e), default_schema, out)) return;
  }
  out.understood = true;
}

void ParseRename(Cursor& c, absl::string_view default_schema, DdlStatement& out) {
  out.kind = Kind::kRenameTables;
  c.AcceptIfExists();
  for (const auto& [b, e] : c.SplitAtCommas()) {
    Cursor item(c.toks(), b, e);
    std::optional<QualifiedName> from = item.TableName(default_schema);
    if (!from.has_value()) return;
    out.touched.push_back(*from);
    if (item.AcceptWord("WAIT")) {
      item.Skip();
    } else {
      item.AcceptWord("NOWAIT");
    }
    if (!item.AcceptWord("TO")) return;
    std::optional<QualifiedName> to = item.TableName(default_schema);
    if (!to.has_value() || !item.AtEnd()) return;
    out.touched.push_back(*to);
    out.renames.emplace_back(*std::move(from), *std::move(to));
  }
  out.understood = !out.renames.empty();
}

void ParseDropTables(Cursor& c, absl::string_view default_schema, DdlStatement& out) {
  out.kind = Kind::kDropTables;
  c.AcceptIfExists();
  for (const auto& [b, e] : c.SplitAtCommas()) {
    Cursor item(c.toks(), b, e);
    std::optional<QualifiedName> name = item.TableName(default_schema);
    if (!name.has_value()) return;
    out.touched.push_back(*std::move(name));
    if (item.AcceptWord("WAIT")) {
      item.Skip();
    } else {
      item.AcceptWord("NOWAIT");
    }
    if (!item.AcceptWord("RESTRICT")) item.AcceptWord("CASCADE");
    if (!item.AtEnd()) return;
  }
  out.understood = !out.touched.empty();
}

}  // namespace

DdlParseOptions DdlOptionsFromSqlMode(uint64_t sql_mode) {
  DdlParseOptions o;
  o.ansi_quotes = (sql_mode & (uint64_t{1} << 2)) != 0;
  o.no_backslash_escapes = (sql_mode & (uint64_t{1} << 21)) != 0;
  return o;
}

std::string NormalizeTypeName(absl::string_view word, absl::string_view next) {
  std::string w = absl::AsciiStrToLower(word);
  if (w == "national" || w == "nchar" || w == "nvarchar") {
    if (w == "nvarchar") return "varchar";
    if (w == "national") {
      w = std::string(next);
      next = {};
    }
    if (w == "nchar") return next == "varchar" || next == "varying" ? "varchar" : "char";
  }
  if (w == "character") w = "char";
  if (w == "char" && next == "varying") return "varchar";
  if (w == "varcharacter") return "varchar";
  if (w == "double" || w == "float8") return "double";
  if (w == "real") return "double";  // FLOAT under REAL_AS_FLOAT: see ColumnTypeFits.
  if (w == "float4") return "float";
  if (w == "integer" || w == "int4") return "int";
  if (w == "int1" || w == "bool" || w == "boolean") return "tinyint";
  if (w == "int2") return "smallint";
  if (w == "int3" || w == "middleint") return "mediumint";
  if (w == "int8" || w == "serial") return "bigint";
  if (w == "dec" || w == "numeric" || w == "fixed" || w == "number") return "decimal";
  if (w == "long") {
    if (next == "varbinary") return "mediumblob";
    return "mediumtext";
  }
  return w;
}

DdlStatement ParseDdl(absl::string_view default_schema, absl::string_view sql,
                      const DdlParseOptions& options) {
  DdlStatement out;
  {
    // Most QUERY events are BEGIN, COMMIT or statement-logged DML, possibly
    // huge: look at the first word before tokenizing the whole text.
    TokenizerOptions to;
    to.ansi_quotes = options.ansi_quotes;
    to.no_backslash_escapes = options.no_backslash_escapes;
    Tokenizer tokenizer(sql, to);
    Token first;
    if (!tokenizer.NextSignificant(first) || first.kind != TokenKind::kWord) return out;
    const absl::string_view w = first.Text(sql);
    if (!absl::EqualsIgnoreCase(w, "CREATE") && !absl::EqualsIgnoreCase(w, "ALTER") &&
        !absl::EqualsIgnoreCase(w, "DROP") && !absl::EqualsIgnoreCase(w, "RENAME") &&
        !absl::EqualsIgnoreCase(w, "TRUNCATE")) {
      return out;
    }
  }
  const std::vector<Tok> toks = Significant(sql, options);
  Cursor c(toks, 0, toks.size());
  if (c.AcceptWord("CREATE")) {
    out.or_replace = c.PeekWord("OR") && c.PeekWord("REPLACE", 1);
    if (out.or_replace) c.Skip(2);
    if (c.PeekWord("TEMPORARY")) return out;  // Session-only: never in row events.
    if (c.AcceptWord("TABLE")) {
      ParseCreateTable(c, default_schema, out);
    } else if (c.AcceptWord("SEQUENCE")) {
      out.kind = Kind::kOtherTableDdl;
      c.AcceptIfNotExists();
      if (std::optional<QualifiedName> n = c.TableName(default_schema)) out.touched.push_back(*n);
    }
    return out;
  }
  if (c.AcceptWord("ALTER")) {
    if (!c.AcceptWord("ONLINE")) c.AcceptWord("OFFLINE");
    c.AcceptWord("IGNORE");
    if (c.AcceptWord("TABLE")) {
      ParseAlterTable(c, default_schema, out);
    } else if (c.AcceptWord("SEQUENCE")) {
      out.kind = Kind::kOtherTableDdl;
      c.AcceptIfExists();
      if (std::optional<QualifiedName> n = c.TableName(default_schema)) out.touched.push_back(*n);
    }
    return out;
  }
  if (c.AcceptWord("RENAME")) {
    if (c.AcceptWord("TABLE") || c.AcceptWord("TABLES")) ParseRename(c, default_schema, out);
    return out;
  }
  if (c.AcceptWord("DROP")) {
    if (c.PeekWord("TEMPORARY")) return out;
    if (c.AcceptWord("TABLE") || c.AcceptWord("TABLES") || c.AcceptWord("SEQUENCE")) {
      ParseDropTables(c, default_schema, out);
    } else if (c.AcceptWord("DATABASE") || c.AcceptWord("SCHEMA")) {
      out.kind = Kind::kDropSchema;
      c.AcceptIfExists();
      std::optional<std::string> name = c.Ident();
      if (name.has_value() && c.AtEnd()) {
        out.schema = *std::move(name);
        out.understood = true;
      }
    } else if (c.AcceptWord("INDEX")) {
      // DROP INDEX [IF EXISTS] name ON t: only `PRIMARY` changes what we keep.
      c.AcceptIfExists();
      std::optional<std::string> index = c.Ident();
      if (index.has_value() && absl::EqualsIgnoreCase(*index, "PRIMARY") && c.AcceptWord("ON")) {
        out.kind = Kind::kAlterTable;
        std::optional<QualifiedName> t = c.TableName(default_schema);
        if (!t.has_value()) return out;
        out.table = *t;
        out.touched.push_back(*std::move(t));
        AlterAction a;
        a.kind = AlterAction::Kind::kDropPrimaryKey;
        out.actions.push_back(std::move(a));
        out.understood = true;
      }
    }
    return out;
  }
  if (c.AcceptWord("TRUNCATE")) {
    c.AcceptWord("TABLE");
    std::optional<QualifiedName> t = c.TableName(default_schema);
    if (!t.has_value()) return out;
    out.kind = Kind::kTruncate;
    out.table = *std::move(t);
    out.understood = true;
  }
  return out;
}

}  // namespace mysqlgw
