#include "server/gateway/session_effect.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {
namespace {

struct Tok {
  TokenKind kind;
  absl::string_view text;
  bool Is(absl::string_view word) const {
    return kind == TokenKind::kWord && absl::EqualsIgnoreCase(text, word);
  }
  bool IsOp(absl::string_view op) const { return kind == TokenKind::kOperator && text == op; }
  bool IsLiteral() const {
    return kind == TokenKind::kString || kind == TokenKind::kNumber ||
           kind == TokenKind::kHexNumber || kind == TokenKind::kBitNumber;
  }
};

// Variables a client may set and a new connection can be given again.
// Anything else in a SET (a variable we do not know, an expression) pins.
bool IsReplayableVariable(absl::string_view name) {
  static constexpr absl::string_view kNames[] = {
      "autocommit", "sql_mode", "time_zone", "character_set_client",
      "character_set_results", "character_set_connection", "collation_connection",
      "names", "net_write_timeout", "net_read_timeout", "wait_timeout",
      "interactive_timeout", "sql_select_limit", "max_execution_time", "max_statement_time",
      "transaction_isolation", "tx_isolation", "transaction_read_only", "tx_read_only",
      "lc_time_names", "group_concat_max_len", "sql_auto_is_null", "sql_safe_updates",
      "foreign_key_checks", "unique_checks", "sql_quote_show_create", "div_precision_increment",
      "default_week_format", "big_tables", "sql_big_selects", "innodb_lock_wait_timeout",
      "lock_wait_timeout", "session_track_schema", "session_track_state_change",
      "session_track_system_variables", "session_track_transaction_info",
  };
  for (absl::string_view n : kNames) {
    if (absl::EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// One statement's significant tokens.
SessionEffect ClassifyOne(const std::vector<Tok>& t) {
  SessionEffect e;
  if (t.empty()) return e;
  for (size_t i = 0; i < t.size(); ++i) {
    // @x := ..., SELECT ... INTO @x, and any SET @x below.
    if (t[i].kind == TokenKind::kUserVariable) {
      const bool assigned = (i + 1 < t.size() && (t[i + 1].IsOp(":=") ||
                                                   (t[0].Is("SET") && t[i + 1].IsOp("=")))) ||
                            (i > 0 && t[i - 1].Is("INTO"));
      if (assigned) e.pins |= kPinUserVariables;
    }
    if (t[i].Is("GET_LOCK") && i + 1 < t.size() && t[i + 1].IsOp("(")) e.pins |= kPinLocks;
  }
  const Tok& first = t[0];
  auto at = [&t](size_t i, absl::string_view word) { return i < t.size() && t[i].Is(word); };
  if (first.Is("CREATE") && at(1, "TEMPORARY")) e.pins |= kPinTemporaryTables;
  if (first.Is("LOCK") && (at(1, "TABLES") || at(1, "TABLE"))) e.pins |= kPinLocks;
  if (first.Is("FLUSH") && t.back().Is("LOCK")) {
    e.pins |= kPinLocks;
  }
  if (first.Is("UNLOCK") && (at(1, "TABLES") || at(1, "TABLE"))) e.unpins |= kPinLocks;
  if (first.Is("PREPARE")) e.pins |= kPinPreparedStatements;
  if (first.Is("HANDLER")) e.pins |= kPinSessionState;
  if (first.Is("SET")) {
    // Replayable: SET [SESSION|LOCAL|@@session.|@@] var = literal [, ...],
    // SET NAMES x [COLLATE y], SET CHARACTER SET x. SET TRANSACTION applies
    // to the next transaction only, so replaying it would apply it to a
    // later one: it pins instead.
    if (at(1, "TRANSACTION")) {
      e.pins |= kPinSessionState;
      return e;
    }
    if (at(1, "NAMES") || (at(1, "CHARACTER") && at(2, "SET"))) {
      e.replayable = true;
      for (size_t i = 2; i < t.size(); ++i) {
        if (!(t[i].kind == TokenKind::kWord || t[i].kind == TokenKind::kString ||
              t[i].kind == TokenKind::kQuotedIdentifier)) {
          e.replayable = false;
        }
      }
      if (!e.replayable) e.pins |= kPinSessionState;
      return e;
    }
    if (e.pins & kPinUserVariables) return e;
    // Assignments separated by ',': name = value, value a single literal or
    // word (ON, DEFAULT, 'TRADITIONAL', 0, ...).
    size_t i = 1;
    bool ok = t.size() > 1;
    bool autocommit_off = false, autocommit_on = false;
    while (i < t.size() && ok) {
      if (t[i].Is("SESSION") || t[i].Is("LOCAL")) ++i;
      if (i >= t.size()) {
        ok = false;
        break;
      }
      absl::string_view name = t[i].text;
      if (t[i].kind == TokenKind::kSystemVariable) {
        name = name.substr(2);
        if (absl::StartsWithIgnoreCase(name, "session.")) {
          name.remove_prefix(8);
        } else if (absl::StartsWithIgnoreCase(name, "local.")) {
          name.remove_prefix(6);
        } else if (name.find('.') != absl::string_view::npos) {
          ok = false;  // @@global.x: not ours to replay (and ADMIN anyway).
          break;
        }
      } else if (t[i].kind != TokenKind::kWord) {
        ok = false;
        break;
      }
      if (!IsReplayableVariable(name) || i + 2 >= t.size() ||
          !(t[i + 1].IsOp("=") || t[i + 1].IsOp(":="))) {
        ok = false;
        break;
      }
      const Tok& value = t[i + 2];
      if (!(value.IsLiteral() || value.kind == TokenKind::kWord)) {
        ok = false;
        break;
      }
      if (absl::EqualsIgnoreCase(name, "autocommit")) {
        const bool off = value.text == "0" || value.Is("OFF") || value.Is("FALSE");
        (off ? autocommit_off : autocommit_on) = true;
      }
      i += 3;
      if (i < t.size()) {
        if (!t[i].IsOp(",")) ok = false;
        ++i;
      }
    }
    if (!ok) {
      e.pins |= kPinSessionState;
      return e;
    }
    // autocommit=0 opens an implicit transaction at the next statement:
    // the session must keep its connection until autocommit is back on.
    if (autocommit_off) {
      e.pins |= kPinTransaction;
    } else {
      e.replayable = true;
      if (autocommit_on) e.unpins |= kPinTransaction;
    }
  }
  // DEALLOCATE PREPARE does not unpin: other prepared statements may remain.
  return e;
}

}  // namespace

absl::string_view PinReasonName(uint32_t reason) {
  switch (reason) {
    case kPinTransaction:
      return "transaction";
    case kPinUserVariables:
      return "user_variables";
    case kPinTemporaryTables:
      return "temporary_tables";
    case kPinLocks:
      return "locks";
    case kPinPreparedStatements:
      return "prepared_statements";
    case kPinSessionState:
      return "session_state";
    default:
      return "";
  }
}

SessionEffect ClassifySessionEffect(absl::string_view sql) {
  SessionEffect total;
  std::vector<Tok> tokens;
  bool all_replayable = true;
  bool any = false;
  Tokenizer tokenizer(sql);
  Token token;
  auto flush = [&] {
    if (tokens.empty()) return;
    any = true;
    SessionEffect e = ClassifyOne(tokens);
    total.pins |= e.pins;
    total.unpins |= e.unpins;
    all_replayable = all_replayable && e.replayable;
    tokens.clear();
  };
  while (tokenizer.NextSignificant(token)) {
    if (token.kind == TokenKind::kSemicolon) {
      flush();
      continue;
    }
    tokens.push_back({token.kind, token.Text(sql)});
  }
  flush();
  total.replayable = any && all_replayable && total.pins == 0;
  // What one statement pins, a later one in the same text cannot unpin
  // with certainty.
  total.unpins &= ~total.pins;
  return total;
}

}  // namespace mysqlgw
