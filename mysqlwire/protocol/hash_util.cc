#include "mysqlwire/protocol/hash_util.h"

#include <openssl/evp.h>

#include <memory>

namespace mysqlwire {
namespace {

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

}  // namespace

std::string Sha1(absl::string_view a, absl::string_view b) { return Digest(EVP_sha1(), a, b); }

std::string Sha256(absl::string_view a, absl::string_view b) {
  return Digest(EVP_sha256(), a, b);
}

std::string XorRepeat(absl::string_view a, absl::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size(); ++i) out[i] ^= b[i % b.size()];
  return out;
}

}  // namespace mysqlwire
