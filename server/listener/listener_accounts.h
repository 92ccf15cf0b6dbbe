// The accounts that may log in on the MySQL-protocol listener: principals of
// the configuration with a MySQL password hash, by MySQL user name (the
// principal's mysql_user, else its name). A principal without a hash has no
// account here: it keeps its gRPC tokens but cannot log in with MySQL.
//
// Immutable after creation, so the handshake's credential lookup may run on
// any event loop without locks.
#ifndef SERVER_LISTENER_LISTENER_ACCOUNTS_H_
#define SERVER_LISTENER_LISTENER_ACCOUNTS_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "mysqlgw/v1/config.pb.h"
#include "mysqlwire/server/server_connection.h"
#include "server/auth/principal.h"

namespace mysqlgw {

class ListenerAccounts {
 public:
  // INVALID_ARGUMENT for a malformed hash or a user name given twice
  // (ValidateConfig reports the same earlier).
  static absl::StatusOr<ListenerAccounts> Create(const v1::AuthConfig& auth);

  // For ServerHandshakeOptions::lookup: NOT_FOUND for an unknown user.
  absl::StatusOr<mysqlwire::Credentials> Lookup(const std::string& user) const;
  // Null for an unknown user.
  std::shared_ptr<const Principal> PrincipalOf(const std::string& user) const;
  size_t size() const { return accounts_.size(); }

 private:
  struct Account {
    mysqlwire::Credentials credentials;
    std::shared_ptr<const Principal> principal;
  };
  absl::flat_hash_map<std::string, Account> accounts_;
};

// The MySQL user name of a principal: mysql_user, else its name.
const std::string& MySqlUserOf(const v1::PrincipalConfig& principal);
// Whether the principal can log in on the listener at all.
bool HasMySqlCredentials(const v1::PrincipalConfig& principal);

}  // namespace mysqlgw

#endif  // SERVER_LISTENER_LISTENER_ACCOUNTS_H_
