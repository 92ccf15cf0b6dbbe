#include "mysqlwire/protocol/ed25519_auth.h"

#include <sodium.h>

#include <string>

#include "gtest/gtest.h"

namespace mysqlwire {
namespace {

// The signature must verify as a standard Ed25519 signature under the
// derived public key (the server runs exactly this check).
TEST(Ed25519AuthTest, SignatureVerifiesUnderDerivedKey) {
  for (const std::string& password : {std::string("secret"), std::string(""),
                                     std::string(300, 'p'), std::string("p\xc3\xa4ss\0x", 7)}) {
    const std::string nonce = "0123456789abcdef0123456789ABCDEF";
    auto sig = Ed25519Sign(password, nonce);
    ASSERT_TRUE(sig.ok()) << sig.status();
    ASSERT_EQ(sig->size(), 64u);
    auto pk = Ed25519PublicKey(password);
    ASSERT_TRUE(pk.ok());
    ASSERT_EQ(pk->size(), 32u);
    EXPECT_EQ(crypto_sign_verify_detached(
                  reinterpret_cast<const unsigned char*>(sig->data()),
                  reinterpret_cast<const unsigned char*>(nonce.data()), nonce.size(),
                  reinterpret_cast<const unsigned char*>(pk->data())),
              0);
    // A different nonce does not verify with this signature.
    std::string other = nonce;
    other[0] ^= 1;
    EXPECT_NE(crypto_sign_verify_detached(
                  reinterpret_cast<const unsigned char*>(sig->data()),
                  reinterpret_cast<const unsigned char*>(other.data()), other.size(),
                  reinterpret_cast<const unsigned char*>(pk->data())),
              0);
  }
}

TEST(Ed25519AuthTest, DeterministicAndPasswordDependent) {
  const std::string nonce(32, 'n');
  EXPECT_EQ(*Ed25519Sign("a", nonce), *Ed25519Sign("a", nonce));
  EXPECT_NE(*Ed25519Sign("a", nonce), *Ed25519Sign("b", nonce));
}

}  // namespace
}  // namespace mysqlwire
