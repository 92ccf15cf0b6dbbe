#include "server/gateway/database_access.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/sql/tokenizer.h"

namespace mysqlgw {

std::string UseTarget(absl::string_view sql) {
  Tokenizer tokenizer(sql);
  Token token;
  if (!tokenizer.NextSignificant(token) || token.kind != TokenKind::kWord ||
      !absl::EqualsIgnoreCase(token.Text(sql), "USE")) {
    return "";
  }
  if (!tokenizer.NextSignificant(token)) return "";
  absl::string_view text = token.Text(sql);
  if (token.kind == TokenKind::kWord) return std::string(text);
  if (token.kind == TokenKind::kQuotedIdentifier && !token.unterminated && text.size() >= 2) {
    const char q = text.front();
    const std::string doubled(2, q);
    return absl::StrReplaceAll(text.substr(1, text.size() - 2), {{doubled, std::string(1, q)}});
  }
  return "";
}

absl::Status CheckNamedDatabases(const Principal& principal, v1::Operation op,
                                 const StatementContext& ctx) {
  if (principal.all_databases) return absl::OkStatus();
  auto check = [&](const std::string& database) -> absl::Status {
    if (database.empty() || principal.AllowsDatabase(database)) return absl::OkStatus();
    if (op == v1::OPERATION_READ && absl::EqualsIgnoreCase(database, "information_schema")) {
      return absl::OkStatus();
    }
    return Authorize(principal, op, database);
  };
  if (ctx.kind == StatementKind::kUse) {
    const std::string target = UseTarget(ctx.sql);
    if (target.empty()) {
      return absl::PermissionDeniedError("cannot tell which database this USE selects");
    }
    if (absl::Status s = check(target); !s.ok()) return s;
  }
  for (const TableName& table : ctx.tables) {
    if (absl::Status s = check(table.database); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace mysqlgw
