// Cancellation shared by a gRPC reactor (on gRPC's threads) and the coroutine
// serving the call (on its event loop). gRPC reports a client cancel or an
// expired deadline from its own thread; the coroutine learns of it on its
// loop, where the hook it registered (kill the running statement) runs.
#ifndef SERVER_GATEWAY_CALL_CONTROL_H_
#define SERVER_GATEWAY_CALL_CONTROL_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/post.hpp"

namespace mysqlgw {

class CallControl : public std::enable_shared_from_this<CallControl> {
 public:
  explicit CallControl(boost::asio::io_context& loop) : loop_(loop) {}

  // Any thread. The first reason wins.
  void Cancel(absl::Status reason) {
    boost::asio::post(loop_, [self = shared_from_this(), reason = std::move(reason)] {
      self->CancelOnLoop(reason);
    });
  }

  // Loop thread only, from here on.
  void CancelOnLoop(const absl::Status& reason) {
    if (cancelled_) return;
    cancelled_ = true;
    reason_ = reason;
    if (hook_) {
      auto hook = std::move(hook_);
      hook_ = nullptr;
      hook();
    }
  }
  bool cancelled() const { return cancelled_; }
  const absl::Status& reason() const { return reason_; }
  // Runs `hook` at once if already cancelled.
  void SetOnCancel(std::function<void()> hook) {
    if (cancelled_) {
      hook();
      return;
    }
    hook_ = std::move(hook);
  }
  void ClearOnCancel() { hook_ = nullptr; }
  boost::asio::io_context& loop() { return loop_; }

 private:
  boost::asio::io_context& loop_;
  bool cancelled_ = false;
  absl::Status reason_;
  std::function<void()> hook_;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_CALL_CONTROL_H_
