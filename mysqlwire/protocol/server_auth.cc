#include "mysqlwire/protocol/server_auth.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/hash_util.h"

namespace mysqlwire {
namespace {

// Constant time, so a response cannot be guessed byte by byte.
bool SecureEqual(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsHexDigit(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::string GenerateNonce() {
  std::string nonce(kNonceSize, '\0');
  for (size_t i = 0; i < nonce.size();) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) continue;
    byte &= 0x7f;
    if (byte == 0 || byte == '$') continue;
    nonce[i++] = static_cast<char>(byte);
  }
  return nonce;
}

std::string ComputeNativePasswordHash(absl::string_view password) {
  return Sha1(Sha1(password));
}

std::string FormatNativePasswordHash(absl::string_view double_sha1) {
  return absl::StrCat("*", absl::AsciiStrToUpper(absl::BytesToHexString(double_sha1)));
}

absl::StatusOr<std::string> ParseNativePasswordHash(absl::string_view text) {
  if (text.empty()) return ComputeNativePasswordHash("");
  if (text.size() != 1 + 2 * kNativeHashSize || text[0] != '*') {
    return absl::InvalidArgumentError(
        "mysql_native_password hash must be '*' followed by 40 hex digits");
  }
  text.remove_prefix(1);
  for (char c : text) {
    if (!IsHexDigit(c)) {
      return absl::InvalidArgumentError(
          "mysql_native_password hash has a non-hex digit");
    }
  }
  return absl::HexStringToBytes(text);
}

bool VerifyNativePassword(absl::string_view stored_double_sha1,
                          absl::string_view nonce,
                          absl::string_view client_response) {
  if (stored_double_sha1.size() != kNativeHashSize) return false;
  if (client_response.empty()) {
    return SecureEqual(stored_double_sha1, ComputeNativePasswordHash(""));
  }
  if (client_response.size() != kNativeHashSize || nonce.size() < kNonceSize) {
    return false;
  }
  // The response is SHA1(pw) XOR SHA1(nonce + stored): undo the XOR and the
  // candidate SHA1(pw) must hash to the stored value.
  std::string stage1 =
      XorRepeat(client_response, Sha1(nonce.substr(0, kNonceSize), stored_double_sha1));
  return SecureEqual(Sha1(stage1), stored_double_sha1);
}

std::string ComputeCachingSha2Hash(absl::string_view password) {
  return Sha256(Sha256(password));
}

bool VerifyCachingSha2Scramble(absl::string_view stored_double_sha256,
                               absl::string_view nonce,
                               absl::string_view client_response) {
  if (stored_double_sha256.size() != kCachingSha2HashSize) return false;
  if (client_response.empty()) {
    return SecureEqual(stored_double_sha256, ComputeCachingSha2Hash(""));
  }
  if (client_response.size() != kCachingSha2HashSize || nonce.size() < kNonceSize) {
    return false;
  }
  std::string p1 = XorRepeat(client_response, Sha256(stored_double_sha256, nonce));
  return SecureEqual(Sha256(p1), stored_double_sha256);
}

absl::StatusOr<std::string> ParseClearTextPassword(absl::string_view response) {
  if (response.empty() || response.back() != '\0') {
    return ProtocolError("clear-text password is not NUL-terminated");
  }
  response.remove_suffix(1);
  return std::string(response);
}

bool VerifyPasswordAgainstNativeHash(absl::string_view stored_double_sha1,
                                     absl::string_view password) {
  return stored_double_sha1.size() == kNativeHashSize &&
         SecureEqual(ComputeNativePasswordHash(password), stored_double_sha1);
}

bool VerifyPasswordAgainstCachingSha2Hash(absl::string_view stored_double_sha256,
                                          absl::string_view password) {
  return stored_double_sha256.size() == kCachingSha2HashSize &&
         SecureEqual(ComputeCachingSha2Hash(password), stored_double_sha256);
}

struct RsaPasswordKey::Key {
  explicit Key(EVP_PKEY* k) : pkey(k) {}
  ~Key() { EVP_PKEY_free(pkey); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  EVP_PKEY* pkey;
};

absl::StatusOr<RsaPasswordKey> RsaPasswordKey::FromPrivateKeyPem(
    absl::string_view private_key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())),
      &BIO_free);
  if (!in) return absl::InternalError("BIO_new_mem_buf failed");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    // Leftover errors would be misread by later TLS calls on this thread.
    ERR_clear_error();
    return absl::InvalidArgumentError("cannot read the RSA private key PEM");
  }
  auto key = std::make_shared<const Key>(pkey);
  if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError("the private key is not an RSA key");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  if (!out || PEM_write_bio_PUBKEY(out.get(), pkey) != 1) {
    return absl::InternalError("cannot encode the RSA public key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return RsaPasswordKey(std::move(key), std::string(data, static_cast<size_t>(len)));
}

absl::StatusOr<std::string> RsaPasswordKey::DecryptPassword(
    absl::string_view ciphertext, absl::string_view nonce) const {
  if (nonce.size() < kNonceSize) {
    return ProtocolError("RSA password exchange with a short nonce");
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key_->pkey, nullptr), &EVP_PKEY_CTX_free);
  const auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
  size_t out_len = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &out_len, in, ciphertext.size()) <= 0) {
    ERR_clear_error();
    return ProtocolError("undecryptable RSA-encrypted password");
  }
  std::string plain(out_len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()),
                       &out_len, in, ciphertext.size()) <= 0) {
    ERR_clear_error();
    return ProtocolError("undecryptable RSA-encrypted password");
  }
  plain.resize(out_len);
  plain = XorRepeat(plain, nonce.substr(0, kNonceSize));
  return ParseClearTextPassword(plain);
}

absl::StatusOr<std::string> DecryptRsaPassword(absl::string_view ciphertext,
                                               absl::string_view nonce,
                                               absl::string_view private_key_pem) {
  absl::StatusOr<RsaPasswordKey> key = RsaPasswordKey::FromPrivateKeyPem(private_key_pem);
  if (!key.ok()) return key.status();
  return key->DecryptPassword(ciphertext, nonce);
}

std::string SerializeAuthMoreData(absl::string_view data) {
  std::string out(1, static_cast<char>(0x01));
  out.append(data.data(), data.size());
  return out;
}

}  // namespace mysqlwire
