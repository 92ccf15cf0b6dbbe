#include "mysqlwire/protocol/ed25519_auth.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <cstring>

namespace mysqlwire {
namespace {

using Bytes64 = std::array<unsigned char, 64>;
using Bytes32 = std::array<unsigned char, 32>;

Bytes64 Sha512(std::initializer_list<absl::string_view> parts) {
  Bytes64 out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr);
  for (absl::string_view p : parts) EVP_DigestUpdate(ctx, p.data(), p.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

absl::string_view View(const unsigned char* p, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(p), n);
}

// The clamped secret scalar a (first half of SHA-512(password)) and the
// nonce prefix (second half), as in ref10's crypto_sign.
struct SecretKey {
  Bytes32 scalar;
  Bytes32 prefix;
  Bytes32 public_key;
};

absl::StatusOr<SecretKey> Derive(absl::string_view password) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  Bytes64 az = Sha512({password});
  az[0] &= 248;
  az[31] &= 63;
  az[31] |= 64;
  SecretKey key;
  std::memcpy(key.scalar.data(), az.data(), 32);
  std::memcpy(key.prefix.data(), az.data() + 32, 32);
  if (crypto_scalarmult_ed25519_base_noclamp(key.public_key.data(), key.scalar.data()) != 0) {
    return absl::InternalError("ed25519: bad secret scalar");
  }
  return key;
}

Bytes32 Reduce(const Bytes64& wide) {
  Bytes32 out{};
  crypto_core_ed25519_scalar_reduce(out.data(), wide.data());
  return out;
}

}  // namespace

absl::StatusOr<std::string> Ed25519PublicKey(absl::string_view password) {
  absl::StatusOr<SecretKey> key = Derive(password);
  if (!key.ok()) return key.status();
  return std::string(View(key->public_key.data(), 32));
}

absl::StatusOr<std::string> Ed25519Sign(absl::string_view password, absl::string_view nonce) {
  absl::StatusOr<SecretKey> key = Derive(password);
  if (!key.ok()) return key.status();
  // r = H(prefix || M) mod L;  R = rB
  Bytes32 r = Reduce(Sha512({View(key->prefix.data(), 32), nonce}));
  Bytes32 big_r{};
  if (crypto_scalarmult_ed25519_base_noclamp(big_r.data(), r.data()) != 0) {
    return absl::InternalError("ed25519: nonce scalar is zero");
  }
  // S = (H(R || A || M) * a + r) mod L
  Bytes32 k = Reduce(Sha512({View(big_r.data(), 32), View(key->public_key.data(), 32), nonce}));
  Bytes64 wide_a{};
  std::memcpy(wide_a.data(), key->scalar.data(), 32);
  Bytes32 a = Reduce(wide_a);
  Bytes32 ka{}, s{};
  crypto_core_ed25519_scalar_mul(ka.data(), k.data(), a.data());
  crypto_core_ed25519_scalar_add(s.data(), ka.data(), r.data());
  std::string signature(View(big_r.data(), 32));
  signature.append(reinterpret_cast<const char*>(s.data()), 32);
  return signature;
}

}  // namespace mysqlwire
