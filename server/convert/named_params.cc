#include "server/convert/named_params.h"

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/sql_spans.h"

namespace mysqlgw {
namespace {

using mysqlwire::CommentKind;
using mysqlwire::CommentSpan;
using mysqlwire::EndOfQuoted;
using mysqlwire::ScanComment;

constexpr size_t kNpos = absl::string_view::npos;

// Which quotes treat a backslash as an escape. The default sql_mode escapes
// in both; ANSI_QUOTES makes "..." an identifier (no escapes);
// NO_BACKSLASH_ESCAPES turns escapes off everywhere.
struct QuoteRules {
  bool single_backslash;
  bool double_backslash;
};
constexpr QuoteRules kDefaultMode{true, true};
constexpr QuoteRules kAnsiQuotesMode{true, false};
constexpr QuoteRules kNoBackslashEscapesMode{false, false};

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// What Scan saw besides the rewrite.
struct ScanFacts {
  // Whether any '...' or "..." held a backslash, i.e. whether another
  // sql_mode could read the quotes differently.
  bool quoted_backslash = false;
  // Offset of the first live `?`, or kNpos.
  size_t question_mark = kNpos;
};

// The rewrite proper. Fails only for text that does not scan (unterminated
// quotes and comments); names are checked against the map by the caller.
absl::Status Scan(absl::string_view sql, QuoteRules rules, RewrittenSql* out,
                  ScanFacts* facts) {
  out->sql.clear();
  out->order.clear();
  out->sql.reserve(sql.size());
  bool in_executable = false;  // Inside /*! ... */ or /*M! ... */.
  size_t i = 0;
  // Copies sql[i, end) and moves past it.
  auto copy_to = [&](size_t end) {
    out->sql.append(sql.data() + i, end - i);
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';

    if (c == '\'' || c == '"' || c == '`') {
      bool backslash = false;
      bool saw = false;
      if (c == '\'') backslash = rules.single_backslash;
      if (c == '"') backslash = rules.double_backslash;
      const size_t end = EndOfQuoted(sql, i, backslash, &saw);
      if (end == kNpos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unterminated ", std::string(1, c), " at offset ", i));
      }
      if (c != '`' && saw) facts->quoted_backslash = true;
      copy_to(end);
      continue;
    }

    absl::StatusOr<CommentSpan> comment = ScanComment(sql, i, in_executable);
    if (!comment.ok()) return comment.status();
    if (comment->kind != CommentKind::kNone) {
      if (comment->kind == CommentKind::kExecutableOpen) in_executable = true;
      if (comment->kind == CommentKind::kExecutableClose) in_executable = false;
      copy_to(comment->end);
      continue;
    }

    if (c == '?' && facts->question_mark == kNpos) facts->question_mark = i;

    if (c == ':') {
      if (next == ':') {
        // "::" and longer runs are never placeholders, nor is a name right
        // after them.
        size_t end = i;
        while (end < sql.size() && sql[end] == ':') ++end;
        copy_to(end);
        continue;
      }
      if (IsNameStart(next)) {
        size_t end = i + 2;
        while (end < sql.size() && IsNameChar(sql[end])) ++end;
        out->order.emplace_back(sql.substr(i + 1, end - i - 1));
        out->sql.push_back('?');
        i = end;
        continue;
      }
      // ":=", ":5", ": " and a final ':' stay as they are.
    }

    out->sql.push_back(c);
    ++i;
  }
  if (in_executable) {
    return absl::InvalidArgumentError("unterminated executable comment");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RewrittenSql> RewriteNamedParams(
    absl::string_view sql,
    const google::protobuf::Map<std::string, v1::Value>& named) {
  RewrittenSql result;
  ScanFacts facts;
  if (absl::Status s = Scan(sql, kDefaultMode, &result, &facts); !s.ok()) {
    return s;
  }
  if (facts.question_mark != kNpos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "? placeholder at offset ", facts.question_mark,
        " in a statement with named_params; use either ? with params or "
        ":name with named_params"));
  }

  // A backslash in a literal is the one thing sql_modes read differently.
  // If another mode reads different placeholders (a :name or a `?` live in
  // one reading and inside a literal in the other), a session in that mode
  // would bind values where this scan saw none. A mode under which the
  // statement does not scan at all is no risk: the server would reject the
  // statement as well.
  if (facts.quoted_backslash) {
    for (const QuoteRules& rules : {kAnsiQuotesMode, kNoBackslashEscapesMode}) {
      RewrittenSql other;
      ScanFacts other_facts;
      if (Scan(sql, rules, &other, &other_facts).ok() &&
          (other.sql != result.sql || other_facts.question_mark != kNpos)) {
        return absl::InvalidArgumentError(
            "a backslash in a quoted string makes the placeholders "
            "depend on sql_mode (NO_BACKSLASH_ESCAPES, ANSI_QUOTES); "
            "escape quotes by doubling them ('it''s')");
      }
    }
  }

  absl::flat_hash_set<absl::string_view> used;
  used.reserve(result.order.size());
  for (const std::string& name : result.order) {
    if (!named.contains(name)) {
      const absl::string_view hint =
          named.contains(absl::StrCat(":", name))
              ? " (its key must omit the colon)"
              : "";
      return absl::InvalidArgumentError(absl::StrCat(
          "placeholder :", name, " has no value in named_params", hint));
    }
    used.insert(name);
  }
  if (used.size() != named.size()) {
    // Report the smallest unused key, so the message does not depend on the
    // map's iteration order.
    const std::string* unused = nullptr;
    for (const auto& [key, value] : named) {
      if (!used.contains(key) && (unused == nullptr || key < *unused)) {
        unused = &key;
      }
    }
    if (absl::StartsWith(*unused, ":")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "named_params key \"", absl::CHexEscape(*unused),
          "\" starts with ':'; keys are names without the colon"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("named_params key \"", absl::CHexEscape(*unused),
                     "\" is not used by the statement"));
  }
  return result;
}

}  // namespace mysqlgw
