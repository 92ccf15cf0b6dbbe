#include "server/routing/routing_config.h"

#include <chrono>
#include <vector>

#include "gtest/gtest.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {
namespace {

using std::chrono::milliseconds;

TEST(RoutingConfigTest, Defaults) {
  const RoutingSettings s = RoutingSettingsFromConfig(v1::RoutingConfig());
  EXPECT_FALSE(s.read_write_split);
  EXPECT_EQ(s.max_replica_lag, milliseconds(10000));
  EXPECT_EQ(s.health_check_interval, milliseconds(1000));
  EXPECT_EQ(s.read_your_writes_window, milliseconds(0));
}

TEST(RoutingConfigTest, ExplicitValues) {
  v1::RoutingConfig c;
  c.set_read_write_split(true);
  c.mutable_max_replica_lag()->set_seconds(0);  // explicit zero is kept
  c.mutable_health_check_interval()->set_nanos(250000000);
  c.mutable_read_your_writes_window()->set_seconds(2);
  c.mutable_read_your_writes_window()->set_nanos(500000000);
  const RoutingSettings s = RoutingSettingsFromConfig(c);
  EXPECT_TRUE(s.read_write_split);
  EXPECT_EQ(s.max_replica_lag, milliseconds(0));
  EXPECT_EQ(s.health_check_interval, milliseconds(250));
  EXPECT_EQ(s.read_your_writes_window, milliseconds(2500));

  c.mutable_health_check_interval()->set_nanos(0);  // "0s" cannot pace checks
  c.mutable_max_replica_lag()->set_seconds(-5);
  const RoutingSettings t = RoutingSettingsFromConfig(c);
  EXPECT_EQ(t.health_check_interval, milliseconds(1000));
  EXPECT_EQ(t.max_replica_lag, milliseconds(0));
}

TEST(RoutingConfigTest, BackendsAndTargets) {
  v1::GatewayConfig config;
  auto* p = config.add_backends();
  p->set_name("main");
  p->set_dsn("mysql://app@db1:3306/shop");
  auto* r = config.add_backends();
  r->set_name("ro");
  r->set_dsn("mysql://app@db2:3307/shop");
  r->set_role(v1::BACKEND_ROLE_REPLICA);
  auto* u = config.add_backends();
  u->set_name("other");
  u->set_dsn("mysql://app@db3/shop");

  const std::vector<RoutingBackend> backends = RoutingBackendsFromConfig(config);
  ASSERT_EQ(backends.size(), 3u);
  EXPECT_EQ(backends[0].role, RoutingRole::kPrimary);
  EXPECT_EQ(backends[1].role, RoutingRole::kReplica);
  EXPECT_EQ(backends[2].role, RoutingRole::kPrimary);  // unspecified

  absl::StatusOr<std::vector<HealthCheckTarget>> targets = HealthTargetsFromConfig(config);
  ASSERT_TRUE(targets.ok()) << targets.status();
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[1].name, "ro");
  EXPECT_TRUE((*targets)[1].is_replica);
  EXPECT_FALSE((*targets)[0].is_replica);
  EXPECT_EQ((*targets)[1].options.host, "db2");
  EXPECT_EQ((*targets)[1].options.port, 3307);
  EXPECT_EQ((*targets)[1].options.user, "app");

  // A password in the DSN is refused, naming the backend.
  r->set_dsn("mysql://app:secret@db2/shop");
  absl::StatusOr<std::vector<HealthCheckTarget>> bad = HealthTargetsFromConfig(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("backend 'ro'"), absl::string_view::npos);
  EXPECT_EQ(bad.status().message().find("secret"), absl::string_view::npos);
}

}  // namespace
}  // namespace mysqlgw
