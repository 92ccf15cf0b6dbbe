// Writes lines to a file or stderr from a background thread, so that the
// event loops that produce them never wait for a disk (or a full pipe).
//
// Producers hand over entries that are formatted on the writer thread (the
// formatting cost leaves the event loops too). The queue is bounded: when
// the disk cannot keep up, new entries are dropped and counted rather than
// growing memory or blocking a producer. The writer wakes every
// flush_interval, or at once when the queue is half full, and writes whole
// lines in as few write(2) calls as it can; on stderr each write holds at
// most PIPE_BUF bytes (or one longer line), so that lines the process logs
// from other threads never land in the middle of one of these.
#ifndef SERVER_LOG_ASYNC_WRITER_H_
#define SERVER_LOG_ASYNC_WRITER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlgw {

class AsyncWriter {
 public:
  // One queued item; AppendTo runs on the writer thread and appends whole
  // lines, newline included.
  class Entry {
   public:
    virtual ~Entry() = default;
    virtual void AppendTo(std::string* out) const = 0;
  };

  struct Options {
    size_t max_queued = 64 * 1024;  // Entries waiting; more are dropped.
    std::chrono::milliseconds flush_interval{50};
  };

  // `destination`: "stderr", or a file path (appended to, created with mode
  // 0640 when missing).
  static absl::StatusOr<std::unique_ptr<AsyncWriter>> Open(const std::string& destination,
                                                           Options options);
  static absl::StatusOr<std::unique_ptr<AsyncWriter>> Open(const std::string& destination) {
    return Open(destination, Options());
  }
  // Writes everything queued, then stops the thread.
  ~AsyncWriter();
  AsyncWriter(const AsyncWriter&) = delete;
  AsyncWriter& operator=(const AsyncWriter&) = delete;

  // Any thread; never waits for I/O. False when the queue was full (the
  // entry is dropped and counted).
  bool Push(std::unique_ptr<Entry> entry);
  bool PushLine(std::string line);  // `line` without its newline.
  // Waits until every entry accepted before the call is written.
  void Flush();

  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }

 private:
  AsyncWriter(int fd, bool owns_fd, Options options);
  void Run();
  // Writes `data` (whole lines) in chunks; counts a failure.
  void WriteOut(absl::string_view data);

  const int fd_;
  const bool owns_fd_;
  Options options_;
  const size_t chunk_bytes_;

  std::mutex mu_;
  std::condition_variable wake_;      // The writer: work, flush or stop.
  std::condition_variable progress_;  // Flush(): entries processed.
  std::vector<std::unique_ptr<Entry>> queue_;
  uint64_t accepted_ = 0;   // Guarded by mu_.
  uint64_t processed_ = 0;  // Guarded by mu_.
  bool flush_requested_ = false;
  bool stop_ = false;

  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::thread thread_;
};

}  // namespace mysqlgw

#endif  // SERVER_LOG_ASYNC_WRITER_H_
