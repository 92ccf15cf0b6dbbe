// MariaDB's client_ed25519 authentication: the client signs the server's
// 32-byte nonce with an Ed25519 key derived from the password. The derivation
// differs from standard Ed25519 (whose secret is a 32-byte seed): the secret
// here is SHA-512 of the whole password, so the signature is computed with
// the Ed25519 group operations directly rather than a stock sign() call.
#ifndef MYSQLWIRE_PROTOCOL_ED25519_AUTH_H_
#define MYSQLWIRE_PROTOCOL_ED25519_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

// The 64-byte signature R || S of `nonce` under the password's key.
absl::StatusOr<std::string> Ed25519Sign(absl::string_view password, absl::string_view nonce);

// The 32-byte public key for `password`, as MariaDB stores it (base64) in
// mysql.global_priv: ED25519_PASSWORD('...') on the server.
absl::StatusOr<std::string> Ed25519PublicKey(absl::string_view password);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_ED25519_AUTH_H_
