#include "server/gateway/grpc_call.h"

#include "boost/asio/as_tuple.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/use_awaitable.hpp"

namespace mysqlgw {
namespace asio = boost::asio;

std::optional<absl::string_view> AuthorizationHeader(grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

std::chrono::steady_clock::time_point SteadyDeadline(grpc::CallbackServerContext* context) {
  const auto deadline = context->deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return std::chrono::steady_clock::time_point::max();
  }
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             deadline - std::chrono::system_clock::now());
}

absl::Status CancelReason(grpc::CallbackServerContext* context) {
  if (context->deadline() <= std::chrono::system_clock::now()) {
    return absl::DeadlineExceededError("the call's deadline passed; the statement was killed");
  }
  return absl::CancelledError("the call was cancelled; the statement was killed");
}

asio::awaitable<absl::Status> AwaitableWriteReactor::WriteMessage(const std::string& serialized) {
  grpc::Slice slice(serialized);
  in_flight_ = grpc::ByteBuffer(&slice, 1);
  write_completed_ = false;
  wrote_any_ = true;
  StartWrite(&in_flight_);
  // OnWriteDone posts its result to this loop, so it cannot run before this
  // coroutine suspends below.
  if (!write_completed_) {
    write_signal_.expires_at(asio::steady_timer::time_point::max());
    co_await write_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!write_ok_) co_return absl::CancelledError("the client stopped reading the stream");
  co_return absl::OkStatus();
}

void AwaitableWriteReactor::OnWriteDone(bool ok) {
  asio::post(loop_, [this, ok] {
    write_ok_ = ok;
    write_completed_ = true;
    write_signal_.cancel();
  });
}

void AwaitableWriteReactor::OnCancel() {
  if (control_) control_->Cancel(CancelReason(context_));
}

}  // namespace mysqlgw
