// SHA-256 of bearer tokens and the constant-time comparison of digests.
//
// The configuration stores only token hashes, so a leaked configuration does
// not leak tokens, and the gateway never keeps a token after hashing it.
#ifndef SERVER_AUTH_TOKEN_HASH_H_
#define SERVER_AUTH_TOKEN_HASH_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mysqlgw {

inline constexpr size_t kSha256Bytes = 32;

// The 32-byte digest (OpenSSL EVP).
std::string Sha256(absl::string_view data);

// 64 lower-case hex characters, as `sha256sum` prints.
std::string Sha256Hex(absl::string_view data);

// The 32-byte digest from its hex form (either case); nullopt when malformed.
std::optional<std::string> ParseSha256Hex(absl::string_view hex);

// Compares in time independent of where the inputs differ (CRYPTO_memcmp).
// Inputs of different lengths are unequal; lengths are not secret here.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace mysqlgw

#endif  // SERVER_AUTH_TOKEN_HASH_H_
