// Pieces every gRPC call of the gateway uses: the caller's token and
// deadline, request parsing with a proper INVALID_ARGUMENT, and a
// server-streaming reactor whose writes a coroutine on an event loop can
// await (one write in flight; the coroutine pauses until gRPC took it).
#ifndef SERVER_GATEWAY_GRPC_CALL_H_
#define SERVER_GATEWAY_GRPC_CALL_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/asio/awaitable.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "server/gateway/call_control.h"

namespace mysqlgw {

std::optional<absl::string_view> AuthorizationHeader(grpc::CallbackServerContext* context);
std::chrono::steady_clock::time_point SteadyDeadline(grpc::CallbackServerContext* context);
// Why gRPC cancelled the call: its deadline, or the client.
absl::Status CancelReason(grpc::CallbackServerContext* context);

template <typename Message>
absl::Status ParseRequest(const grpc::ByteBuffer* raw, Message* out) {
  grpc::ByteBuffer copy(*raw);  // Shares the slices; the reader consumes them.
  grpc::ProtoBufferReader reader(&copy);
  if (!reader.status().ok() || !out->ParseFromZeroCopyStream(&reader)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request is not a valid ", Message::descriptor()->full_name(),
        " (string fields must be valid UTF-8; send binary data as bytes)"));
  }
  return absl::OkStatus();
}

template <typename Message>
void SerializeResponse(const Message& message, grpc::ByteBuffer* out) {
  bool own = false;
  grpc::Status s = grpc::SerializationTraits<Message>::Serialize(message, out, &own);
  (void)s;  // Serializing a message we built cannot fail.
}

class AwaitableWriteReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  AwaitableWriteReactor(grpc::CallbackServerContext* context, boost::asio::io_context& loop)
      : context_(context), loop_(loop), write_signal_(loop) {}

  void set_control(std::shared_ptr<CallControl> control) { control_ = std::move(control); }

  // On the loop: sends one serialized message and completes when gRPC has
  // taken it (CANCELLED if the client went away).
  boost::asio::awaitable<absl::Status> WriteMessage(const std::string& serialized);
  // Whether any message was handed to gRPC yet.
  bool wrote_any() const { return wrote_any_; }

  // gRPC threads.
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* context_;
  boost::asio::io_context& loop_;
  std::shared_ptr<CallControl> control_;
  grpc::ByteBuffer in_flight_;
  bool wrote_any_ = false;
  bool write_completed_ = false;
  bool write_ok_ = true;
  boost::asio::steady_timer write_signal_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_GRPC_CALL_H_
