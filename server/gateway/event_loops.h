// The gateway's event loops: N single-threaded asio::io_contexts, one thread
// each. Backend connections, pools and transactions are sharded by loop, so
// the code running on a loop needs no locks (the Envoy worker model).
#ifndef SERVER_GATEWAY_EVENT_LOOPS_H_
#define SERVER_GATEWAY_EVENT_LOOPS_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"

namespace mysqlgw {

class EventLoops {
 public:
  explicit EventLoops(size_t count);
  ~EventLoops();  // Stops and joins.
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  void Start();
  void Stop();

  size_t size() const { return loops_.size(); }
  boost::asio::io_context& loop(size_t index) { return *loops_[index]->io; }
  // Round-robin choice for a new call.
  size_t Next() { return next_.fetch_add(1, std::memory_order_relaxed) % loops_.size(); }

 private:
  struct Loop {
    std::unique_ptr<boost::asio::io_context> io;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
        work;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<size_t> next_{0};
  bool started_ = false;
};

}  // namespace mysqlgw

#endif  // SERVER_GATEWAY_EVENT_LOOPS_H_
