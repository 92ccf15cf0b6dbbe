#include "server/listener/handshake_setup.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "mysqlwire/server/test_certs.h"

namespace mysqlgw {
namespace {

std::string WriteFile(const std::string& name, absl::string_view contents) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << contents;
  return path;
}

TEST(HandshakeSetupTest, DefaultsWithoutTls) {
  v1::MySqlListenerConfig config;
  config.set_address("127.0.0.1:0");
  absl::StatusOr<mysqlwire::ServerHandshakeOptions> options = BuildHandshakeOptions(config);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->server_version, "10.11.99-mysqlgw");
  EXPECT_EQ(options->default_auth_plugin, "mysql_native_password");
  EXPECT_EQ(options->tls_context, nullptr);
  EXPECT_EQ(options->rsa_key, nullptr);
  EXPECT_FALSE(options->require_tls);
}

TEST(HandshakeSetupTest, TlsRsaAndPluginFromConfig) {
  v1::MySqlListenerConfig config;
  config.set_server_version("8.0.36-gw");
  config.set_default_auth_plugin("caching_sha2_password");
  config.mutable_tls()->set_cert_file(WriteFile("cert.pem", mysqlwire::testing::kTestCertPem));
  config.mutable_tls()->set_key_file(WriteFile("key.pem", mysqlwire::testing::kTestKeyPem));
  config.set_require_tls(true);
  config.set_rsa_private_key_file(WriteFile("rsa.pem", mysqlwire::testing::kTestKeyPem));
  absl::StatusOr<mysqlwire::ServerHandshakeOptions> options = BuildHandshakeOptions(config);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->server_version, "8.0.36-gw");
  EXPECT_EQ(options->default_auth_plugin, "caching_sha2_password");
  EXPECT_NE(options->tls_context, nullptr);
  EXPECT_TRUE(options->require_tls);
  ASSERT_NE(options->rsa_key, nullptr);
  EXPECT_NE(options->rsa_key->public_key_pem().find("PUBLIC KEY"), std::string::npos);
}

TEST(HandshakeSetupTest, BadSettingsAreRefused) {
  const std::string cert = WriteFile("cert2.pem", mysqlwire::testing::kTestCertPem);
  const std::string key = WriteFile("key2.pem", mysqlwire::testing::kTestKeyPem);
  const std::string garbage = WriteFile("garbage.pem", "not a pem file\n");
  struct Case {
    const char* name;
    std::function<void(v1::MySqlListenerConfig*)> mutate;
    const char* error;
  };
  const Case cases[] = {
      {"unknown plugin", [](auto* c) { c->set_default_auth_plugin("sha256_password"); },
       "default_auth_plugin"},
      {"require_tls without cert", [](auto* c) { c->set_require_tls(true); }, "require_tls"},
      {"missing cert",
       [&](auto* c) {
         c->mutable_tls()->set_cert_file("/nonexistent/cert.pem");
         c->mutable_tls()->set_key_file(key);
       },
       "tls.cert_file"},
      {"key is not a key",
       [&](auto* c) {
         c->mutable_tls()->set_cert_file(cert);
         c->mutable_tls()->set_key_file(garbage);
       },
       "tls.key_file"},
      {"client ca unreadable",
       [&](auto* c) {
         c->mutable_tls()->set_cert_file(cert);
         c->mutable_tls()->set_key_file(key);
         c->mutable_tls()->set_client_ca_file("/nonexistent/ca.pem");
       },
       "tls.client_ca_file"},
      {"rsa key missing", [](auto* c) { c->set_rsa_private_key_file("/nonexistent/rsa.pem"); },
       "cannot read /nonexistent/rsa.pem"},
      {"rsa key garbage", [&](auto* c) { c->set_rsa_private_key_file(garbage); },
       "rsa_private_key_file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::MySqlListenerConfig config;
    c.mutate(&config);
    absl::StatusOr<mysqlwire::ServerHandshakeOptions> options = BuildHandshakeOptions(config);
    ASSERT_FALSE(options.ok());
    EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(options.status().message().find(c.error), absl::string_view::npos)
        << options.status();
  }
}

}  // namespace
}  // namespace mysqlgw
