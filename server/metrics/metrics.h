// The metric values: Counter, Gauge and Histogram.
//
// One object is one time series (a family's child for one tuple of label
// values, see registry.h). Updates are lock-free: relaxed atomics, a single
// fetch_add for integer counter increments, a compare-and-swap loop for
// doubles. They may be called from any thread, and a scrape reads them
// concurrently.
//
//   Counter& ok = (*requests)->WithLabels({"Query", "OK"});  // Cache this.
//   ok.Increment();                                          // Hot path.
#ifndef SERVER_METRICS_METRICS_H_
#define SERVER_METRICS_METRICS_H_

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/types/span.h"

namespace mysqlgw::metrics {

// A value that only goes up (requests served, bytes sent), from 0.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // One atomic add.
  void Increment() { whole_.fetch_add(1, std::memory_order_relaxed); }
  // Negative amounts are ignored: a counter never goes down.
  template <std::integral T>
  void Increment(T n) {
    if (n > 0) whole_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  }
  // A fractional amount (seconds of CPU, say). Negative, NaN and infinite
  // amounts are ignored.
  void Add(double amount);

  double Value() const;

 private:
  std::atomic<uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

// A value that goes up and down (open connections, queue length).
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void Sub(double amount) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  void Increment() { Add(1.0); }
  void Decrement() { Sub(1.0); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (latencies, sizes). Bucket i holds
// the observations <= bounds[i]; the +Inf bucket is implicit.
class Histogram {
 public:
  // `bounds`: strictly increasing and finite (the registry checks them).
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // NaN is ignored.
  void Observe(double value);

  struct Snapshot {
    // Cumulative counts, one per bound and a last one for +Inf (== count).
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  // A consistent count (the sum may miss an observation made concurrently).
  Snapshot Collect() const;

  const std::vector<double>& bounds() const { return *bounds_; }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_->size() + 1
  std::atomic<double> sum_{0.0};
};

// `count` bounds: start, start * factor, start * factor^2, ...
std::vector<double> ExponentialBuckets(double start, double factor, size_t count);
// `count` bounds: start, start + width, start + 2 * width, ...
std::vector<double> LinearBuckets(double start, double width, size_t count);
// Request latencies in seconds, from 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

}  // namespace mysqlgw::metrics

#endif  // SERVER_METRICS_METRICS_H_
