// Server-side computations of mysql_native_password and
// caching_sha2_password: the stored password hashes, verification of the
// client's scrambles, and the RSA key exchange of caching_sha2_password's full
// authentication. Pure functions (plus an immutable key object); the exchange
// itself lives in mysqlwire/server.
//
// Stored hashes follow what a client can be checked against without the
// password:
//   native:       SHA1(SHA1(password))        20 bytes ("*HEX40" in mysql.user)
//   caching_sha2: SHA256(SHA256(password))    32 bytes (the server's fast-auth
//                                             cache entry)
// The empty password has a hash like any other; a client with an empty
// password sends an empty response, which matches only that hash.
#ifndef MYSQLWIRE_PROTOCOL_SERVER_AUTH_H_
#define MYSQLWIRE_PROTOCOL_SERVER_AUTH_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire {

inline constexpr size_t kNonceSize = 20;
inline constexpr size_t kNativeHashSize = 20;
inline constexpr size_t kCachingSha2HashSize = 32;

// 20 random bytes for a handshake or auth switch. Never NUL (old clients read
// the nonce as a C string) and never '$' (MySQL's own generator avoids it).
std::string GenerateNonce();

// SHA1(SHA1(password)).
std::string ComputeNativePasswordHash(absl::string_view password);
// MySQL's text form: '*' and 40 upper-case hex digits.
std::string FormatNativePasswordHash(absl::string_view double_sha1);
// Accepts "*" + 40 hex digits (either case) and returns the 20 bytes. The
// empty string, which mysql.user holds for an account without a password, is
// the hash of the empty password.
absl::StatusOr<std::string> ParseNativePasswordHash(absl::string_view text);

// Checks a mysql_native_password response:
//   response == SHA1(pw) XOR SHA1(nonce[0..20] + stored)
// where SHA1(response XOR SHA1(nonce + stored)) must equal stored. Only the
// first 20 nonce bytes count (clients get them plus a trailing NUL).
bool VerifyNativePassword(absl::string_view stored_double_sha1,
                          absl::string_view nonce,
                          absl::string_view client_response);

// SHA256(SHA256(password)).
std::string ComputeCachingSha2Hash(absl::string_view password);

// Checks caching_sha2_password's fast-path scramble:
//   response == SHA256(pw) XOR SHA256(stored + nonce)
// Unlike the native check, the nonce is used exactly as given (at least 20
// bytes): clients hash the 20 nonce bytes, except PyMySQL before 1.1, which
// after an auth switch hashes the switch data with its trailing NUL; a server
// can try both.
bool VerifyCachingSha2Scramble(absl::string_view stored_double_sha256,
                               absl::string_view nonce,
                               absl::string_view client_response);

// Full authentication over TLS: the client sends the password followed by one
// NUL. Returns the password, or a protocol error when the NUL is missing.
absl::StatusOr<std::string> ParseClearTextPassword(absl::string_view response);

// Full authentication delivers the clear password; these check it against
// whichever stored hash the account has.
bool VerifyPasswordAgainstNativeHash(absl::string_view stored_double_sha1,
                                     absl::string_view password);
bool VerifyPasswordAgainstCachingSha2Hash(absl::string_view stored_double_sha256,
                                          absl::string_view password);

// An RSA private key for caching_sha2_password's key exchange over plain TCP.
// Parsed once; immutable and safe to share between connections and threads.
class RsaPasswordKey {
 public:
  // From a PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8).
  static absl::StatusOr<RsaPasswordKey> FromPrivateKeyPem(
      absl::string_view private_key_pem);

  // The SubjectPublicKeyInfo PEM the server sends when the client asks for
  // it (AuthMoreData after the client's 0x02).
  const std::string& public_key_pem() const { return public_key_pem_; }

  // Decrypts RSA-OAEP (SHA-1) `ciphertext` and undoes the XOR with the nonce
  // (its first 20 bytes, repeated). The result must end in NUL, which is
  // dropped. Any failure is a protocol error that does not reveal which step
  // failed.
  absl::StatusOr<std::string> DecryptPassword(absl::string_view ciphertext,
                                              absl::string_view nonce) const;

 private:
  struct Key;
  explicit RsaPasswordKey(std::shared_ptr<const Key> key, std::string pem)
      : key_(std::move(key)), public_key_pem_(std::move(pem)) {}

  std::shared_ptr<const Key> key_;
  std::string public_key_pem_;
};

// One-shot form of RsaPasswordKey::DecryptPassword.
absl::StatusOr<std::string> DecryptRsaPassword(absl::string_view ciphertext,
                                               absl::string_view nonce,
                                               absl::string_view private_key_pem);

// AuthMoreData: int<1> 0x01 | string<EOF> data. The parser is in handshake.h.
std::string SerializeAuthMoreData(absl::string_view data);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_SERVER_AUTH_H_
