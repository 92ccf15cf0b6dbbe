#include "clients/cpp/client.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace mysqlgw::client {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials(const TlsOptions& tls) {
  grpc::SslCredentialsOptions ssl;
  if (!tls.root_ca_path.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(tls.root_ca_path, "root CA file");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
  }
  if (tls.client_cert_path.empty() != tls.client_key_path.empty()) {
    return absl::InvalidArgumentError(
        "mTLS needs both a client certificate and its key, or neither");
  }
  if (!tls.client_cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(tls.client_cert_path, "client certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(tls.client_key_path, "client key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *std::move(cert);
    ssl.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(ssl);
}

// gRPC channels connect lazily; this makes a wrong address, a refused
// connection or a failed TLS handshake an error of Connect.
absl::Status WaitUntilReady(grpc::Channel& channel, absl::string_view target,
                            absl::Duration timeout) {
  const auto deadline = absl::ToChronoTime(absl::Now() + timeout);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to the gateway at ", target,
                       " (connection refused or unreachable, or the TLS handshake failed)"));
    }
    if (!channel.WaitForStateChange(state, deadline)) {
      return absl::UnavailableError(absl::StrCat("cannot connect to the gateway at ", target,
                                                 " within ", absl::FormatDuration(timeout)));
    }
    state = channel.GetState(/*try_to_connect=*/true);
  }
  return absl::OkStatus();
}

// Bounds the destructor's rollback: a destructor must not hang on a dead
// gateway, which rolls the transaction back after its idle timeout anyway.
absl::Duration DestructorTimeout(const ClientOptions& options) {
  return std::min(options.default_timeout, absl::Seconds(10));
}

absl::Status MovedFrom() { return absl::FailedPreconditionError("the transaction was moved from"); }

}  // namespace

absl::StatusOr<Client> Client::Connect(absl::string_view target, ClientOptions options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  if (options.tls.has_value()) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls = Credentials(*options.tls);
    if (!tls.ok()) return tls.status();
    credentials = *std::move(tls);
    if (!options.tls->server_name_override.empty()) {
      args.SetSslTargetNameOverride(options.tls->server_name_override);
    }
  }
  // Buffered results may be large: the gateway bounds them (max_bytes), so
  // gRPC's default 4 MB receive limit would only get in the way.
  args.SetMaxReceiveMessageSize(-1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(std::string(target), credentials, args);
  if (options.connect_timeout > absl::ZeroDuration()) {
    absl::Status ready = WaitUntilReady(*channel, target, options.connect_timeout);
    if (!ready.ok()) return ready;
  }
  return FromChannel(std::move(channel), std::move(options));
}

Client Client::FromChannel(std::shared_ptr<grpc::Channel> channel, ClientOptions options) {
  return Client(std::make_shared<const internal::Caller>(std::move(channel), std::move(options)));
}

absl::StatusOr<QueryResult> Client::Query(absl::string_view sql, const Params& params,
                                          const CallOptions& options) const {
  return caller_->Query("", sql, params, options);
}

absl::Status Client::Stream(absl::string_view sql, const Params& params, const CallOptions& options,
                            RowCallback on_row, HeaderCallback on_header,
                            FooterCallback on_footer) const {
  return caller_->Stream("", sql, params, options, on_row, on_header, on_footer);
}

absl::StatusOr<v1::StatementOutcome> Client::Execute(absl::string_view sql, const Params& params,
                                                     const CallOptions& options) const {
  return caller_->Execute("", sql, params, options);
}

absl::StatusOr<std::vector<v1::BatchItemResult>> Client::ExecuteBatch(
    absl::string_view sql, const std::vector<Params>& param_sets, const CallOptions& options,
    bool stop_on_error) const {
  return caller_->Batch(internal::MakeBatchRequest("", sql, param_sets, options, stop_on_error),
                        options);
}

absl::StatusOr<std::vector<v1::BatchItemResult>> Client::ExecuteStatements(
    const std::vector<Statement>& statements, const CallOptions& options,
    bool stop_on_error) const {
  return caller_->Batch(internal::MakeStatementsRequest("", statements, options, stop_on_error),
                        options);
}

absl::StatusOr<Transaction> Client::Begin(v1::IsolationLevel isolation, bool read_only) const {
  TransactionOptions options;
  options.isolation = isolation;
  options.read_only = read_only;
  return Begin(options);
}

absl::StatusOr<Transaction> Client::Begin(const TransactionOptions& options) const {
  absl::StatusOr<std::string> id = caller_->Begin(options);
  if (!id.ok()) return id.status();
  return Transaction(caller_, *std::move(id));
}

absl::StatusOr<ChangeStream> Client::Changes(const ChangesOptions& options) const {
  absl::StatusOr<v1::StreamBinlogRequest> request = internal::MakeStreamBinlogRequest(options);
  if (!request.ok()) return request.status();
  return ChangeStream(caller_, *request, options);
}

Transaction::Transaction(Transaction&& other) noexcept
    : caller_(std::move(other.caller_)),
      id_(std::move(other.id_)),
      active_(std::exchange(other.active_, false)) {}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  if (this != &other) {
    if (active_) (void)End(/*commit=*/false, DestructorTimeout(caller_->options()));
    caller_ = std::move(other.caller_);
    id_ = std::move(other.id_);
    active_ = std::exchange(other.active_, false);
  }
  return *this;
}

Transaction::~Transaction() {
  if (active_) (void)End(/*commit=*/false, DestructorTimeout(caller_->options()));
}

absl::StatusOr<QueryResult> Transaction::Query(absl::string_view sql, const Params& params,
                                               const CallOptions& options) const {
  if (caller_ == nullptr) return MovedFrom();
  return caller_->Query(id_, sql, params, options);
}

absl::Status Transaction::Stream(absl::string_view sql, const Params& params,
                                 const CallOptions& options, RowCallback on_row,
                                 HeaderCallback on_header, FooterCallback on_footer) const {
  if (caller_ == nullptr) return MovedFrom();
  return caller_->Stream(id_, sql, params, options, on_row, on_header, on_footer);
}

absl::StatusOr<v1::StatementOutcome> Transaction::Execute(absl::string_view sql,
                                                          const Params& params,
                                                          const CallOptions& options) const {
  if (caller_ == nullptr) return MovedFrom();
  return caller_->Execute(id_, sql, params, options);
}

absl::StatusOr<std::vector<v1::BatchItemResult>> Transaction::ExecuteBatch(
    absl::string_view sql, const std::vector<Params>& param_sets, const CallOptions& options,
    bool stop_on_error) const {
  if (caller_ == nullptr) return MovedFrom();
  return caller_->Batch(internal::MakeBatchRequest(id_, sql, param_sets, options, stop_on_error),
                        options);
}

absl::StatusOr<std::vector<v1::BatchItemResult>> Transaction::ExecuteStatements(
    const std::vector<Statement>& statements, const CallOptions& options,
    bool stop_on_error) const {
  if (caller_ == nullptr) return MovedFrom();
  return caller_->Batch(internal::MakeStatementsRequest(id_, statements, options, stop_on_error),
                        options);
}

absl::Status Transaction::Commit(absl::Duration timeout) { return End(true, timeout); }

absl::Status Transaction::Rollback(absl::Duration timeout) { return End(false, timeout); }

absl::Status Transaction::End(bool commit, absl::Duration timeout) {
  if (!active_) {
    return caller_ == nullptr ? MovedFrom()
                              : absl::FailedPreconditionError("the transaction already ended");
  }
  absl::Status s = caller_->End(id_, commit, timeout);
  if (s.ok()) active_ = false;
  return s;
}

}  // namespace mysqlgw::client
