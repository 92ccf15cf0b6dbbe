// Client-side computations of the authentication plugins. Pure functions:
// the exchange itself (which packet when) lives in the connection.
#ifndef MYSQLWIRE_PROTOCOL_AUTH_H_
#define MYSQLWIRE_PROTOCOL_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

inline constexpr absl::string_view kNativePasswordPlugin = "mysql_native_password";
inline constexpr absl::string_view kCachingSha2Plugin = "caching_sha2_password";
inline constexpr absl::string_view kSha256Plugin = "sha256_password";
inline constexpr absl::string_view kClearPasswordPlugin = "mysql_clear_password";
inline constexpr absl::string_view kEd25519Plugin = "client_ed25519";

// mysql_native_password: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))).
// Empty for an empty password. Only the first 20 bytes of nonce are used.
std::string NativePasswordScramble(absl::string_view password,
                                   absl::string_view nonce);

// caching_sha2_password fast path:
// SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce).
std::string CachingSha2Scramble(absl::string_view password,
                                absl::string_view nonce);

// caching_sha2_password / sha256_password full authentication without TLS:
// (password + NUL) XOR nonce (repeated), encrypted with RSA-OAEP under the
// server's PEM public key.
absl::StatusOr<std::string> RsaEncryptPassword(absl::string_view password,
                                               absl::string_view nonce,
                                               absl::string_view public_key_pem);

// Bytes of caching_sha2_password's AuthMoreData during the exchange.
inline constexpr char kCachingSha2FastAuthOk = 0x03;
inline constexpr char kCachingSha2PerformFullAuth = 0x04;
inline constexpr char kCachingSha2RequestPublicKey = 0x02;

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_AUTH_H_
