#include "tests/mysqlwire_server/client_fixture.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "testing/subprocess.h"

namespace mysqlgw::testing {
namespace {

absl::StatusOr<TlsMaterial> MakeTlsMaterial() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  TlsMaterial m;
  m.dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/tls-", getpid());
  m.cert_file = m.dir + "/cert.pem";
  m.key_file = m.dir + "/key.pem";
  absl::StatusOr<std::string> mkdir = RunCommand({"mkdir", "-p", m.dir});
  if (!mkdir.ok()) return mkdir.status();
  absl::StatusOr<std::string> made = RunCommand(
      {FindProgram("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
       "2", "-subj", "/CN=localhost", "-keyout", m.key_file, "-out", m.cert_file});
  if (!made.ok()) return made.status();

  m.context = std::make_shared<boost::asio::ssl::context>(
      boost::asio::ssl::context::tls_server);
  boost::system::error_code ec;
  m.context->use_certificate_chain_file(m.cert_file, ec);
  if (!ec) m.context->use_private_key_file(m.key_file, boost::asio::ssl::context::pem, ec);
  if (ec) return absl::InternalError(absl::StrCat("loading TLS files: ", ec.message()));

  std::ifstream key_in(m.key_file);
  std::stringstream pem;
  pem << key_in.rdbuf();
  absl::StatusOr<mysqlwire::RsaPasswordKey> key =
      mysqlwire::RsaPasswordKey::FromPrivateKeyPem(pem.str());
  if (!key.ok()) return key.status();
  m.rsa_key = std::make_shared<const mysqlwire::RsaPasswordKey>(*std::move(key));
  return m;
}

}  // namespace

absl::StatusOr<const TlsMaterial*> GetTlsMaterial() {
  static const absl::StatusOr<TlsMaterial>* const kMaterial =
      new absl::StatusOr<TlsMaterial>(MakeTlsMaterial());
  if (!kMaterial->ok()) return kMaterial->status();
  return &**kMaterial;
}

absl::StatusOr<std::unique_ptr<mysqlwire::testing::ToyServer>> StartServer(
    const ServerSetup& setup) {
  mysqlwire::testing::ToyServerOptions options;
  options.handshake.default_auth_plugin = setup.default_plugin;
  if (setup.tls || setup.rsa) {
    absl::StatusOr<const TlsMaterial*> tls = GetTlsMaterial();
    if (!tls.ok()) return tls.status();
    if (setup.tls) options.handshake.tls_context = (*tls)->context;
    if (setup.rsa) options.handshake.rsa_key = (*tls)->rsa_key;
  }
  return mysqlwire::testing::ToyServer::Start(std::move(options));
}

std::string FindProgram(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/local/bin"}) {
    std::string path = absl::StrCat(dir, "/", name);
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace mysqlgw::testing
