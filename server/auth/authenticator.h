// Bearer-token authentication of gRPC calls.
//
// A call carries "authorization: Bearer <token>". The token is hashed with
// SHA-256 and looked up among the principals' token_sha256 entries; several
// hashes per principal allow rotating a token without downtime. The token is
// never stored, logged, or echoed in an error.
//
// Lookup is O(1): a hash map keyed by the first 8 bytes of the digest, then
// a constant-time comparison (CRYPTO_memcmp) of the whole digest against each
// entry in that bucket. The map's own key comparison therefore only sees a
// prefix of a SHA-256 output, which a caller cannot steer towards a
// configured hash, so its timing tells nothing about valid tokens.
//
// Reload() swaps in the principals of a new configuration atomically (a
// configuration reload revokes a removed token for the next call); calls
// already authenticated keep the principal they got.
#ifndef SERVER_AUTH_AUTHENTICATOR_H_
#define SERVER_AUTH_AUTHENTICATOR_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"
#include "server/auth/principal.h"

namespace mysqlgw {

class Authenticator {
 public:
  // Compares two 32-byte digests; must run in constant time.
  using DigestEquals = std::function<bool(absl::string_view, absl::string_view)>;

  // `config` should have passed ValidateConfig; malformed hashes are skipped.
  explicit Authenticator(const v1::AuthConfig& config);
  // For tests: observes the digest comparison.
  Authenticator(const v1::AuthConfig& config, DigestEquals digest_equals);

  // `authorization_header` is the value of the "authorization" metadata, or
  // nullopt when the call has none. Results:
  //  - no header: the anonymous principal when allow_anonymous names one,
  //    else UNAUTHENTICATED "missing bearer token";
  //  - not "Bearer <token>" (another scheme, no token, spaces or control
  //    characters in it, over 4 KiB): UNAUTHENTICATED; never anonymous;
  //  - a token matching no hash: UNAUTHENTICATED "invalid token".
  absl::StatusOr<std::shared_ptr<const Principal>> Authenticate(
      std::optional<absl::string_view> authorization_header) const;

  // By name, e.g. for the anonymous principal; null when unknown.
  std::shared_ptr<const Principal> FindPrincipal(absl::string_view name) const;

  // Replaces every principal and token with those of `config` (which should
  // have passed ValidateConfig). Any thread.
  void Reload(const v1::AuthConfig& config);

 private:
  struct Entry {
    std::string digest;  // 32 bytes.
    std::shared_ptr<const Principal> principal;
  };
  // Everything one configuration defines; immutable once built.
  struct Tables {
    absl::flat_hash_map<uint64_t, std::vector<Entry>> by_digest_prefix;
    absl::flat_hash_map<std::string, std::shared_ptr<const Principal>> by_name;
    std::shared_ptr<const Principal> anonymous;  // Null unless allowed.
  };

  static uint64_t BucketOf(absl::string_view digest);
  static std::shared_ptr<const Tables> Build(const v1::AuthConfig& config);

  DigestEquals digest_equals_;
  std::atomic<std::shared_ptr<const Tables>> tables_;
};

}  // namespace mysqlgw

#endif  // SERVER_AUTH_AUTHENTICATOR_H_
