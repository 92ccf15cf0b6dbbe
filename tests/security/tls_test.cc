// TLS, both sides of the gateway, with certificate verification:
//  - the gRPC port: a client that does not trust the gateway's CA, a client
//    that expects another host name, a gateway whose certificate names
//    another host, and a plaintext client are all refused; the right CA and
//    name work;
//  - to MariaDB: the right CA works (and the session really is TLS); a wrong
//    CA and, under verify-identity, a wrong host name are refused at connect
//    and the caller sees UNAVAILABLE with a clear message.
#include <fstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/security/security_fixture.h"

namespace mysqlgw::security {
namespace {

constexpr char kToken[] = "tls-matrix-token-0123456789";

// A CA, a server certificate for localhost/127.0.0.1 and one for
// other.example (both signed by the CA), made with the openssl CLI.
struct Pki {
  std::string ca, localhost_cert, localhost_key, other_cert, other_key;
};

Pki MakePki() {
  const std::string dir = MakeTempDir("pki");
  const std::string script = absl::StrReplaceAll(R"(
set -e
cd DIR
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sec-test-ca -keyout ca.key -out ca.pem 2>/dev/null
for name in localhost other; do
  if [ $name = localhost ]; then san="DNS:localhost,IP:127.0.0.1"; cn=localhost;
  else san="DNS:other.example"; cn=other.example; fi
  printf 'subjectAltName=%s\n' "$san" > $name.ext
  openssl req -newkey rsa:2048 -nodes -subj /CN=$cn -keyout $name.key -out $name.csr 2>/dev/null
  openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $name.ext -out $name.pem 2>/dev/null
done
)",
                                                 {{"DIR", dir}});
  auto r = testing::RunCommand({"bash", "-c", script});
  EXPECT_TRUE(r.ok()) << r.status();
  return {dir + "/ca.pem", dir + "/localhost.pem", dir + "/localhost.key", dir + "/other.pem",
          dir + "/other.key"};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  GatewaySpec Spec() const {
    GatewaySpec spec;
    spec.principals = {{"app", kToken}};
    return spec;
  }
  RunningGateway Start(const GatewaySpec& spec) {
    auto gw = StartGateway(*server_, spec);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : RunningGateway{};
  }
  static std::string ServerTls(const std::string& cert, const std::string& key) {
    return absl::StrCat("  tls:\n    cert_file: \"", cert, "\"\n    key_file: \"", key, "\"\n");
  }
  // SELECT 1 over TLS trusting `ca`, expecting the server to be `name`
  // (empty: the address's own IP).
  static grpc::Status TlsSelect(const std::string& address, const std::string& ca,
                                const std::string& name) {
    grpc::SslCredentialsOptions creds;
    creds.pem_root_certs = ReadAll(ca);
    grpc::ChannelArguments args;
    if (!name.empty()) args.SetSslTargetNameOverride(name);
    Caller caller(grpc::CreateCustomChannel(address, grpc::SslCredentials(creds), args), kToken);
    v1::QueryResponse resp;
    grpc::Status s = caller.Query("SELECT 1", &resp);
    if (s.ok() && ValueText(resp.results(0).rows(0).values(0)) != "1") {
      return grpc::Status(grpc::StatusCode::INTERNAL, "wrong answer");
    }
    return s;
  }

  const testing::ServerInfo* server_ = nullptr;
};

// ---- The gRPC port ----

TEST_F(TlsTest, GrpcPortWithTheRightCaAndNameServes) {
  Pki pki = MakePki();
  GatewaySpec spec = Spec();
  spec.listen_extra = ServerTls(pki.localhost_cert, pki.localhost_key);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  grpc::Status by_name = TlsSelect(gw.address(), pki.ca, "localhost");
  EXPECT_TRUE(by_name.ok()) << by_name.error_message();
  // The certificate's IP SAN matches the address itself too.
  grpc::Status by_ip = TlsSelect(gw.address(), pki.ca, "");
  EXPECT_TRUE(by_ip.ok()) << by_ip.error_message();
}

TEST_F(TlsTest, GrpcClientWithAWrongCaIsRefused) {
  Pki pki = MakePki();
  GatewaySpec spec = Spec();
  spec.listen_extra = ServerTls(pki.localhost_cert, pki.localhost_key);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  // The sandbox's unrelated CA did not sign the gateway's certificate.
  grpc::Status s = TlsSelect(gw.address(), server_->wrong_ca_path, "localhost");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // The gateway is unharmed.
  EXPECT_TRUE(TlsSelect(gw.address(), pki.ca, "localhost").ok());
}

TEST_F(TlsTest, GrpcClientExpectingAnotherHostNameIsRefused) {
  Pki pki = MakePki();
  GatewaySpec spec = Spec();
  spec.listen_extra = ServerTls(pki.localhost_cert, pki.localhost_key);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  grpc::Status s = TlsSelect(gw.address(), pki.ca, "db.example.org");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
}

TEST_F(TlsTest, GrpcGatewayWithACertificateForAnotherNameIsRefused) {
  Pki pki = MakePki();
  GatewaySpec spec = Spec();
  // Signed by the trusted CA, but for other.example.
  spec.listen_extra = ServerTls(pki.other_cert, pki.other_key);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  EXPECT_EQ(TlsSelect(gw.address(), pki.ca, "localhost").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(TlsSelect(gw.address(), pki.ca, "").error_code(), grpc::StatusCode::UNAVAILABLE);
  // The same certificate is accepted for the name it carries: what refused
  // was the name check.
  grpc::Status right_name = TlsSelect(gw.address(), pki.ca, "other.example");
  EXPECT_TRUE(right_name.ok()) << right_name.error_message();
}

TEST_F(TlsTest, PlaintextClientOnTheTlsPortIsRefused) {
  Pki pki = MakePki();
  GatewaySpec spec = Spec();
  spec.listen_extra = ServerTls(pki.localhost_cert, pki.localhost_key);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  Caller plain(gw.address(), kToken);
  grpc::Status s = plain.Query("SELECT 1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(TlsSelect(gw.address(), pki.ca, "localhost").ok());
}

// ---- To MariaDB ----

TEST_F(TlsTest, BackendWithTheRightCaAndVerifyIdentityWorksOverTls) {
  GatewaySpec spec = Spec();
  // The account requires SSL: a plaintext session could not log in at all.
  spec.backend_user = server_->tls_user;
  spec.dsn_query = absl::StrCat("ssl-mode=verify-identity&ssl-ca=", server_->ca_path);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  Caller caller(gw.address(), kToken);
  v1::QueryResponse resp;
  grpc::Status s = caller.Query("SHOW SESSION STATUS LIKE 'Ssl_version'", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.results(0).rows_size(), 1);
  EXPECT_TRUE(absl::StartsWith(ValueText(resp.results(0).rows(0).values(1)), "TLS"))
      << resp.DebugString();
}

TEST_F(TlsTest, BackendWithAWrongCaIsRefusedAtConnect) {
  GatewaySpec spec = Spec();
  spec.dsn_query = absl::StrCat("ssl-mode=verify-ca&ssl-ca=", server_->wrong_ca_path);
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  Caller caller(gw.address(), kToken);
  for (int i = 0; i < 3; ++i) {  // Every attempt, not only the first.
    grpc::Status s = caller.Query("SELECT 1");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), "backend 'primary' is unavailable"))
        << s.error_message();
    EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(s.error_message()), "certificate"))
        << s.error_message();
  }
  auto metrics = ScrapeMetrics(gw.admin_port);
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(absl::StrContains(*metrics, "mysqlgw_pool_connections_open{backend=\"primary\"} 0\n"))
      << *metrics;
}

TEST_F(TlsTest, BackendWithAWrongHostNameIsRefusedUnderVerifyIdentity) {
  // The sandbox's certificate names localhost and 127.0.0.1; the gateway is
  // told to expect db.example.org (as if it had connected by that name).
  GatewaySpec spec = Spec();
  spec.dsn_query = absl::StrCat("ssl-mode=verify-identity&ssl-ca=", server_->ca_path,
                                "&ssl-server-name=db.example.org");
  RunningGateway gw = Start(spec);
  ASSERT_NE(gw.process, nullptr);
  Caller caller(gw.address(), kToken);
  grpc::Status s = caller.Query("SELECT 1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "backend 'primary' is unavailable"))
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(s.error_message()), "certificate"))
      << s.error_message();

  // verify-ca checks the chain only: the same name is then accepted, so the
  // refusal above came from the host name check.
  GatewaySpec chain_only = Spec();
  chain_only.dsn_query = absl::StrCat("ssl-mode=verify-ca&ssl-ca=", server_->ca_path,
                                      "&ssl-server-name=db.example.org");
  RunningGateway gw2 = Start(chain_only);
  ASSERT_NE(gw2.process, nullptr);
  Caller caller2(gw2.address(), kToken);
  EXPECT_EQ(caller2.Scalar("SELECT 1"), "1");
}

}  // namespace
}  // namespace mysqlgw::security
