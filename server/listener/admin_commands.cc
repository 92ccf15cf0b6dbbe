#include "server/listener/admin_commands.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mysqlwire/protocol/column_type.h"

namespace mysqlgw {
namespace {

constexpr uint16_t kUtf8mb4GeneralCi = 45;

mysqlwire::ColumnDefinition TextColumn(std::string name, uint32_t length) {
  mysqlwire::ColumnDefinition c;
  c.catalog = "def";
  c.name = name;
  c.org_name = std::move(name);
  c.character_set = kUtf8mb4GeneralCi;
  c.column_length = length * 4;
  c.type = mysqlwire::ColumnType::kVarString;
  c.flags = mysqlwire::kNotNullFlag;
  return c;
}

}  // namespace

std::optional<AdminCommand> ParseAdminCommand(absl::string_view sql) {
  absl::string_view text = absl::StripAsciiWhitespace(sql);
  if (absl::ConsumeSuffix(&text, ";")) text = absl::StripAsciiWhitespace(text);
  // Cheap rejection: almost every statement fails here.
  if (text.size() < 4 || !absl::EqualsIgnoreCase(text.substr(0, 4), "show")) return std::nullopt;
  const std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (words.size() != 3 || !absl::EqualsIgnoreCase(words[0], "show") ||
      !absl::EqualsIgnoreCase(words[1], "mysqlgw")) {
    return std::nullopt;
  }
  if (absl::EqualsIgnoreCase(words[2], "status")) return AdminCommand::kStatus;
  if (absl::EqualsIgnoreCase(words[2], "rules")) return AdminCommand::kRules;
  return std::nullopt;
}

std::optional<KillCommand> ParseKillCommand(absl::string_view sql) {
  absl::string_view text = absl::StripAsciiWhitespace(sql);
  if (absl::ConsumeSuffix(&text, ";")) text = absl::StripAsciiWhitespace(text);
  if (text.size() < 4 || !absl::EqualsIgnoreCase(text.substr(0, 4), "kill")) return std::nullopt;
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (words.empty() || !absl::EqualsIgnoreCase(words[0], "kill")) return std::nullopt;
  size_t i = 1;
  if (i < words.size() && (absl::EqualsIgnoreCase(words[i], "hard") ||
                           absl::EqualsIgnoreCase(words[i], "soft"))) {
    ++i;
  }
  KillCommand kill;
  if (i < words.size() && absl::EqualsIgnoreCase(words[i], "connection")) {
    ++i;
  } else if (i < words.size() && absl::EqualsIgnoreCase(words[i], "query")) {
    kill.query_only = true;
    ++i;
  }
  // Exactly one number must remain (KILL QUERY ID n and KILL USER u are
  // other statements).
  if (i + 1 != words.size() || !absl::SimpleAtoi(words[i], &kill.connection_id)) {
    return std::nullopt;
  }
  return kill;
}

AdminResult NameValueResult(const std::vector<std::pair<std::string, std::string>>& variables) {
  AdminResult out;
  out.columns = {TextColumn("Variable_name", 64), TextColumn("Value", 2048)};
  for (const auto& [name, value] : variables) {
    out.rows.push_back({mysqlwire::Value::String(name), mysqlwire::Value::String(value)});
  }
  return out;
}

AdminResult RulesResult(const std::vector<std::pair<std::string, uint64_t>>& rules) {
  AdminResult out;
  out.columns = {TextColumn("Rule", 256), TextColumn("Matches", 20)};
  out.columns[1].type = mysqlwire::ColumnType::kLongLong;
  out.columns[1].character_set = mysqlwire::kBinaryCollation;
  out.columns[1].column_length = 20;
  out.columns[1].flags |= mysqlwire::kUnsignedFlag | mysqlwire::kBinaryFlag;
  for (const auto& [name, matches] : rules) {
    out.rows.push_back({mysqlwire::Value::String(name), mysqlwire::Value::Uint64(matches)});
  }
  return out;
}

}  // namespace mysqlgw
