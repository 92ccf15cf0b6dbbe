#include "server/metrics/registry.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw::metrics {
namespace {

using ::testing::HasSubstr;

template <typename T>
T* Ok(absl::StatusOr<T*> s) {
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : nullptr;
}

TEST(RegistryTest, RendersExactText) {
  Registry r;
  Family<Counter>* requests = Ok(r.AddCounter("mysqlgw_rpc_requests_total",
                                              "RPCs handled, by method and status code.",
                                              {"method", "code"}));
  requests->WithLabels({"Query", "OK"}).Increment(3);
  requests->WithLabels({"Execute", "OK"}).Increment();
  requests->WithLabels({"Query", "INVALID_ARGUMENT"}).Increment(2);

  Family<Gauge>* temp = Ok(r.AddGauge("escaping_gauge", "Help with \\ backslash\nand newline.",
                                      {"path"}));
  temp->WithLabels({"C:\\dir \"q\"\nnext"}).Set(-1.5);

  Family<Histogram>* latency = Ok(r.AddHistogram(
      "mysqlgw_rpc_duration_seconds", "RPC latency.", {"method"}, {0.005, 0.1, 1}));
  Histogram& q = latency->WithLabels({"Query"});
  q.Observe(0.001);
  q.Observe(0.1);
  q.Observe(0.5);
  q.Observe(3);

  Ok(r.AddGauge("a_unlabeled_gauge", "Registered but never set."));
  Ok(r.AddCounter("unused_total", "Labeled without children: left out.", {"x"}));
  Ok(r.AddHistogram("plain_size_bytes", "No labels.", {}, {10}));

  EXPECT_EQ(r.Render(),
            "# HELP a_unlabeled_gauge Registered but never set.\n"
            "# TYPE a_unlabeled_gauge gauge\n"
            "a_unlabeled_gauge 0\n"
            "# HELP escaping_gauge Help with \\\\ backslash\\nand newline.\n"
            "# TYPE escaping_gauge gauge\n"
            "escaping_gauge{path=\"C:\\\\dir \\\"q\\\"\\nnext\"} -1.5\n"
            "# HELP mysqlgw_rpc_duration_seconds RPC latency.\n"
            "# TYPE mysqlgw_rpc_duration_seconds histogram\n"
            "mysqlgw_rpc_duration_seconds_bucket{method=\"Query\",le=\"0.005\"} 1\n"
            "mysqlgw_rpc_duration_seconds_bucket{method=\"Query\",le=\"0.1\"} 2\n"
            "mysqlgw_rpc_duration_seconds_bucket{method=\"Query\",le=\"1\"} 3\n"
            "mysqlgw_rpc_duration_seconds_bucket{method=\"Query\",le=\"+Inf\"} 4\n"
            "mysqlgw_rpc_duration_seconds_sum{method=\"Query\"} 3.601\n"
            "mysqlgw_rpc_duration_seconds_count{method=\"Query\"} 4\n"
            "# HELP mysqlgw_rpc_requests_total RPCs handled, by method and status code.\n"
            "# TYPE mysqlgw_rpc_requests_total counter\n"
            "mysqlgw_rpc_requests_total{method=\"Execute\",code=\"OK\"} 1\n"
            "mysqlgw_rpc_requests_total{method=\"Query\",code=\"INVALID_ARGUMENT\"} 2\n"
            "mysqlgw_rpc_requests_total{method=\"Query\",code=\"OK\"} 3\n"
            "# HELP plain_size_bytes No labels.\n"
            "# TYPE plain_size_bytes histogram\n"
            "plain_size_bytes_bucket{le=\"10\"} 0\n"
            "plain_size_bytes_bucket{le=\"+Inf\"} 0\n"
            "plain_size_bytes_sum 0\n"
            "plain_size_bytes_count 0\n");
}

TEST(RegistryTest, ChildReferencesAreStable) {
  Registry r;
  Family<Counter>* f = Ok(r.AddCounter("c_total", "c", {"k"}));
  Counter* first = &f->WithLabels({"a"});
  for (int i = 0; i < 1000; ++i) f->WithLabels({absl::StrCat("other", i)});
  EXPECT_EQ(&f->WithLabels({"a"}), first);
  EXPECT_EQ(&f->WithLabels(std::vector<std::string>{"a"}), first);
}

TEST(RegistryTest, ConcurrentIncrementsThroughTheFamilyAreExact) {
  Registry r;
  Family<Counter>* f = Ok(r.AddCounter("hits_total", "Hits.", {"method", "code"}));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50000;
  std::atomic<bool> go{false};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      // Each thread looks the child up itself (racing to create it), and
      // also creates children of its own meanwhile.
      Counter& shared = f->WithLabels({"Query", "OK"});
      for (int i = 0; i < kPerThread; ++i) {
        shared.Increment();
        if (i % 1000 == 0) f->WithLabels({"Query", absl::StrCat("t", t, "_", i)}).Increment();
      }
    });
  }
  // A scraper rendering concurrently.
  std::thread scraper([&] {
    while (!done.load()) {
      // Empty until a thread created the first child.
      const std::string text = r.Render();
      if (!text.empty()) {
        EXPECT_THAT(text, HasSubstr("# TYPE hits_total counter\n"));
      }
    }
  });
  go.store(true);
  for (std::thread& th : threads) th.join();
  done.store(true);
  scraper.join();
  EXPECT_EQ(f->WithLabels({"Query", "OK"}).Value(), static_cast<double>(kThreads) * kPerThread);
  EXPECT_THAT(r.Render(), HasSubstr(absl::StrCat("hits_total{method=\"Query\",code=\"OK\"} ",
                                                 kThreads * kPerThread, "\n")));
}

TEST(RegistryTest, CallbackFamilies) {
  Registry r;
  int calls = 0;
  ASSERT_TRUE(r.AddCallbackGauge("cb_gauge", "A gauge.", [&] { return ++calls * 1.5; }).ok());
  ASSERT_TRUE(r.AddCallbackCounter("cb_total", "A counter.", [] { return 42.0; }).ok());
  ASSERT_TRUE(r.AddCallback(MetricType::kGauge, "pool_connections", "Pool connections.",
                            {"backend", "state"},
                            [] {
                              return std::vector<LabeledValue>{
                                  {{"primary", "open"}, 3},
                                  {{"primary", "idle"}, 1},
                                  {{"bad"}, 7},                // Wrong arity: dropped.
                                  {{"primary", "idle"}, 9},    // Duplicate: dropped.
                                  {{"replica", "idle"}, 0},
                              };
                            })
                  .ok());
  ASSERT_TRUE(r.AddCallback(MetricType::kGauge, "empty_cb", "Nothing yet.", {"x"}, [] {
                 return std::vector<LabeledValue>{};
               }).ok());
  EXPECT_EQ(r.Render(),
            "# HELP cb_gauge A gauge.\n"
            "# TYPE cb_gauge gauge\n"
            "cb_gauge 1.5\n"
            "# HELP cb_total A counter.\n"
            "# TYPE cb_total counter\n"
            "cb_total 42\n"
            "# HELP pool_connections Pool connections.\n"
            "# TYPE pool_connections gauge\n"
            "pool_connections{backend=\"primary\",state=\"idle\"} 1\n"
            "pool_connections{backend=\"primary\",state=\"open\"} 3\n"
            "pool_connections{backend=\"replica\",state=\"idle\"} 0\n");
  EXPECT_THAT(r.Render(), HasSubstr("cb_gauge 3\n"));  // Evaluated at each render.
}

TEST(RegistryTest, CallbacksRunWithoutTheRegistryLock) {
  Registry r;
  int added = 0;
  ASSERT_TRUE(r.AddCallbackGauge("outer", "Registers a metric when called.", [&] {
                 EXPECT_TRUE(r.AddGauge(absl::StrCat("added_", ++added), "h").ok());
                 return static_cast<double>(added);
               }).ok());
  EXPECT_EQ(r.Render(),
            "# HELP outer Registers a metric when called.\n# TYPE outer gauge\nouter 1\n");
  EXPECT_THAT(r.Render(), HasSubstr("added_1 0\n"));
}

TEST(RegistryValidationTest, MetricNames) {
  Registry r;
  for (const char* bad : {"", "1abc", "with-dash", "with space", "dot.ted", "ünïcode"}) {
    absl::StatusOr<Family<Counter>*> s = r.AddCounter(bad, "h");
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("invalid metric name")) << bad;
  }
  EXPECT_TRUE(r.AddCounter("ok:name_total", "h").ok());
  EXPECT_EQ(r.AddCallbackGauge("bad name", "h", [] { return 1.0; }).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RegistryValidationTest, LabelNames) {
  Registry r;
  for (const char* bad : {"", "__reserved", "__name__", "has:colon", "9x", "a-b"}) {
    absl::StatusOr<Family<Gauge>*> s = r.AddGauge("g", "h", {"fine", bad});
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.status().message(), HasSubstr("invalid label name")) << bad;
  }
  absl::StatusOr<Family<Gauge>*> twice = r.AddGauge("g", "h", {"a", "b", "a"});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(twice.status().message(), HasSubstr("given twice"));
  absl::StatusOr<Family<Histogram>*> le = r.AddHistogram("h", "h", {"le"}, {1});
  EXPECT_EQ(le.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(le.status().message(), HasSubstr("reserved"));
  // "le" is fine outside histograms; a failed registration took no name.
  EXPECT_TRUE(r.AddGauge("g", "h", {"le", "_x"}).ok());
  EXPECT_TRUE(r.AddHistogram("h", "h", {}, {1}).ok());
}

TEST(RegistryValidationTest, HistogramBounds) {
  Registry r;
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::vector<double>& bad : std::vector<std::vector<double>>{
           {1, 1}, {2, 1}, {1, std::nan("")}, {-inf, 1}, {1, inf, 2}}) {
    absl::StatusOr<Family<Histogram>*> s = r.AddHistogram("h", "h", {}, bad);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  }
  // A last +Inf is the implicit bucket.
  Family<Histogram>* h = Ok(r.AddHistogram("h", "h", {}, {1, inf}));
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->WithLabels({}).bounds().size(), 1u);
  EXPECT_TRUE(r.AddHistogram("empty_bounds", "h", {}, {}).ok());
}

TEST(RegistryValidationTest, NameCollisions) {
  Registry r;
  ASSERT_TRUE(r.AddCounter("x_total", "h").ok());
  EXPECT_EQ(r.AddGauge("x_total", "h").status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(r.AddCallbackGauge("x_total", "h", [] { return 0.0; }).code(),
            absl::StatusCode::kAlreadyExists);
  // A histogram also writes name_bucket, name_sum and name_count.
  ASSERT_TRUE(r.AddHistogram("lat", "h", {}, {1}).ok());
  for (const char* taken : {"lat", "lat_bucket", "lat_sum", "lat_count"}) {
    EXPECT_EQ(r.AddCounter(taken, "h").status().code(), absl::StatusCode::kAlreadyExists)
        << taken;
  }
  ASSERT_TRUE(r.AddGauge("size_count", "h").ok());
  EXPECT_EQ(r.AddHistogram("size", "h", {}, {1}).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(RegistryValidationTest, Callbacks) {
  Registry r;
  EXPECT_EQ(r.AddCallback(MetricType::kHistogram, "h", "h", {}, [] {
               return std::vector<LabeledValue>{};
             }).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddCallbackGauge("g", "h", nullptr).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddCallback(MetricType::kGauge, "g", "h", {"__x"}, [] {
               return std::vector<LabeledValue>{};
             }).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RegistryDeathTest, WrongLabelCountAborts) {
  Registry r;
  Family<Counter>* f = Ok(r.AddCounter("c_total", "h", {"a", "b"}));
  EXPECT_DEATH(f->WithLabels({"only one"}), "c_total has 2 label name\\(s\\) but was given 1");
}

}  // namespace
}  // namespace mysqlgw::metrics
