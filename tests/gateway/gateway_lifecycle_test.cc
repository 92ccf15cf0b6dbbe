// The gateway process around the calls: graceful shutdown, TLS and mutual
// TLS on the gRPC port, transparent retry after a lost backend connection,
// and secrets kept out of logs and errors. Each test runs its own gateway.
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "testing/subprocess.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw {
namespace {

using testing::GatewayProcess;
using testing::Sha256Hex;

constexpr char kToken[] = "lifecycle-token-42";

std::string Config(const testing::ServerInfo& s, const std::string& extra = "",
                   const std::string& listen_extra = "", int max_open = 4) {
  return absl::StrReplaceAll(R"(
listen:
  address: "127.0.0.1:0"
LISTEN_EXTRA
io_threads: 1
shutdown_grace_period: "5s"
backends:
  - name: primary
    dsn: "mysql://USER@127.0.0.1:PORT/mysqlgw_test?ssl-mode=disabled"
    password_env: MYSQLGW_IT_BACKEND_PASSWORD
    pool:
      max_open: MAX_OPEN
auth:
  principals:
    - name: app
      token_sha256: ["HASH"]
      databases: ["*"]
      operations: [read, write, ddl, admin]
EXTRA
)",
                             {{"USER", s.user},
                              {"PORT", std::to_string(s.port)},
                              {"HASH", Sha256Hex(kToken)},
                              {"EXTRA", extra},
                              {"MAX_OPEN", std::to_string(max_open)},
                              {"LISTEN_EXTRA", listen_extra}});
}

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::SharedServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
  }
  std::unique_ptr<GatewayProcess> StartGateway(const std::string& config,
                                               const std::string& password = "") {
    testing::GatewayProcessOptions options;
    options.config_yaml = config;
    options.env = {{"MYSQLGW_IT_BACKEND_PASSWORD",
                    password.empty() ? server_->password : password}};
    auto gw = GatewayProcess::Start(options);
    EXPECT_TRUE(gw.ok()) << gw.status();
    return gw.ok() ? *std::move(gw) : nullptr;
  }
  static std::unique_ptr<v1::Gateway::Stub> Stub(const std::string& address) {
    return v1::Gateway::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  }
  static grpc::Status Query(v1::Gateway::Stub& stub, const std::string& sql,
                            v1::QueryResponse* resp, const std::string& tx = "") {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::QueryRequest req;
    req.set_sql(sql);
    req.set_transaction_id(tx);
    return stub.Query(&ctx, req, resp);
  }
  std::string RootQuery(const std::string& sql) {
    auto r = testing::QueryAsRoot(*server_, sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::string(absl::StripAsciiWhitespace(*r)) : "";
  }

  const testing::ServerInfo* server_ = nullptr;
};

TEST_F(LifecycleTest, SigtermDrainsInFlightCallsAndRollsBackTransactions) {
  auto gw = StartGateway(Config(*server_));
  ASSERT_NE(gw, nullptr);
  auto stub = Stub(gw->address());
  v1::QueryResponse resp;
  ASSERT_TRUE(Query(*stub, "CREATE TABLE IF NOT EXISTS shutdown_t (id INT PRIMARY KEY)", &resp).ok());
  ASSERT_TRUE(Query(*stub, "DELETE FROM shutdown_t", &resp).ok());

  // An open transaction with an uncommitted row.
  std::string tx;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    v1::BeginTransactionRequest req;
    v1::BeginTransactionResponse begun;
    ASSERT_TRUE(stub->BeginTransaction(&ctx, req, &begun).ok());
    tx = begun.transaction_id();
  }
  ASSERT_TRUE(Query(*stub, "INSERT INTO shutdown_t VALUES (1)", &resp, tx).ok());

  // A call in flight when SIGTERM arrives finishes normally.
  auto in_flight = std::async(std::launch::async, [&] {
    v1::QueryResponse r;
    grpc::Status s = Query(*stub, "SELECT SLEEP(1), 42", &r);
    return std::make_pair(s, r);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stopped = std::async(std::launch::async, [&] { return gw->Stop(); });
  auto [status, result] = in_flight.get();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  if (status.ok()) {
    EXPECT_EQ(result.results(0).rows(0).values(1).int64(), 42);
  }
  auto code = stopped.get();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << gw->Log();

  // The transaction was rolled back, not left hanging or committed.
  EXPECT_EQ(RootQuery("SELECT COUNT(*) FROM mysqlgw_test.shutdown_t"), "0");
  EXPECT_NE(gw->Log().find("draining"), std::string::npos);
  // And nothing listens any more.
  v1::QueryResponse after;
  EXPECT_EQ(Query(*stub, "SELECT 1", &after).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(LifecycleTest, DrainRefusesNewCallsAndIdleChannelsDoNotDelayShutdown) {
  auto gw = StartGateway(Config(*server_));
  ASSERT_NE(gw, nullptr);
  auto stub = Stub(gw->address());
  v1::QueryResponse resp;
  ASSERT_TRUE(Query(*stub, "SELECT 1", &resp).ok());

  // A long call keeps the gateway draining; a call that arrives meanwhile
  // is refused with UNAVAILABLE (a client retries elsewhere).
  auto in_flight = std::async(std::launch::async, [&] {
    v1::QueryResponse r;
    return Query(*stub, "SELECT SLEEP(1.5)", &r);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { return gw->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  grpc::Status refused = Query(*stub, "SELECT 2", &resp);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_TRUE(in_flight.get().ok());
  auto code = stopped.get();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << gw->Log();
  // The channel stayed open throughout: the gateway did not wait for it
  // (it used to, for about 5 s after the GOAWAY).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(4500))
      << gw->Log();
}

TEST_F(LifecycleTest, ReadIsRetriedAfterTheBackendDropsTheConnection) {
  // One pooled connection, so the killed one is the one the next call gets.
  auto gw = StartGateway(Config(*server_, "", "", /*max_open=*/1));
  ASSERT_NE(gw, nullptr);
  auto stub = Stub(gw->address());
  v1::QueryResponse resp;
  ASSERT_TRUE(Query(*stub, "SELECT CONNECTION_ID()", &resp).ok());
  const uint64_t id = resp.results(0).rows(0).values(0).uint64();
  // The server drops the pooled connection behind the gateway's back.
  RootQuery(absl::StrCat("KILL ", id));
  v1::QueryResponse again;
  grpc::Status s = Query(*stub, "SELECT CONNECTION_ID()", &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(again.results(0).rows(0).values(0).uint64(), id);

  // A write is not retried on its own: the caller decides.
  ASSERT_TRUE(Query(*stub, "CREATE TABLE IF NOT EXISTS retry_t (id INT)", &resp).ok());
  ASSERT_TRUE(Query(*stub, "SELECT CONNECTION_ID()", &resp).ok());
  RootQuery(absl::StrCat("KILL ", resp.results(0).rows(0).values(0).uint64()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  v1::ExecuteRequest write;
  write.set_sql("INSERT INTO retry_t VALUES (1)");
  v1::ExecuteResponse out;
  grpc::Status w = stub->Execute(&ctx, write, &out);
  EXPECT_EQ(w.error_code(), grpc::StatusCode::UNAVAILABLE) << w.error_message();
  // Marked idempotent, it is.
  ASSERT_TRUE(Query(*stub, "SELECT CONNECTION_ID()", &resp).ok());
  RootQuery(absl::StrCat("KILL ", resp.results(0).rows(0).values(0).uint64()));
  grpc::ClientContext ctx2;
  ctx2.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  write.mutable_options()->set_idempotent(true);
  grpc::Status idempotent = stub->Execute(&ctx2, write, &out);
  EXPECT_TRUE(idempotent.ok()) << idempotent.error_message();
}

TEST_F(LifecycleTest, BackendPasswordNeverReachesLogsOrCallers) {
  const std::string wrong = "Wr0ng-Backend-Pa55word";
  auto gw = StartGateway(Config(*server_), wrong);
  ASSERT_NE(gw, nullptr);
  auto stub = Stub(gw->address());
  v1::QueryResponse resp;
  grpc::Status s = Query(*stub, "SELECT 1", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(s.error_message().find(wrong), std::string::npos);
  EXPECT_EQ(s.error_details().find(wrong), std::string::npos);
  ASSERT_TRUE(gw->Stop().ok());
  EXPECT_EQ(gw->Log().find(wrong), std::string::npos);
  EXPECT_EQ(gw->Log().find(server_->password), std::string::npos);
}

TEST_F(LifecycleTest, PasswordInsideTheDsnIsRefusedAtStartup) {
  testing::GatewayProcessOptions options;
  options.config_yaml = absl::StrReplaceAll(
      Config(*server_), {{absl::StrCat("mysql://", server_->user, "@"),
                          absl::StrCat("mysql://", server_->user, ":", server_->password, "@")}});
  auto gw = GatewayProcess::Start(options);
  ASSERT_FALSE(gw.ok());
  EXPECT_NE(gw.status().message().find("password"), std::string::npos) << gw.status();
  EXPECT_EQ(gw.status().message().find(server_->password), std::string::npos);
}

// Certificates for the gRPC port, made with the openssl CLI.
struct Pki {
  std::string dir, ca, server_cert, server_key, client_cert, client_key;
};

absl::Status MakePki(Pki* pki) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  pki->dir = absl::StrCat(tmp ? tmp : "/tmp", "/pki");
  std::string script = absl::StrReplaceAll(R"(
set -e
mkdir -p DIR && cd DIR
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem 2>/dev/null
cat > ext.cnf <<EOF
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client.key -out client.csr 2>/dev/null
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem 2>/dev/null
)",
                                           {{"DIR", pki->dir}});
  auto r = testing::RunCommand({"bash", "-c", script});
  if (!r.ok()) return r.status();
  pki->ca = pki->dir + "/ca.pem";
  pki->server_cert = pki->dir + "/server.pem";
  pki->server_key = pki->dir + "/server.key";
  pki->client_cert = pki->dir + "/client.pem";
  pki->client_key = pki->dir + "/client.key";
  return absl::OkStatus();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

grpc::Status TlsQuery(const std::string& address, const grpc::SslCredentialsOptions& creds) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto channel = grpc::CreateCustomChannel(address, grpc::SslCredentials(creds), args);
  auto stub = v1::Gateway::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::QueryRequest req;
  req.set_sql("SELECT 1");
  v1::QueryResponse resp;
  return stub->Query(&ctx, req, &resp);
}

TEST_F(LifecycleTest, TlsAndMutualTlsOnTheGrpcPort) {
  Pki pki;
  ASSERT_TRUE(MakePki(&pki).ok());
  auto gw = StartGateway(Config(*server_, "",
                                absl::StrCat("  tls:\n    cert_file: \"", pki.server_cert,
                                             "\"\n    key_file: \"", pki.server_key,
                                             "\"\n    client_ca_file: \"", pki.ca, "\"\n")));
  ASSERT_NE(gw, nullptr);
  grpc::SslCredentialsOptions good;
  good.pem_root_certs = ReadAll(pki.ca);
  good.pem_private_key = ReadAll(pki.client_key);
  good.pem_cert_chain = ReadAll(pki.client_cert);
  grpc::Status ok = TlsQuery(gw->address(), good);
  EXPECT_TRUE(ok.ok()) << ok.error_message();

  // No client certificate: refused by mutual TLS.
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = ReadAll(pki.ca);
  EXPECT_EQ(TlsQuery(gw->address(), no_cert).error_code(), grpc::StatusCode::UNAVAILABLE);

  // A client that does not trust the gateway's CA refuses the server.
  grpc::SslCredentialsOptions wrong_ca = good;
  wrong_ca.pem_root_certs = ReadAll(server_->wrong_ca_path);
  EXPECT_EQ(TlsQuery(gw->address(), wrong_ca).error_code(), grpc::StatusCode::UNAVAILABLE);

  // Plaintext against the TLS port fails.
  auto plain = Stub(gw->address());
  v1::QueryResponse resp;
  EXPECT_EQ(Query(*plain, "SELECT 1", &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace mysqlgw
