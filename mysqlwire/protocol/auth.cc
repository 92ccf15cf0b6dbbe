#include "mysqlwire/protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "mysqlwire/error.h"
#include "mysqlwire/protocol/hash_util.h"

namespace mysqlwire {

std::string NativePasswordScramble(absl::string_view password,
                                   absl::string_view nonce) {
  if (password.empty()) return "";
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  return XorRepeat(stage1, Sha1(nonce.substr(0, 20), stage2));
}

std::string CachingSha2Scramble(absl::string_view password,
                                absl::string_view nonce) {
  if (password.empty()) return "";
  std::string p1 = Sha256(password);
  std::string p2 = Sha256(p1);
  return XorRepeat(p1, Sha256(p2, nonce.substr(0, 20)));
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
  plain = XorRepeat(plain, nonce.substr(0, 20));

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
