#include "server/metrics/metrics.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::metrics {
namespace {

using ::testing::ElementsAre;

constexpr int kThreads = 8;
constexpr int kPerThread = 100000;

// Runs fn(thread_index) on kThreads threads released together.
template <typename Fn>
void RunConcurrently(Fn fn) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      fn(t);
    });
  }
  go.store(true);
  for (std::thread& th : threads) th.join();
}

TEST(CounterTest, IncrementsAndIgnoresDecreases) {
  Counter c;
  EXPECT_EQ(c.Value(), 0);
  c.Increment();
  c.Increment(4);
  c.Increment(size_t{5});
  c.Increment(-3);  // Ignored.
  c.Add(0.5);
  c.Add(-1.0);  // Ignored.
  c.Add(std::nan(""));
  c.Add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(c.Value(), 10.5);
}

TEST(CounterTest, ConcurrentIncrementsAreExact) {
  Counter c;
  RunConcurrently([&](int) {
    for (int i = 0; i < kPerThread; ++i) c.Increment();
  });
  EXPECT_EQ(c.Value(), static_cast<double>(kThreads) * kPerThread);
}

TEST(CounterTest, ConcurrentFractionalAddsAreExact) {
  Counter c;
  // Multiples of 0.25 are exact in binary, so no rounding hides a lost add.
  RunConcurrently([&](int) {
    for (int i = 0; i < kPerThread; ++i) c.Add(0.25);
  });
  EXPECT_EQ(c.Value(), 0.25 * kThreads * kPerThread);
}

TEST(GaugeTest, SetAddSub) {
  Gauge g;
  g.Set(5);
  g.Add(2.5);
  g.Sub(1);
  g.Increment();
  g.Decrement();
  g.Decrement();
  EXPECT_EQ(g.Value(), 5.5);
  g.Set(-3);
  EXPECT_EQ(g.Value(), -3);
}

TEST(GaugeTest, ConcurrentUpDownIsExact) {
  Gauge g;
  RunConcurrently([&](int t) {
    for (int i = 0; i < kPerThread; ++i) {
      if (t % 2 == 0) {
        g.Increment();
      } else {
        g.Add(3);
        g.Sub(1);
      }
    }
  });
  EXPECT_EQ(g.Value(), (kThreads / 2) * kPerThread * (1.0 + 2.0));
}

std::shared_ptr<const std::vector<double>> Bounds(std::vector<double> b) {
  return std::make_shared<const std::vector<double>>(std::move(b));
}

TEST(HistogramTest, BucketsAreLessOrEqual) {
  Histogram h(Bounds({1, 2, 5}));
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 5.5, 100.0, -1.0}) h.Observe(v);
  h.Observe(std::nan(""));  // Ignored.
  Histogram::Snapshot s = h.Collect();
  // <=1: 0.5, 1, -1; <=2: +1.5, 2; <=5: +4, 5; +Inf: +5.5, 100.
  EXPECT_THAT(s.cumulative, ElementsAre(3, 5, 7, 9));
  EXPECT_EQ(s.count, 9u);
  EXPECT_EQ(s.sum, 0.5 + 1 + 1.5 + 2 + 4 + 5 + 5.5 + 100 - 1);
}

TEST(HistogramTest, NoBoundsHasOnlyInf) {
  Histogram h(Bounds({}));
  h.Observe(3);
  EXPECT_THAT(h.Collect().cumulative, ElementsAre(1));
}

TEST(HistogramTest, ConcurrentObservationsAreExact) {
  Histogram h(Bounds({1, 10}));
  RunConcurrently([&](int t) {
    for (int i = 0; i < kPerThread; ++i) h.Observe(t % 2 == 0 ? 0.5 : 2.0);
  });
  Histogram::Snapshot s = h.Collect();
  const uint64_t half = static_cast<uint64_t>(kThreads / 2) * kPerThread;
  EXPECT_THAT(s.cumulative, ElementsAre(half, 2 * half, 2 * half));
  EXPECT_EQ(s.count, 2 * half);
  EXPECT_EQ(s.sum, 0.5 * half + 2.0 * half);
}

TEST(BucketsTest, Helpers) {
  EXPECT_THAT(ExponentialBuckets(1, 2, 4), ElementsAre(1, 2, 4, 8));
  EXPECT_THAT(LinearBuckets(0.5, 1, 3), ElementsAre(0.5, 1.5, 2.5));
  std::vector<double> latency = LatencyBuckets();
  EXPECT_TRUE(std::is_sorted(latency.begin(), latency.end()));
  EXPECT_EQ(latency.back(), 10);
}

}  // namespace
}  // namespace mysqlgw::metrics
