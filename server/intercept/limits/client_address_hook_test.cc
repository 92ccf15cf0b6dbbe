#include "server/intercept/limits/client_address_hook.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mysqlwire/error.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

ClientInfo Client(const std::string& principal, const std::string& ip) {
  ClientInfo client;
  client.principal = principal;
  if (!ip.empty()) {
    absl::StatusOr<ClientAddress> address = ClientAddress::Parse(ip);
    EXPECT_TRUE(address.ok()) << address.status();
    client.address = *address;
  }
  return client;
}

std::unique_ptr<ClientAddressHook> MakeHook(bool with_wildcard) {
  v1::InterceptionConfig config;
  v1::ClientAddressAllowlist* app = config.add_client_addresses();
  app->set_principal("app");
  app->add_cidrs("10.0.0.0/8");
  app->add_cidrs("2001:db8::/32");
  if (with_wildcard) {
    v1::ClientAddressAllowlist* all = config.add_client_addresses();
    all->set_principal("*");
    all->add_cidrs("127.0.0.1");
  }
  absl::StatusOr<std::unique_ptr<ClientAddressHook>> hook = ClientAddressHook::Create(config);
  EXPECT_TRUE(hook.ok()) << hook.status();
  return *std::move(hook);
}

TEST(ClientAddressHookTest, AllowsAddressesInsideTheRanges) {
  auto hook = MakeHook(false);
  EXPECT_TRUE(hook->OnConnect(Client("app", "10.1.2.3")).ok());
  EXPECT_TRUE(hook->OnConnect(Client("app", "::ffff:10.200.0.1")).ok());  // Mapped v4.
  EXPECT_TRUE(hook->OnConnect(Client("app", "2001:db8:1::5")).ok());
  EXPECT_EQ(hook->rejected(), 0u);
}

TEST(ClientAddressHookTest, RefusesV4OutsideTheRanges) {
  auto hook = MakeHook(false);
  absl::Status status = hook->OnConnect(Client("app", "11.1.2.3"));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(status);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 1130);
  EXPECT_EQ(error->sql_state, "HY000");
  EXPECT_EQ(error->message, "client address 11.1.2.3 is not allowed for principal 'app'");
  EXPECT_EQ(hook->rejected(), 1u);
}

TEST(ClientAddressHookTest, RefusesV6OutsideTheRanges) {
  auto hook = MakeHook(false);
  absl::Status status = hook->OnConnect(Client("app", "2001:db9::1"));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(),
              HasSubstr("client address 2001:db9::1 is not allowed for principal 'app'"));
  // The v4 range does not leak into v6 space outside the mapped prefix.
  EXPECT_FALSE(hook->OnConnect(Client("app", "::10.1.2.3")).ok());
}

TEST(ClientAddressHookTest, RefusesAnUnspecifiedAddressWhenThePrincipalHasAList) {
  auto hook = MakeHook(false);
  absl::Status status = hook->OnConnect(Client("app", ""));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  std::optional<mysqlwire::ServerError> error = mysqlwire::GetServerError(status);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message,
            "client address unknown (unix socket or in-process call) is not allowed for "
            "principal 'app'");
  // Without a list (and no "*"), a principal connects from anywhere.
  EXPECT_TRUE(hook->OnConnect(Client("batch", "")).ok());
  EXPECT_TRUE(hook->OnConnect(Client("batch", "203.0.113.9")).ok());
}

TEST(ClientAddressHookTest, WildcardCoversPrincipalsWithoutTheirOwnList) {
  auto hook = MakeHook(true);
  EXPECT_TRUE(hook->OnConnect(Client("batch", "127.0.0.1")).ok());
  EXPECT_FALSE(hook->OnConnect(Client("batch", "127.0.0.2")).ok());
  EXPECT_FALSE(hook->OnConnect(Client("batch", "")).ok());
  // A principal's own list replaces "*", it does not add to it.
  EXPECT_FALSE(hook->OnConnect(Client("app", "127.0.0.1")).ok());
  EXPECT_TRUE(hook->OnConnect(Client("app", "10.0.0.1")).ok());
}

TEST(ClientAddressHookTest, CreateListsEveryProblemWithItsPath) {
  v1::InterceptionConfig config;
  v1::ClientAddressAllowlist* a = config.add_client_addresses();
  a->set_principal("app");
  a->add_cidrs("10.0.0.0/8");
  a->add_cidrs("10.0.0.1/8");  // Host bits set.
  a->add_cidrs("nonsense");
  config.add_client_addresses()->add_cidrs("::1/128");
  v1::ClientAddressAllowlist* dup = config.add_client_addresses();
  dup->set_principal("app");
  absl::StatusOr<std::unique_ptr<ClientAddressHook>> hook = ClientAddressHook::Create(config);
  ASSERT_FALSE(hook.ok());
  EXPECT_EQ(hook.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(hook.status().message());
  EXPECT_THAT(message, HasSubstr("\ninterception.client_addresses[0].cidrs[1]: "));
  EXPECT_THAT(message, HasSubstr("\ninterception.client_addresses[0].cidrs[2]: "
                                 "'nonsense' is not a CIDR range"));
  EXPECT_THAT(message, HasSubstr("\ninterception.client_addresses[1]: principal must not be "
                                 "empty"));
  EXPECT_THAT(message, HasSubstr("\ninterception.client_addresses[2]: principal 'app' already "
                                 "has a list at interception.client_addresses[0]"));
  EXPECT_THAT(message, HasSubstr("\ninterception.client_addresses[2]: cidrs must not be empty"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("cidrs[0]")));
}

TEST(ClientAddressHookTest, NoListsAllowEverything) {
  absl::StatusOr<std::unique_ptr<ClientAddressHook>> hook =
      ClientAddressHook::Create(v1::InterceptionConfig());
  ASSERT_TRUE(hook.ok());
  EXPECT_TRUE((*hook)->OnConnect(Client("app", "")).ok());
  EXPECT_TRUE((*hook)->OnConnect(Client("app", "8.8.8.8")).ok());
}

}  // namespace
}  // namespace mysqlgw
