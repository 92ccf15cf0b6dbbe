#include "server/listener/handshake_setup.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "mysqlwire/protocol/server_auth.h"
#include "server/config/config_defaults.h"

namespace mysqlgw {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> TlsContext(
    const v1::TlsServerConfig& tls) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and up, as MySQL 8 and MariaDB 10.11 default to.
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context->use_certificate_chain_file(tls.cert_file(), ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("mysql_listener.tls.cert_file ", tls.cert_file(), ": ", ec.message()));
  }
  context->use_private_key_file(tls.key_file(), ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("mysql_listener.tls.key_file ", tls.key_file(), ": ", ec.message()));
  }
  if (!tls.client_ca_file().empty()) {
    context->load_verify_file(tls.client_ca_file(), ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("mysql_listener.tls.client_ca_file ",
                                                     tls.client_ca_file(), ": ", ec.message()));
    }
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

}  // namespace

absl::StatusOr<mysqlwire::ServerHandshakeOptions> BuildHandshakeOptions(
    const v1::MySqlListenerConfig& config) {
  mysqlwire::ServerHandshakeOptions options;
  // Offered as MySQL and MariaDB offer it: clients such as mysql2 read an
  // OK packet's info as length-encoded only when the greeting has it.
  options.session_track = true;
  options.server_version = config.server_version().empty() ? kDefaultMySqlServerVersion
                                                           : config.server_version();
  const std::string& plugin = config.default_auth_plugin();
  if (plugin.empty() || plugin == "mysql_native_password") {
    options.default_auth_plugin = "mysql_native_password";
  } else if (plugin == "caching_sha2_password") {
    options.default_auth_plugin = plugin;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "mysql_listener.default_auth_plugin: '", plugin,
        "' is neither mysql_native_password nor caching_sha2_password"));
  }
  if (!config.tls().cert_file().empty()) {
    absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls = TlsContext(config.tls());
    if (!tls.ok()) return tls.status();
    options.tls_context = *std::move(tls);
  }
  if (config.require_tls() && options.tls_context == nullptr) {
    return absl::InvalidArgumentError("mysql_listener.require_tls needs tls.cert_file");
  }
  options.require_tls = config.require_tls();
  if (!config.rsa_private_key_file().empty()) {
    absl::StatusOr<std::string> pem = ReadWholeFile(config.rsa_private_key_file());
    if (!pem.ok()) return pem.status();
    absl::StatusOr<mysqlwire::RsaPasswordKey> key =
        mysqlwire::RsaPasswordKey::FromPrivateKeyPem(*pem);
    if (!key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "mysql_listener.rsa_private_key_file ", config.rsa_private_key_file(), ": ",
          key.status().message()));
    }
    options.rsa_key = std::make_shared<const mysqlwire::RsaPasswordKey>(*std::move(key));
  }
  return options;
}

}  // namespace mysqlgw
