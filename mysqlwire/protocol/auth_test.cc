#include "mysqlwire/protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace mysqlwire {
namespace {

// Expected values computed independently with Python's hashlib.
const std::string kNonce =
    absl::HexStringToBytes("2f73777c29534a554d632a455c233521467b592e");

TEST(AuthTest, NativePasswordScramble) {
  EXPECT_EQ(absl::BytesToHexString(NativePasswordScramble("secret", kNonce)),
            "42c7b2e26680c5036e6b9965f19fce93fc7b6532");
  EXPECT_EQ(NativePasswordScramble("", kNonce), "");
  // A trailing NUL some servers append to the nonce is ignored.
  EXPECT_EQ(NativePasswordScramble("secret", kNonce + std::string(1, '\0')),
            NativePasswordScramble("secret", kNonce));
}

TEST(AuthTest, CachingSha2Scramble) {
  EXPECT_EQ(absl::BytesToHexString(CachingSha2Scramble("secret", kNonce)),
            "61983bbf7a73d049ee9982f96e7c8a6504990f1a7249da4ba2f61374bda8b033");
  EXPECT_EQ(CachingSha2Scramble("", kNonce), "");
}

TEST(AuthTest, RsaEncryptedPasswordDecryptsBack) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_RSA_gen(2048), &EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), key.get()), 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, len);

  auto cipher = RsaEncryptPassword("pässword", kNonce, pem);
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  EXPECT_EQ(cipher->size(), 256u);

  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.get(), nullptr), &EVP_PKEY_CTX_free);
  ASSERT_GT(EVP_PKEY_decrypt_init(ctx.get()), 0);
  ASSERT_GT(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING), 0);
  size_t out_len = 512;
  std::string plain(out_len, '\0');
  ASSERT_GT(EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()),
                             &out_len, reinterpret_cast<const unsigned char*>(cipher->data()),
                             cipher->size()),
            0);
  plain.resize(out_len);
  std::string expected = std::string("pässword") + '\0';
  for (size_t i = 0; i < plain.size(); ++i) plain[i] ^= kNonce[i % 20];
  EXPECT_EQ(plain, expected);
}

TEST(AuthTest, RsaRejectsGarbageKey) {
  EXPECT_FALSE(RsaEncryptPassword("pw", kNonce, "not a key").ok());
  EXPECT_FALSE(RsaEncryptPassword("pw", "", "not a key").ok());
}

}  // namespace
}  // namespace mysqlwire
