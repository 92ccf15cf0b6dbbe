// Shared set-up for tests that point real MySQL clients at a ToyServer:
// TLS material made with the openssl CLI, and server options for each auth
// scenario.
#ifndef TESTS_MYSQLWIRE_SERVER_CLIENT_FIXTURE_H_
#define TESTS_MYSQLWIRE_SERVER_CLIENT_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "boost/asio/ssl/context.hpp"
#include "mysqlwire/protocol/server_auth.h"
#include "mysqlwire/server/toy_server.h"

namespace mysqlgw::testing {

struct TlsMaterial {
  std::string dir;
  std::string cert_file;
  std::string key_file;
  std::shared_ptr<boost::asio::ssl::context> context;
  std::shared_ptr<const mysqlwire::RsaPasswordKey> rsa_key;
};

// A self-signed certificate and RSA key, generated once per process under
// TEST_TMPDIR with `openssl req -x509 -newkey rsa:2048`.
absl::StatusOr<const TlsMaterial*> GetTlsMaterial();

struct ServerSetup {
  bool tls = false;
  bool rsa = false;
  std::string default_plugin = "mysql_native_password";
};

// Starts a ToyServer configured as `setup` says.
absl::StatusOr<std::unique_ptr<mysqlwire::testing::ToyServer>> StartServer(
    const ServerSetup& setup);

// Absolute path of a client program, or empty when it is not installed.
std::string FindProgram(const std::string& name);

}  // namespace mysqlgw::testing

#endif  // TESTS_MYSQLWIRE_SERVER_CLIENT_FIXTURE_H_
