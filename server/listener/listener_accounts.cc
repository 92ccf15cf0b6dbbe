#include "server/listener/listener_accounts.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/server_auth.h"

namespace mysqlgw {
namespace {

bool IsHex(const std::string& s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

const std::string& MySqlUserOf(const v1::PrincipalConfig& principal) {
  return principal.mysql_user().empty() ? principal.name() : principal.mysql_user();
}

bool HasMySqlCredentials(const v1::PrincipalConfig& principal) {
  return !principal.mysql_native_password_hash().empty() ||
         !principal.mysql_caching_sha2_password_hash().empty();
}

absl::StatusOr<ListenerAccounts> ListenerAccounts::Create(const v1::AuthConfig& auth) {
  ListenerAccounts out;
  for (const v1::PrincipalConfig& config : auth.principals()) {
    if (!HasMySqlCredentials(config)) continue;
    const std::string& user = MySqlUserOf(config);
    Account account;
    if (!config.mysql_native_password_hash().empty()) {
      absl::StatusOr<std::string> hash =
          mysqlwire::ParseNativePasswordHash(config.mysql_native_password_hash());
      if (!hash.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "principal '", config.name(), "': mysql_native_password_hash: ", hash.status().message()));
      }
      account.credentials.native_password_hash = *std::move(hash);
    }
    if (const std::string& hex = config.mysql_caching_sha2_password_hash(); !hex.empty()) {
      if (hex.size() != 2 * mysqlwire::kCachingSha2HashSize || !IsHex(hex)) {
        return absl::InvalidArgumentError(
            absl::StrCat("principal '", config.name(),
                         "': mysql_caching_sha2_password_hash must be 64 hex digits"));
      }
      account.credentials.caching_sha2_hash = absl::HexStringToBytes(hex);
    }
    account.principal = std::make_shared<const Principal>(Principal::FromConfig(config));
    if (!out.accounts_.emplace(user, std::move(account)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("MySQL user '", user, "' belongs to two principals"));
    }
  }
  return out;
}

absl::StatusOr<mysqlwire::Credentials> ListenerAccounts::Lookup(const std::string& user) const {
  auto it = accounts_.find(user);
  if (it == accounts_.end()) return absl::NotFoundError(absl::StrCat("no MySQL account '", user, "'"));
  return it->second.credentials;
}

std::shared_ptr<const Principal> ListenerAccounts::PrincipalOf(const std::string& user) const {
  auto it = accounts_.find(user);
  return it == accounts_.end() ? nullptr : it->second.principal;
}

}  // namespace mysqlgw
