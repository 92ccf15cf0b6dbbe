// Shared pieces of the security matrix (tests/security/): a gateway
// configuration built from a few knobs, the real gateway started on it with
// its admin port, and callers that carry a given bearer token.
//
// Every test runs the real mysqlgw binary against the test binary's sandbox
// MariaDB (testing::SharedServer), over real gRPC on loopback.
#ifndef TESTS_SECURITY_SECURITY_FIXTURE_H_
#define TESTS_SECURITY_SECURITY_FIXTURE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "mysqlgw/v1/binlog.grpc.pb.h"
#include "mysqlgw/v1/gateway.grpc.pb.h"
#include "testing/sandbox.h"
#include "tests/support/gateway_process.h"

namespace mysqlgw::security {

struct PrincipalSpec {
  std::string name;
  std::string token;  // Its SHA-256 goes into the config.
  std::vector<std::string> databases = {"*"};
  std::vector<std::string> operations = {"read", "write", "ddl", "binlog", "admin"};
};

struct GatewaySpec {
  // The query part of the backend DSN (after '?').
  std::string dsn_query = "ssl-mode=disabled";
  // The host in the backend DSN.
  std::string dsn_host = "127.0.0.1";
  // The backend user; empty: the sandbox's plain user.
  std::string backend_user;
  // The backend password handed to the gateway (through an environment
  // variable); empty: the sandbox's password.
  std::string backend_password;
  std::vector<PrincipalSpec> principals;
  // YAML lines inserted under `listen:` (indented by two spaces already).
  std::string listen_extra;
  // Top-level YAML appended to the config (limits, interception, ...).
  std::string extra;
  int io_threads = 1;
  int max_open = 8;
  std::vector<std::string> extra_args;
};

// The YAML configuration for `spec` against `server`.
std::string ConfigYaml(const testing::ServerInfo& server, const GatewaySpec& spec);

// A started gateway and its admin HTTP port (/metrics).
struct RunningGateway {
  std::unique_ptr<testing::GatewayProcess> process;
  int admin_port = 0;
  std::string address() const { return process->address(); }
};

absl::StatusOr<RunningGateway> StartGateway(const testing::ServerInfo& server,
                                            const GatewaySpec& spec);

// GET /metrics on the admin port; the body, or an error.
absl::StatusOr<std::string> ScrapeMetrics(int admin_port);

// A fresh folder under TEST_TMPDIR (or /tmp).
std::string MakeTempDir(const std::string& prefix);

// Calls with a given token (none when empty) and a generous deadline.
class Caller {
 public:
  Caller(std::shared_ptr<grpc::Channel> channel, std::string token)
      : channel_(std::move(channel)),
        token_(std::move(token)),
        gateway_(v1::Gateway::NewStub(channel_)),
        changes_(v1::ChangeStream::NewStub(channel_)) {}
  Caller(const std::string& address, std::string token)
      : Caller(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
               std::move(token)) {}

  grpc::Status Query(const v1::QueryRequest& req, v1::QueryResponse* resp);
  grpc::Status Query(const std::string& sql, v1::QueryResponse* resp = nullptr);
  // Reads the whole stream; the chunks go to `chunks` when given.
  grpc::Status StreamQuery(const v1::QueryRequest& req,
                           std::vector<v1::StreamQueryResponse>* chunks = nullptr);
  grpc::Status Execute(const v1::ExecuteRequest& req, v1::ExecuteResponse* resp = nullptr);
  grpc::Status Execute(const std::string& sql, const std::string& transaction_id = "");
  grpc::Status ExecuteBatch(const v1::ExecuteBatchRequest& req,
                            v1::ExecuteBatchResponse* resp = nullptr);
  grpc::Status Begin(std::string* transaction_id, const std::string& database = "");
  grpc::Status Commit(const std::string& transaction_id);
  grpc::Status Rollback(const std::string& transaction_id);
  // StreamBinlog from now, until now (returns at once with what exists).
  grpc::Status StreamBinlogUntilNow();

  // The first value of the first row as text ("NULL" for NULL); empty and a
  // failed EXPECT when the query fails.
  std::string Scalar(const std::string& sql);

  std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::seconds deadline = std::chrono::seconds(60)) const;
  v1::Gateway::Stub& stub() { return *gateway_; }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string token_;
  std::unique_ptr<v1::Gateway::Stub> gateway_;
  std::unique_ptr<v1::ChangeStream::Stub> changes_;
};

// A value as text: strings and bytes as they are, numbers in decimal.
std::string ValueText(const v1::Value& v);

// Runs SQL as root on the sandbox; stdout with surrounding blanks removed.
std::string RootQuery(const testing::ServerInfo& server, const std::string& sql);

}  // namespace mysqlgw::security

#endif  // TESTS_SECURITY_SECURITY_FIXTURE_H_
