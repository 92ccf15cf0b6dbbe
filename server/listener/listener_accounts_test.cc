#include "server/listener/listener_accounts.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "mysqlwire/protocol/server_auth.h"

namespace mysqlgw {
namespace {

v1::AuthConfig Auth() {
  v1::AuthConfig auth;
  v1::PrincipalConfig* app = auth.add_principals();
  app->set_name("app");
  app->add_databases("shop");
  app->add_operations(v1::OPERATION_READ);
  app->set_mysql_native_password_hash(
      mysqlwire::FormatNativePasswordHash(mysqlwire::ComputeNativePasswordHash("pw")));
  v1::PrincipalConfig* reporting = auth.add_principals();
  reporting->set_name("reporting");
  reporting->set_mysql_user("report_user");
  reporting->set_mysql_caching_sha2_password_hash(
      absl::BytesToHexString(mysqlwire::ComputeCachingSha2Hash("pw2")));
  v1::PrincipalConfig* grpc_only = auth.add_principals();
  grpc_only->set_name("grpc_only");
  grpc_only->add_token_sha256(std::string(64, 'a'));
  return auth;
}

TEST(ListenerAccountsTest, PrincipalsWithHashesBecomeAccounts) {
  absl::StatusOr<ListenerAccounts> accounts = ListenerAccounts::Create(Auth());
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_EQ(accounts->size(), 2u);

  absl::StatusOr<mysqlwire::Credentials> app = accounts->Lookup("app");
  ASSERT_TRUE(app.ok());
  ASSERT_TRUE(app->native_password_hash.has_value());
  EXPECT_EQ(*app->native_password_hash, mysqlwire::ComputeNativePasswordHash("pw"));
  EXPECT_FALSE(app->caching_sha2_hash.has_value());
  ASSERT_NE(accounts->PrincipalOf("app"), nullptr);
  EXPECT_TRUE(accounts->PrincipalOf("app")->AllowsDatabase("shop"));
  EXPECT_FALSE(accounts->PrincipalOf("app")->Allows(v1::OPERATION_WRITE));

  // mysql_user replaces the name as the login.
  EXPECT_EQ(accounts->Lookup("reporting").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<mysqlwire::Credentials> report = accounts->Lookup("report_user");
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report->caching_sha2_hash.has_value());
  EXPECT_EQ(*report->caching_sha2_hash, mysqlwire::ComputeCachingSha2Hash("pw2"));
  EXPECT_EQ(accounts->PrincipalOf("report_user")->name, "reporting");

  // A principal without a MySQL password has no login at all.
  EXPECT_EQ(accounts->Lookup("grpc_only").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(accounts->PrincipalOf("grpc_only"), nullptr);
  // User names are case-sensitive, as in MySQL.
  EXPECT_FALSE(accounts->Lookup("APP").ok());
}

TEST(ListenerAccountsTest, MalformedHashesAndDuplicateUsersAreRefused) {
  v1::AuthConfig bad_native = Auth();
  bad_native.mutable_principals(0)->set_mysql_native_password_hash("*12");
  EXPECT_EQ(ListenerAccounts::Create(bad_native).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::AuthConfig bad_sha2 = Auth();
  bad_sha2.mutable_principals(1)->set_mysql_caching_sha2_password_hash(std::string(64, 'x'));
  EXPECT_EQ(ListenerAccounts::Create(bad_sha2).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad_sha2.mutable_principals(1)->set_mysql_caching_sha2_password_hash(std::string(62, 'a'));
  EXPECT_EQ(ListenerAccounts::Create(bad_sha2).status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::AuthConfig duplicate = Auth();
  duplicate.mutable_principals(1)->set_mysql_user("app");
  absl::StatusOr<ListenerAccounts> accounts = ListenerAccounts::Create(duplicate);
  EXPECT_EQ(accounts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(accounts.status().message().find("'app'"), absl::string_view::npos);
}

TEST(ListenerAccountsTest, UpperCaseHexIsAccepted) {
  v1::AuthConfig auth = Auth();
  const std::string hex = absl::BytesToHexString(mysqlwire::ComputeCachingSha2Hash("pw2"));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auth.mutable_principals(1)->set_mysql_caching_sha2_password_hash(upper);
  absl::StatusOr<ListenerAccounts> accounts = ListenerAccounts::Create(auth);
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_EQ(*accounts->Lookup("report_user")->caching_sha2_hash,
            mysqlwire::ComputeCachingSha2Hash("pw2"));
}

TEST(ListenerAccountsTest, UserNameDefaultsToPrincipalName) {
  v1::PrincipalConfig p;
  p.set_name("n");
  EXPECT_EQ(MySqlUserOf(p), "n");
  EXPECT_FALSE(HasMySqlCredentials(p));
  p.set_mysql_user("u");
  EXPECT_EQ(MySqlUserOf(p), "u");
  p.set_mysql_caching_sha2_password_hash("ab");
  EXPECT_TRUE(HasMySqlCredentials(p));
}

}  // namespace
}  // namespace mysqlgw
