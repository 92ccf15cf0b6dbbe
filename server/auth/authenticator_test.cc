#include "server/auth/authenticator.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_hash.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAppToken[] = "app-token-1";
constexpr char kAppNextToken[] = "app-token-2";  // Rotation: both accepted.
constexpr char kReportToken[] = "report-token";

v1::AuthConfig Config() {
  v1::AuthConfig config;
  v1::PrincipalConfig* app = config.add_principals();
  app->set_name("app");
  app->add_token_sha256(Sha256Hex(kAppToken));
  app->add_token_sha256(Sha256Hex(kAppNextToken));
  app->add_databases("app");
  app->add_operations(v1::OPERATION_READ);
  app->add_operations(v1::OPERATION_WRITE);
  v1::PrincipalConfig* report = config.add_principals();
  report->set_name("reporting");
  // As printed by sha256sum for "report-token".
  report->add_token_sha256("3afe7a1d932838be03fe220874dbd162fb12b2a94a349d49506b1cb9e5e355c3");
  report->add_databases("*");
  report->add_operations(v1::OPERATION_READ);
  v1::PrincipalConfig* dev = config.add_principals();
  dev->set_name("dev");  // No token: reachable only as the anonymous principal.
  dev->add_databases("*");
  dev->add_operations(v1::OPERATION_READ);
  return config;
}

std::string Bearer(absl::string_view token) { return absl::StrCat("Bearer ", token); }

void ExpectUnauthenticated(const absl::StatusOr<std::shared_ptr<const Principal>>& result,
                           absl::string_view message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(message));
}

TEST(AuthenticatorTest, ValidTokens) {
  Authenticator auth(Config());
  absl::StatusOr<std::shared_ptr<const Principal>> app = auth.Authenticate(Bearer(kAppToken));
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ((*app)->name, "app");
  EXPECT_TRUE((*app)->Allows(v1::OPERATION_WRITE));
  EXPECT_TRUE((*app)->AllowsDatabase("app"));

  absl::StatusOr<std::shared_ptr<const Principal>> report = auth.Authenticate(Bearer(kReportToken));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ((*report)->name, "reporting");
  EXPECT_TRUE((*report)->all_databases);
}

TEST(AuthenticatorTest, RotationAcceptsBothHashesForOnePrincipal) {
  Authenticator auth(Config());
  absl::StatusOr<std::shared_ptr<const Principal>> old_token = auth.Authenticate(Bearer(kAppToken));
  absl::StatusOr<std::shared_ptr<const Principal>> new_token =
      auth.Authenticate(Bearer(kAppNextToken));
  ASSERT_TRUE(old_token.ok());
  ASSERT_TRUE(new_token.ok());
  EXPECT_EQ(old_token->get(), new_token->get());  // The same principal object.
}

TEST(AuthenticatorTest, ReloadRevokesRemovedTokensAndKeepsPrincipalsAlreadyHandedOut) {
  Authenticator auth(Config());
  absl::StatusOr<std::shared_ptr<const Principal>> before = auth.Authenticate(Bearer(kAppToken));
  ASSERT_TRUE(before.ok());
  // The old app token removed, the reporting principal removed, and app
  // reduced to reads.
  v1::AuthConfig next;
  v1::PrincipalConfig* app = next.add_principals();
  app->set_name("app");
  app->add_token_sha256(Sha256Hex(kAppNextToken));
  app->add_databases("app");
  app->add_operations(v1::OPERATION_READ);
  auth.Reload(next);
  ExpectUnauthenticated(auth.Authenticate(Bearer(kAppToken)), "invalid token");
  ExpectUnauthenticated(auth.Authenticate(Bearer(kReportToken)), "invalid token");
  EXPECT_EQ(auth.FindPrincipal("reporting"), nullptr);
  absl::StatusOr<std::shared_ptr<const Principal>> after =
      auth.Authenticate(Bearer(kAppNextToken));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE((*after)->Allows(v1::OPERATION_WRITE));
  // A call authenticated before the reload keeps what it was given.
  EXPECT_TRUE((*before)->Allows(v1::OPERATION_WRITE));
}

TEST(AuthenticatorTest, SchemeAndSpacing) {
  Authenticator auth(Config());
  for (const char* header : {"bearer app-token-1", "BEARER app-token-1", "Bearer   app-token-1",
                             "Bearer\tapp-token-1", "  Bearer app-token-1  "}) {
    absl::StatusOr<std::shared_ptr<const Principal>> result = auth.Authenticate(header);
    ASSERT_TRUE(result.ok()) << "'" << header << "': " << result.status();
    EXPECT_EQ((*result)->name, "app");
  }
}

TEST(AuthenticatorTest, MissingHeader) {
  Authenticator auth(Config());
  ExpectUnauthenticated(auth.Authenticate(std::nullopt), "missing bearer token");
}

TEST(AuthenticatorTest, MalformedHeaders) {
  Authenticator auth(Config());
  const std::vector<std::string> headers = {"",
                                            "Bearer",
                                            "Bearer ",
                                            "Bearer    ",
                                            "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
                                            "Token app-token-1",
                                            "Bearerapp-token-1",
                                            "app-token-1",
                                            "Bearer app token",
                                            std::string("Bearer app-token-1\x01", 19),
                                            "Bearer " + std::string(5000, 'a')};
  for (const std::string& header : headers) {
    SCOPED_TRACE(header);
    ExpectUnauthenticated(auth.Authenticate(header), "malformed authorization header");
  }
}

TEST(AuthenticatorTest, UnknownTokenIsNeverEchoed) {
  Authenticator auth(Config());
  absl::StatusOr<std::shared_ptr<const Principal>> result =
      auth.Authenticate(Bearer("guess-me-XYZ"));
  ExpectUnauthenticated(result, "invalid token");
  EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr("guess-me-XYZ")));
  // The hash itself is not a token.
  ExpectUnauthenticated(auth.Authenticate(Bearer(Sha256Hex(kAppToken))), "invalid token");
  // Nor is a token that only differs in case.
  ExpectUnauthenticated(auth.Authenticate(Bearer("APP-TOKEN-1")), "invalid token");
}

TEST(AuthenticatorTest, Anonymous) {
  v1::AuthConfig config = Config();
  config.set_allow_anonymous(true);
  config.set_anonymous_principal("dev");
  Authenticator auth(config);
  absl::StatusOr<std::shared_ptr<const Principal>> anonymous = auth.Authenticate(std::nullopt);
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ((*anonymous)->name, "dev");
  // A token still selects its principal...
  absl::StatusOr<std::shared_ptr<const Principal>> app = auth.Authenticate(Bearer(kAppToken));
  ASSERT_TRUE(app.ok());
  EXPECT_EQ((*app)->name, "app");
  // ...and a bad or malformed one is refused, not downgraded to anonymous.
  ExpectUnauthenticated(auth.Authenticate(Bearer("wrong")), "invalid token");
  ExpectUnauthenticated(auth.Authenticate("Basic abc"), "malformed");
}

TEST(AuthenticatorTest, AnonymousDisabledOrPrincipalMissing) {
  v1::AuthConfig named_only = Config();
  named_only.set_anonymous_principal("dev");  // allow_anonymous is false.
  ExpectUnauthenticated(Authenticator(named_only).Authenticate(std::nullopt),
                        "missing bearer token");
  v1::AuthConfig missing = Config();
  missing.set_allow_anonymous(true);
  missing.set_anonymous_principal("nobody");
  ExpectUnauthenticated(Authenticator(missing).Authenticate(std::nullopt), "missing bearer token");
}

TEST(AuthenticatorTest, MalformedConfiguredHashesAreSkipped) {
  v1::AuthConfig config;
  v1::PrincipalConfig* p = config.add_principals();
  p->set_name("p");
  p->add_token_sha256("not-a-hash");
  p->add_token_sha256(Sha256Hex("ok"));
  Authenticator auth(config);
  EXPECT_TRUE(auth.Authenticate(Bearer("ok")).ok());
  ExpectUnauthenticated(auth.Authenticate(Bearer("not-a-hash")), "invalid token");
}

TEST(AuthenticatorTest, DigestsAreComparedWithTheConstantTimeFunction) {
  std::vector<std::pair<std::string, std::string>> calls;
  bool answer = true;
  Authenticator auth(Config(), [&](absl::string_view a, absl::string_view b) {
    calls.emplace_back(a, b);
    return answer && ConstantTimeEquals(a, b);
  });
  ASSERT_TRUE(auth.Authenticate(Bearer(kAppToken)).ok());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, Sha256(kAppToken));
  EXPECT_EQ(calls[0].second, Sha256(kAppToken));

  // The comparison, not the map lookup, has the last word.
  answer = false;
  calls.clear();
  ExpectUnauthenticated(auth.Authenticate(Bearer(kAppToken)), "invalid token");
  EXPECT_EQ(calls.size(), 1u);

  // A token in no bucket costs no comparison.
  calls.clear();
  ExpectUnauthenticated(auth.Authenticate(Bearer("unknown")), "invalid token");
  EXPECT_TRUE(calls.empty());
}

TEST(AuthenticatorTest, FindPrincipal) {
  Authenticator auth(Config());
  ASSERT_NE(auth.FindPrincipal("reporting"), nullptr);
  EXPECT_EQ(auth.FindPrincipal("reporting")->name, "reporting");
  EXPECT_EQ(auth.FindPrincipal("nobody"), nullptr);
}

}  // namespace
}  // namespace mysqlgw
