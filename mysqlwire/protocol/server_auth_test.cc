#include "mysqlwire/protocol/server_auth.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/auth.h"

namespace mysqlwire {
namespace {

constexpr absl::string_view kNonce = "abcdefghijklmnopqrst";

// A throwaway 2048-bit key (openssl genrsa), and "secret" encrypted under it
// by Python's cryptography package (OAEP with SHA-1, as PyMySQL does) after
// the XOR with kNonce: an outside vector for the decryption path.
constexpr absl::string_view kTestKeyPem = R"(
-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCNY1MhsyPpTVLy
RC05N4U1Ov0V8MA58NtPfAmurwrAF8OjSPKI1vzQLhUrRAAIXjmeCzQHCq2epOxy
i3raRa1Mel3/uN6BnlqMJBvRhUYzLjLLdu4Qarcg86SMW/8AfO5U4NkUWUus/OhO
b0hfSXgr0z/rxJl9JKcRnfEU2DW3dtu1vGzT4YjotaA/Jxu5TlxnA4GW+r8gQm27
mp7ngVJtm1g49tzl+7fHQoEAnjne4e3vU4uEUtO5wL/RgC2CCHHWUnhfhptlJW2C
SFmK7cEKFy7NeOfd3wI9UJrKN8JrE1UwdD17Sgw4Uuccppj2GqVbq1lg6KmOKjNM
yWf4G/KDAgMBAAECggEANDE8sF2BPa/CFVWOficdIMvAPlerlhfv1VUb++R46vU6
zm1wvoviMnU4ckq9WllyGoHXOFw8QCpwcE5F0QpUkT1AstQLKz0J/t6beEoi4mTE
8m/aLKxAIsVd8kRJi2QS1LlV2Rmnglmv5bhVtnsYBdGLMJzX7ibYF3w+0OuJVMpa
lKbEYQCFbYBkre9WhGzrIEFNo8TuF/Hq6KC7m9bYIHqZ7lXEr4lViK21m4esPGkt
tpRCoCAKync6A8HBR8QeXLff7vc/ICVjhSIvA3moLo1xfEQGXJY+xlBBSrdkkABm
u7JpDl3CQ1GIM38qCSuvT+s/427whlVQ+JlkV7iwoQKBgQC/l2Ssv/7f54AAe91q
7YpqiJzoM8PByhDWUT/pwgJf8gGSDv0RUlaaDkmtamr6KH3npkYqqIeTeZevI7ZU
xXsMWGwUcIv08JXVJMcLN1tlmWzfOkXgN0DhCX6xe5VGISXwzSZ7ns6hkERespUR
pj2r0ElyMRqklD7yuOXvadByowKBgQC861x+9FjwW4WL4wMKsjH363GOx06m5TY4
+PP7e53Fto9cz/RQSlQuNtGTW6XueEl+o9K6Aum+SPQlVFO/hnLd1b9bmh8u0Zcw
7uxYMpTHXJBXvJROlFTLRxQZbvclwIM2QsYXOhiLVmeQBFztxEFZOq4DwBbdbIV9
PnaUYSReoQKBgAsDMbc4RfcqwFHGzOBTjQw4lARIzWy7J6KaAvl1vFs1dt+lWuh+
+hlazuNX5ZRBdZM2HHxhOYHBkHVxsQ5IV51LC9NU8MaAeaxJs+MyKF+7pOVj3RZZ
NrJ4sD6VYuwoBZ1EvXyHkUr6FuP2kdj03ECe9UnKBsUE/GVJOXY8d83PAoGAQg49
ijpfurMVj+LxVlUWOax+SUERFDQC8IrDrIP9l3sMx5QCxewnYP1T7CVYcHhoojof
3WBVYG5bx42jts0I7t3lCd9q1dD8/2QbCX+uG8MWyUaryIn+2BDjSz1Md0vH1Tol
z0tF97pffbC42X4Mp2loHPGWTRe72R31Ek6hC+ECgYAX6PMiEJtzROWvUxmklhtM
e72vX9gPjLHIps51p26/WOvB41HKA7xw8tjnUFiahOSyWBJyLN4D0tAmcax9iviS
e8so8efc5ZxewGKKeCThdWcmp/lX2vhD7kA/CxX399NCMgfjr7atfoEc6c/B9MLB
v2zRZeeSRkbPIDKQpo4v0g==
-----END PRIVATE KEY-----
)";
constexpr absl::string_view kSecretCiphertextHex =
    "3787f22bd4c74cd4c83238d359347b7d25a231d64acd58457c6bf9d4a2ee83da"
    "1747619848a77006927835aee87bfe4ef471ce4d1eb2aab07863545563c3e4af"
    "7dee2db04e2cbaaa06dd69287de161105b4654f44434770cf96c3fa8823a5dab"
    "b485b2528427fac497761e1501ffc354cc685e90d52ba44d804b370fa15a76fd"
    "83dbc52d1bc9eeaafb1c822a54e563a8d96f714037ca9b7f0e2433eceafa6c7a"
    "91a5fd185a7ed2393f546f9cddd6e7bbd5629694199666843f3545d775a9b145"
    "6800dee1b6e180791b7f7c56b3dfadd673c60ddcd9c23df61f41c083596216b1"
    "ca8780f2e9a554227d001b20b36b9db7c40970e946c01e9040dff3475ae16803";

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

TEST(NativePasswordHashTest, MatchesMySqlPasswordFunction) {
  // SELECT PASSWORD('password') on MySQL 5.7 / MariaDB.
  EXPECT_EQ(FormatNativePasswordHash(ComputeNativePasswordHash("password")),
            "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  auto parsed = ParseNativePasswordHash("*2470c0c06dee42fd1618bb99005adca2ec9d1e19");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, ComputeNativePasswordHash("password"));
}

TEST(NativePasswordHashTest, EmptyTextIsTheEmptyPassword) {
  auto parsed = ParseNativePasswordHash("");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, ComputeNativePasswordHash(""));
  EXPECT_TRUE(VerifyNativePassword(*parsed, kNonce, ""));
  EXPECT_FALSE(VerifyNativePassword(ComputeNativePasswordHash("x"), kNonce, ""));
}

TEST(NativePasswordHashTest, RejectsMalformedText) {
  for (absl::string_view bad :
       {"2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19",    // No '*'.
        "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1",     // 39 digits.
        "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E190",   // 41 digits.
        "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1G",    // Not hex.
        "*"}) {
    EXPECT_EQ(ParseNativePasswordHash(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(VerifyNativePasswordTest, AcceptsKnownResponse) {
  // Computed with Python's hashlib for password "secret" and kNonce.
  const std::string stored = Hex("14e65567abdb5135d0cfd9a70b3032c179a49ee7");
  const std::string response = Hex("8817c50fa779daef010ee7577825b0847df9842e");
  EXPECT_EQ(ComputeNativePasswordHash("secret"), stored);
  EXPECT_TRUE(VerifyNativePassword(stored, kNonce, response));
  // Clients receive the nonce with a trailing NUL; only 20 bytes count.
  EXPECT_TRUE(VerifyNativePassword(stored, std::string(kNonce) + '\0', response));
}

TEST(VerifyNativePasswordTest, AgreesWithClientScramble) {
  const std::string nonce = GenerateNonce();
  const std::string stored = ComputeNativePasswordHash("pa55 word");
  EXPECT_TRUE(VerifyNativePassword(stored, nonce, NativePasswordScramble("pa55 word", nonce)));
  EXPECT_FALSE(VerifyNativePassword(stored, nonce, NativePasswordScramble("pa55 worD", nonce)));
  EXPECT_FALSE(VerifyNativePassword(stored, GenerateNonce(),
                                    NativePasswordScramble("pa55 word", nonce)));
}

TEST(VerifyNativePasswordTest, RejectsMalformedInput) {
  const std::string stored = ComputeNativePasswordHash("secret");
  std::string response = NativePasswordScramble("secret", kNonce);
  ASSERT_TRUE(VerifyNativePassword(stored, kNonce, response));
  for (size_t n = 0; n < response.size(); ++n) {
    EXPECT_FALSE(VerifyNativePassword(stored, kNonce, response.substr(0, n))) << n;
  }
  EXPECT_FALSE(VerifyNativePassword(stored, kNonce, response + "x"));
  for (size_t i = 0; i < response.size(); ++i) {
    std::string flipped = response;
    flipped[i] ^= 0x01;
    EXPECT_FALSE(VerifyNativePassword(stored, kNonce, flipped)) << i;
  }
  EXPECT_FALSE(VerifyNativePassword(stored, kNonce.substr(0, 19), response));
  EXPECT_FALSE(VerifyNativePassword(stored.substr(0, 19), kNonce, response));
  EXPECT_FALSE(VerifyNativePassword("", kNonce, ""));
}

TEST(CachingSha2Test, AcceptsKnownResponse) {
  const std::string stored =
      Hex("3881219d087dd9c634373fd33dfa33a2cb6bfc6c520b64b8bb60ef2ceb534ae7");
  const std::string response =
      Hex("c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809");
  EXPECT_EQ(ComputeCachingSha2Hash("secret"), stored);
  EXPECT_TRUE(VerifyCachingSha2Scramble(stored, kNonce, response));
  EXPECT_EQ(ComputeCachingSha2Hash(""),
            Hex("5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"));
}

TEST(CachingSha2Test, NonceCountsWhole) {
  // PyMySQL 1.0 after an auth switch: the scramble over kNonce plus the NUL
  // of the switch data (Python's hashlib).
  const std::string stored = ComputeCachingSha2Hash("secret");
  const std::string response =
      Hex("5e171a54cfa83047f591cc7c1667a234157644ead4f24258226b46c60c387d67");
  EXPECT_TRUE(VerifyCachingSha2Scramble(stored, std::string(kNonce) + '\0', response));
  EXPECT_FALSE(VerifyCachingSha2Scramble(stored, kNonce, response));
}

TEST(CachingSha2Test, AgreesWithClientScramble) {
  const std::string nonce = GenerateNonce();
  const std::string stored = ComputeCachingSha2Hash("secret");
  EXPECT_TRUE(VerifyCachingSha2Scramble(stored, nonce, CachingSha2Scramble("secret", nonce)));
  EXPECT_FALSE(VerifyCachingSha2Scramble(stored, nonce, CachingSha2Scramble("Secret", nonce)));
  EXPECT_FALSE(VerifyCachingSha2Scramble(stored, nonce, ""));
  EXPECT_FALSE(VerifyCachingSha2Scramble(stored, nonce.substr(0, 19),
                                         CachingSha2Scramble("secret", nonce)));
  EXPECT_TRUE(VerifyCachingSha2Scramble(ComputeCachingSha2Hash(""), nonce, ""));
}

TEST(CachingSha2Test, RejectsMalformedInput) {
  const std::string stored = ComputeCachingSha2Hash("secret");
  std::string response = CachingSha2Scramble("secret", kNonce);
  for (size_t n = 1; n < response.size(); ++n) {
    EXPECT_FALSE(VerifyCachingSha2Scramble(stored, kNonce, response.substr(0, n))) << n;
  }
  for (size_t i = 0; i < response.size(); ++i) {
    std::string flipped = response;
    flipped[i] ^= 0x40;
    EXPECT_FALSE(VerifyCachingSha2Scramble(stored, kNonce, flipped)) << i;
  }
  // A native hash where a SHA-256 one belongs never matches.
  EXPECT_FALSE(VerifyCachingSha2Scramble(ComputeNativePasswordHash("secret"), kNonce,
                                         response));
}

TEST(FullAuthTest, ClearTextPassword) {
  auto pw = ParseClearTextPassword(std::string("secret\0", 7));
  ASSERT_TRUE(pw.ok());
  EXPECT_EQ(*pw, "secret");
  EXPECT_TRUE(IsProtocolError(ParseClearTextPassword("secret").status()));
  EXPECT_TRUE(IsProtocolError(ParseClearTextPassword("").status()));
  EXPECT_TRUE(VerifyPasswordAgainstNativeHash(ComputeNativePasswordHash("secret"), *pw));
  EXPECT_TRUE(VerifyPasswordAgainstCachingSha2Hash(ComputeCachingSha2Hash("secret"), *pw));
  EXPECT_FALSE(VerifyPasswordAgainstNativeHash(ComputeNativePasswordHash("secret"), "secre"));
  EXPECT_FALSE(VerifyPasswordAgainstCachingSha2Hash(ComputeNativePasswordHash("secret"), *pw));
}

TEST(RsaPasswordKeyTest, DecryptsOutsideVector) {
  auto key = RsaPasswordKey::FromPrivateKeyPem(kTestKeyPem);
  ASSERT_TRUE(key.ok()) << key.status();
  auto pw = key->DecryptPassword(Hex(kSecretCiphertextHex), kNonce);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(*pw, "secret");
  // The XOR with another nonce leaves garbage without the final NUL.
  EXPECT_FALSE(key->DecryptPassword(Hex(kSecretCiphertextHex), "ABCDEFGHIJKLMNOPQRST").ok());
}

TEST(RsaPasswordKeyTest, RoundTripsWithClientEncryption) {
  auto key = RsaPasswordKey::FromPrivateKeyPem(kTestKeyPem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->public_key_pem().rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  const std::string nonce = GenerateNonce();
  // Longer than the nonce, so the XOR has to wrap around.
  const std::string password = "a password longer than twenty bytes";
  auto cipher = RsaEncryptPassword(password, nonce, key->public_key_pem());
  ASSERT_TRUE(cipher.ok()) << cipher.status();
  auto pw = key->DecryptPassword(*cipher, nonce);
  ASSERT_TRUE(pw.ok()) << pw.status();
  EXPECT_EQ(*pw, password);
  auto one_shot = DecryptRsaPassword(*cipher, nonce, kTestKeyPem);
  ASSERT_TRUE(one_shot.ok()) << one_shot.status();
  EXPECT_EQ(*one_shot, password);
}

TEST(RsaPasswordKeyTest, RejectsCorruptCiphertext) {
  auto key = RsaPasswordKey::FromPrivateKeyPem(kTestKeyPem);
  ASSERT_TRUE(key.ok());
  const std::string cipher = Hex(kSecretCiphertextHex);
  for (size_t n : {size_t{0}, size_t{1}, size_t{128}, cipher.size() - 1}) {
    EXPECT_TRUE(IsProtocolError(key->DecryptPassword(cipher.substr(0, n), kNonce).status()))
        << n;
  }
  for (size_t i : {size_t{0}, size_t{100}, cipher.size() - 1}) {
    std::string bad = cipher;
    bad[i] ^= 0x01;
    EXPECT_TRUE(IsProtocolError(key->DecryptPassword(bad, kNonce).status())) << i;
  }
  EXPECT_TRUE(IsProtocolError(key->DecryptPassword(cipher, "short").status()));
}

TEST(RsaPasswordKeyTest, RejectsBadKeys) {
  EXPECT_EQ(RsaPasswordKey::FromPrivateKeyPem("not a key").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string truncated(kTestKeyPem.substr(0, kTestKeyPem.size() / 2));
  EXPECT_FALSE(RsaPasswordKey::FromPrivateKeyPem(truncated).ok());
  // A public key is not a private one.
  auto key = RsaPasswordKey::FromPrivateKeyPem(kTestKeyPem);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(RsaPasswordKey::FromPrivateKeyPem(key->public_key_pem()).ok());
}

TEST(GenerateNonceTest, TwentyPrintableSafeBytes) {
  for (int i = 0; i < 50; ++i) {
    const std::string nonce = GenerateNonce();
    ASSERT_EQ(nonce.size(), kNonceSize);
    for (char c : nonce) {
      EXPECT_NE(c, '\0');
      EXPECT_NE(c, '$');
      EXPECT_EQ(static_cast<unsigned char>(c) & 0x80, 0);
    }
  }
  EXPECT_NE(GenerateNonce(), GenerateNonce());
}

TEST(AuthMoreDataTest, Layout) {
  EXPECT_EQ(SerializeAuthMoreData(std::string(1, kCachingSha2FastAuthOk)),
            std::string("\x01\x03", 2));
  EXPECT_EQ(SerializeAuthMoreData(std::string(1, kCachingSha2PerformFullAuth)),
            std::string("\x01\x04", 2));
}

}  // namespace
}  // namespace mysqlwire
