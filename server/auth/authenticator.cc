#include "server/auth/authenticator.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/auth/token_hash.h"

namespace mysqlgw {
namespace {

// Far above any real token; bounds the work an unauthenticated caller causes.
constexpr size_t kMaxTokenBytes = 4096;

absl::Status Unauthenticated(absl::string_view message) {
  return absl::UnauthenticatedError(message);
}

// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235), or
// nullopt when the header has another shape.
std::optional<absl::string_view> BearerToken(absl::string_view header) {
  header = absl::StripAsciiWhitespace(header);
  constexpr absl::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme) ||
      (header[kScheme.size()] != ' ' && header[kScheme.size()] != '\t')) {
    return std::nullopt;
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(header.substr(kScheme.size()));
  if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  for (char c : token) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return std::nullopt;
  }
  return token;
}

}  // namespace

Authenticator::Authenticator(const v1::AuthConfig& config)
    : Authenticator(config, &ConstantTimeEquals) {}

Authenticator::Authenticator(const v1::AuthConfig& config, DigestEquals digest_equals)
    : digest_equals_(std::move(digest_equals)), tables_(Build(config)) {}

std::shared_ptr<const Authenticator::Tables> Authenticator::Build(const v1::AuthConfig& config) {
  auto tables = std::make_shared<Tables>();
  for (const v1::PrincipalConfig& principal_config : config.principals()) {
    auto principal = std::make_shared<const Principal>(Principal::FromConfig(principal_config));
    tables->by_name.emplace(principal->name, principal);
    for (const std::string& hex : principal_config.token_sha256()) {
      std::optional<std::string> digest = ParseSha256Hex(hex);
      if (!digest.has_value()) continue;  // ValidateConfig reports these.
      tables->by_digest_prefix[BucketOf(*digest)].push_back(
          Entry{*std::move(digest), principal});
    }
  }
  if (config.allow_anonymous()) {
    auto it = tables->by_name.find(config.anonymous_principal());
    if (it != tables->by_name.end()) tables->anonymous = it->second;
  }
  return tables;
}

void Authenticator::Reload(const v1::AuthConfig& config) { tables_.store(Build(config)); }

uint64_t Authenticator::BucketOf(absl::string_view digest) {
  uint64_t prefix = 0;
  std::memcpy(&prefix, digest.data(), std::min(sizeof(prefix), digest.size()));
  return prefix;
}

std::shared_ptr<const Principal> Authenticator::FindPrincipal(absl::string_view name) const {
  std::shared_ptr<const Tables> tables = tables_.load();
  auto it = tables->by_name.find(name);
  return it == tables->by_name.end() ? nullptr : it->second;
}

absl::StatusOr<std::shared_ptr<const Principal>> Authenticator::Authenticate(
    std::optional<absl::string_view> authorization_header) const {
  std::shared_ptr<const Tables> tables = tables_.load();
  if (!authorization_header.has_value()) {
    if (tables->anonymous != nullptr) return tables->anonymous;
    return Unauthenticated("missing bearer token");
  }
  std::optional<absl::string_view> token = BearerToken(*authorization_header);
  if (!token.has_value()) {
    return Unauthenticated("malformed authorization header: expected \"Bearer <token>\"");
  }
  const std::string digest = Sha256(*token);
  if (digest.size() != kSha256Bytes) return absl::InternalError("SHA-256 failed");
  std::shared_ptr<const Principal> found;
  if (auto it = tables->by_digest_prefix.find(BucketOf(digest));
      it != tables->by_digest_prefix.end()) {
    // Every entry is compared, not only up to the first match.
    for (const Entry& entry : it->second) {
      if (digest_equals_(digest, entry.digest) && found == nullptr) found = entry.principal;
    }
  }
  if (found == nullptr) return Unauthenticated("invalid token");
  return found;
}

}  // namespace mysqlgw
