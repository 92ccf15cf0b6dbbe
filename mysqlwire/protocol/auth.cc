#include "mysqlwire/protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "mysqlwire/error.h"

namespace mysqlwire {
namespace {

// Digest of the concatenation a + b.
std::string Digest(const EVP_MD* md, absl::string_view a, absl::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  EVP_DigestUpdate(ctx.get(), a.data(), a.size());
  EVP_DigestUpdate(ctx.get(), b.data(), b.size());
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha1(absl::string_view a, absl::string_view b = {}) {
  return Digest(EVP_sha1(), a, b);
}

std::string Sha256(absl::string_view a, absl::string_view b = {}) {
  return Digest(EVP_sha256(), a, b);
}

std::string Xor(absl::string_view a, absl::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size(); ++i) out[i] ^= b[i % b.size()];
  return out;
}

}  // namespace

std::string NativePasswordScramble(absl::string_view password,
                                   absl::string_view nonce) {
  if (password.empty()) return "";
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  return Xor(stage1, Sha1(nonce.substr(0, 20), stage2));
}

std::string CachingSha2Scramble(absl::string_view password,
                                absl::string_view nonce) {
  if (password.empty()) return "";
  std::string p1 = Sha256(password);
  std::string p2 = Sha256(p1);
  return Xor(p1, Sha256(p2, nonce.substr(0, 20)));
}

absl::StatusOr<std::string> RsaEncryptPassword(absl::string_view password,
                                               absl::string_view nonce,
                                               absl::string_view public_key_pem) {
  if (nonce.empty()) return ProtocolError("RSA password exchange without a nonce");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())),
      &BIO_free);
  if (!bio) return absl::InternalError("BIO_new_mem_buf failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key) return ProtocolError("server sent an unreadable RSA public key");

  std::string plain(password);
  plain.push_back('\0');
  plain = Xor(plain, nonce.substr(0, 20));

  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
  size_t out_len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &out_len,
                       reinterpret_cast<const unsigned char*>(plain.data()),
                       plain.size()) <= 0) {
    return absl::InvalidArgumentError(
        "RSA encryption of the password failed (key too small for it?)");
  }
  std::string out(out_len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                       &out_len,
                       reinterpret_cast<const unsigned char*>(plain.data()),
                       plain.size()) <= 0) {
    return absl::InvalidArgumentError("RSA encryption of the password failed");
  }
  out.resize(out_len);
  return out;
}

}  // namespace mysqlwire
