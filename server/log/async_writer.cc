#include "server/log/async_writer.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

class LineEntry : public AsyncWriter::Entry {
 public:
  explicit LineEntry(std::string line) : line_(std::move(line)) {}
  void AppendTo(std::string* out) const override {
    absl::StrAppend(out, line_);
    out->push_back('\n');
  }

 private:
  std::string line_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AsyncWriter>> AsyncWriter::Open(const std::string& destination,
                                                               Options options) {
  if (destination == "stderr") {
    return std::unique_ptr<AsyncWriter>(new AsyncWriter(STDERR_FILENO, false, options));
  }
  const int fd = ::open(destination.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open '", destination, "': ", std::strerror(errno)));
  }
  return std::unique_ptr<AsyncWriter>(new AsyncWriter(fd, true, options));
}

AsyncWriter::AsyncWriter(int fd, bool owns_fd, Options options)
    : fd_(fd),
      owns_fd_(owns_fd),
      options_(options),
      chunk_bytes_(fd == STDERR_FILENO ? PIPE_BUF : 64 * 1024) {
  if (options_.max_queued == 0) options_.max_queued = 1;
  thread_ = std::thread([this] { Run(); });
}

AsyncWriter::~AsyncWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (owns_fd_) ::close(fd_);
}

bool AsyncWriter::Push(std::unique_ptr<Entry> entry) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.max_queued) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(entry));
    ++accepted_;
    // Only a filling queue wakes the writer early: a notify per entry would
    // cost the producer a system call whenever the writer sleeps.
    wake = queue_.size() == options_.max_queued / 2 + 1;
  }
  if (wake) wake_.notify_one();
  return true;
}

bool AsyncWriter::PushLine(std::string line) {
  return Push(std::make_unique<LineEntry>(std::move(line)));
}

void AsyncWriter::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t target = accepted_;
  flush_requested_ = true;
  wake_.notify_one();
  progress_.wait(lock, [&] { return processed_ >= target || stop_; });
}

void AsyncWriter::Run() {
  std::vector<std::unique_ptr<Entry>> batch;
  std::string buffer;
  while (true) {
    bool stopping;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, options_.flush_interval, [&] {
        return stop_ || flush_requested_ || queue_.size() > options_.max_queued / 2;
      });
      flush_requested_ = false;
      batch.swap(queue_);
      stopping = stop_;
    }
    buffer.clear();
    for (const auto& entry : batch) {
      const size_t before = buffer.size();
      entry->AppendTo(&buffer);
      // Cut at a line boundary before a chunk would overflow.
      if (buffer.size() > chunk_bytes_ && before > 0) {
        WriteOut(absl::string_view(buffer).substr(0, before));
        buffer.erase(0, before);
      }
    }
    if (!buffer.empty()) WriteOut(buffer);
    written_.fetch_add(batch.size(), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      processed_ += batch.size();
    }
    progress_.notify_all();
    batch.clear();
    if (stopping) {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) break;
    }
  }
}

void AsyncWriter::WriteOut(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      write_errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace mysqlgw
