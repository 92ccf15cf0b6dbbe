#include "server/config/config_defaults.h"

#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::ElementsAre;

TEST(ConfigDefaultsTest, EmptyConfigGetsEveryDefault) {
  v1::GatewayConfig config;
  config.add_backends()->set_name("db");
  ApplyDefaults(&config);

  EXPECT_EQ(config.listen().address(), "127.0.0.1:50051");
  EXPECT_EQ(config.listen().max_request_bytes(), 16u * 1024 * 1024);
  EXPECT_FALSE(config.listen().has_tls());

  const v1::BackendConfig& backend = config.backends(0);
  EXPECT_EQ(backend.role(), v1::BACKEND_ROLE_PRIMARY);
  EXPECT_EQ(backend.pool().min_idle(), 0u);
  EXPECT_EQ(backend.pool().max_open(), 32u);
  EXPECT_EQ(backend.pool().max_waiters(), 256u);
  EXPECT_EQ(backend.pool().idle_timeout().seconds(), 300);
  EXPECT_EQ(backend.pool().max_lifetime().seconds(), 1800);
  EXPECT_EQ(backend.pool().liveness_check_after().seconds(), 5);
  EXPECT_EQ(backend.pool().connect_timeout().seconds(), 5);

  EXPECT_EQ(config.limits().default_max_rows(), 100000u);
  EXPECT_EQ(config.limits().default_max_bytes(), 64u * 1024 * 1024);
  EXPECT_FALSE(config.limits().has_default_statement_timeout());
  EXPECT_EQ(config.limits().stream_chunk_bytes(), 64u * 1024);

  EXPECT_EQ(config.transactions().default_idle_timeout().seconds(), 30);
  EXPECT_EQ(config.transactions().max_idle_timeout().seconds(), 300);
  EXPECT_EQ(config.transactions().max_lifetime().seconds(), 600);
  EXPECT_EQ(config.transactions().max_open(), 1000u);

  EXPECT_THAT(config.retry().transient_errnos(), ElementsAre(1040, 1053, 1927));
  EXPECT_EQ(config.retry().max_attempts(), 2u);

  EXPECT_EQ(config.shutdown_grace_period().seconds(), 10);
  unsigned cores = std::thread::hardware_concurrency();
  EXPECT_EQ(config.io_threads(), cores > 0 ? cores : 1u);

  EXPECT_FALSE(config.auth().allow_anonymous());
  EXPECT_EQ(config.auth().principals_size(), 0);

  // No MySQL listener without an address, so nothing to default there.
  EXPECT_FALSE(config.has_mysql_listener() && config.mysql_listener().max_connections() != 0);
}

TEST(ConfigDefaultsTest, MySqlListenerDefaultsOnlyWithAnAddress) {
  v1::GatewayConfig config;
  config.mutable_mysql_listener()->set_address("127.0.0.1:3307");
  ApplyDefaults(&config);
  const v1::MySqlListenerConfig& mysql = config.mysql_listener();
  EXPECT_EQ(mysql.server_version(), "10.11.99-mysqlgw");
  EXPECT_EQ(mysql.max_connections(), 1000u);
  EXPECT_EQ(mysql.default_auth_plugin(), "mysql_native_password");
  EXPECT_EQ(mysql.idle_timeout().seconds(), 8 * 3600);
  EXPECT_FALSE(mysql.require_tls());

  v1::GatewayConfig given;
  v1::MySqlListenerConfig* m = given.mutable_mysql_listener();
  m->set_address("127.0.0.1:0");
  m->set_server_version("8.0.36");
  m->set_max_connections(5);
  m->set_default_auth_plugin("caching_sha2_password");
  m->mutable_idle_timeout()->set_seconds(0);  // Explicit: no idle timeout.
  ApplyDefaults(&given);
  EXPECT_EQ(given.mysql_listener().server_version(), "8.0.36");
  EXPECT_EQ(given.mysql_listener().max_connections(), 5u);
  EXPECT_EQ(given.mysql_listener().default_auth_plugin(), "caching_sha2_password");
  EXPECT_TRUE(given.mysql_listener().has_idle_timeout());
  EXPECT_EQ(given.mysql_listener().idle_timeout().seconds(), 0);

  v1::GatewayConfig off;
  off.mutable_mysql_listener()->set_max_connections(0);
  ApplyDefaults(&off);
  EXPECT_EQ(off.mysql_listener().max_connections(), 0u);
  EXPECT_TRUE(off.mysql_listener().server_version().empty());
}

TEST(ConfigDefaultsTest, GivenValuesAreKept) {
  v1::GatewayConfig config;
  config.mutable_listen()->set_address("[::]:9000");
  config.mutable_listen()->set_max_request_bytes(1000);
  v1::BackendConfig* backend = config.add_backends();
  backend->set_role(v1::BACKEND_ROLE_REPLICA);
  backend->mutable_pool()->set_min_idle(3);
  backend->mutable_pool()->set_max_open(4);
  backend->mutable_pool()->mutable_idle_timeout()->set_seconds(0);  // Explicit "0s".
  backend->mutable_pool()->mutable_connect_timeout()->set_nanos(250000000);
  config.mutable_limits()->mutable_default_statement_timeout()->set_seconds(7);
  config.mutable_transactions()->mutable_max_idle_timeout()->set_seconds(90);
  config.mutable_retry()->add_transient_errnos(1205);
  config.mutable_retry()->set_max_attempts(5);
  config.mutable_shutdown_grace_period()->set_seconds(0);
  config.set_io_threads(3);
  ApplyDefaults(&config);

  EXPECT_EQ(config.listen().address(), "[::]:9000");
  EXPECT_EQ(config.listen().max_request_bytes(), 1000u);
  EXPECT_EQ(config.backends(0).role(), v1::BACKEND_ROLE_REPLICA);
  EXPECT_EQ(config.backends(0).pool().min_idle(), 3u);
  EXPECT_EQ(config.backends(0).pool().max_open(), 4u);
  EXPECT_TRUE(config.backends(0).pool().has_idle_timeout());
  EXPECT_EQ(config.backends(0).pool().idle_timeout().seconds(), 0);
  EXPECT_EQ(config.backends(0).pool().connect_timeout().seconds(), 0);
  EXPECT_EQ(config.backends(0).pool().connect_timeout().nanos(), 250000000);
  EXPECT_EQ(config.limits().default_statement_timeout().seconds(), 7);
  EXPECT_EQ(config.transactions().max_idle_timeout().seconds(), 90);
  EXPECT_EQ(config.transactions().default_idle_timeout().seconds(), 30);
  EXPECT_THAT(config.retry().transient_errnos(), ElementsAre(1205));
  EXPECT_EQ(config.retry().max_attempts(), 5u);
  EXPECT_EQ(config.shutdown_grace_period().seconds(), 0);
  EXPECT_EQ(config.io_threads(), 3u);
}

TEST(ConfigDefaultsTest, Idempotent) {
  v1::GatewayConfig once;
  once.add_backends()->set_name("a");
  ApplyDefaults(&once);
  v1::GatewayConfig twice = once;
  ApplyDefaults(&twice);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(once, twice));
}

}  // namespace
}  // namespace mysqlgw
