#include "server/gateway/event_loops.h"

#include <algorithm>

namespace mysqlgw {

EventLoops::EventLoops(size_t count) {
  count = std::max<size_t>(count, 1);
  for (size_t i = 0; i < count; ++i) {
    auto loop = std::make_unique<Loop>();
    // Concurrency hint 1: each io_context is run by exactly one thread, so
    // Asio can skip internal locking.
    loop->io = std::make_unique<boost::asio::io_context>(1);
    loops_.push_back(std::move(loop));
  }
}

EventLoops::~EventLoops() { Stop(); }

void EventLoops::Start() {
  if (started_) return;
  started_ = true;
  for (auto& loop : loops_) {
    loop->work = std::make_unique<
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
        loop->io->get_executor());
    loop->thread = std::thread([io = loop->io.get()] { io->run(); });
  }
}

void EventLoops::Stop() {
  for (auto& loop : loops_) {
    loop->work.reset();
    loop->io->stop();
  }
  for (auto& loop : loops_) {
    if (loop->thread.joinable()) loop->thread.join();
  }
  started_ = false;
}

}  // namespace mysqlgw
