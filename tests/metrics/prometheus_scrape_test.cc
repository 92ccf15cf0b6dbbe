// The metrics library and the admin server against the real consumers of the
// format: `promtool check metrics` must accept what /metrics serves, and a
// real Prometheus must scrape it and return the values through its API.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/http/admin_server.h"
#include "server/http/test_client.h"
#include "server/metrics/process_metrics.h"
#include "server/metrics/registry.h"
#include "testing/subprocess.h"
#include "tests/metrics/prometheus_server.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

constexpr int kIncrements = 137;
constexpr char kCounter[] = "mysqlgw_scrape_test_events_total";

std::string TempDir() {
  const char* dir = getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// Kept after the test (Bazel's test.outputs), else the temporary directory.
std::string OutputDir() {
  const char* dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  return dir != nullptr ? dir : TempDir();
}

class PrometheusScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deadline_ = absl::Now() + absl::Seconds(30);
    // A registry with every kind of metric, labels that need escaping, and
    // the process metrics, so that promtool and Prometheus see all of it.
    absl::StatusOr<metrics::Family<metrics::Counter>*> events =
        registry_.AddCounter(kCounter, "Events counted by the scrape test.");
    ASSERT_TRUE(events.ok()) << events.status();
    events_ = &(*events)->WithLabels({});
    auto requests = registry_.AddCounter("mysqlgw_scrape_test_requests_total",
                                         "Requests by method and code.", {"method", "code"});
    ASSERT_TRUE(requests.ok());
    (*requests)->WithLabels({"Query", "OK"}).Increment(3);
    (*requests)->WithLabels({"C:\\dir \"q\"\nnext", "UNKNOWN"}).Increment();
    auto open = registry_.AddGauge("mysqlgw_scrape_test_open_connections",
                                   "Open connections, with \\ and a\nnewline in the help.",
                                   {"backend"});
    ASSERT_TRUE(open.ok());
    (*open)->WithLabels({"primary"}).Set(4);
    auto latency = registry_.AddHistogram("mysqlgw_scrape_test_duration_seconds",
                                          "Latency.", {"method"}, metrics::LatencyBuckets());
    ASSERT_TRUE(latency.ok());
    for (double v : {0.0003, 0.002, 0.02, 0.7, 12.0}) (*latency)->WithLabels({"Query"}).Observe(v);
    ASSERT_TRUE(metrics::RegisterProcessMetrics(registry_).ok());
    ASSERT_TRUE(metrics::RegisterBuildInfo(registry_, "0.0.0-test").ok());

    server_ = std::make_unique<http::AdminServer>(io_, http::AdminEndpoints{.registry = &registry_});
    absl::Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s;
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    work_.reset();
    io_.stop();
    if (io_thread_.joinable()) io_thread_.join();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread io_thread_;
  metrics::Registry registry_;
  metrics::Counter* events_ = nullptr;
  std::unique_ptr<http::AdminServer> server_;
  absl::Time deadline_;
};

TEST_F(PrometheusScrapeTest, PromtoolAcceptsAndPrometheusScrapes) {
  for (int i = 0; i < kIncrements; ++i) events_->Increment();

  // 1. promtool check metrics on what /metrics serves.
  absl::StatusOr<http::testing::ClientResponse> scrape =
      http::testing::Fetch("127.0.0.1", server_->port(), "/metrics");
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  ASSERT_EQ(scrape->result_int(), 200);
  EXPECT_THAT(scrape->body(), HasSubstr(absl::StrCat(kCounter, " ", kIncrements, "\n")));
  const std::string metrics_file = OutputDir() + "/metrics.txt";
  std::ofstream(metrics_file) << scrape->body();

  absl::StatusOr<std::string> promtool = testing::FindInPath("promtool");
  ASSERT_TRUE(promtool.ok()) << promtool.status();
  testing::CommandOptions options;
  options.stdin_data = scrape->body();
  options.timeout = absl::Seconds(20);
  absl::StatusOr<testing::CommandResult> check =
      testing::RunProcess({*promtool, "check", "metrics"}, options);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->exit_code, 0) << "promtool check metrics " << metrics_file << ":\n"
                                 << check->stdout_data << check->stderr_data;

  // 2. A real Prometheus scraping the admin server every second.
  const std::string dir = TempDir() + "/prometheus";
  ASSERT_EQ(std::system(absl::StrCat("mkdir -p '", dir, "'").c_str()), 0);
  absl::StatusOr<std::unique_ptr<testing::PrometheusServer>> prometheus =
      testing::PrometheusServer::Start({absl::StrCat("127.0.0.1:", server_->port())}, dir,
                                       deadline_ - absl::Now());
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  const testing::PrometheusServer& prom = **prometheus;

  absl::Status s = prom.WaitForValue(kCounter, std::to_string(kIncrements), deadline_);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_TRUE(prom.WaitForValue("up{job=\"mysqlgw\"}", "1", deadline_).ok());

  // Labels came through the escaping intact (JSON-escaped here).
  absl::StatusOr<std::string> json =
      prom.QueryJson("mysqlgw_scrape_test_requests_total{code=\"UNKNOWN\"}");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"method\":\"C:\\\\dir \\\"q\\\"\\nnext\""));
  absl::StatusOr<std::optional<std::string>> bucket = prom.QueryValue(
      "mysqlgw_scrape_test_duration_seconds_bucket{method=\"Query\",le=\"0.025\"}");
  ASSERT_TRUE(bucket.ok()) << bucket.status();
  EXPECT_EQ(bucket->value_or("none"), "3");
  absl::StatusOr<std::optional<std::string>> build =
      prom.QueryValue("mysqlgw_build_info{version=\"0.0.0-test\"}");
  ASSERT_TRUE(build.ok()) << build.status();
  EXPECT_EQ(build->value_or("none"), "1");

  // Later increments show up in later scrapes.
  for (int i = 0; i < kIncrements; ++i) events_->Increment();
  s = prom.WaitForValue(kCounter, std::to_string(2 * kIncrements), deadline_);
  ASSERT_TRUE(s.ok()) << s;

  absl::StatusOr<int> stopped = (*prometheus)->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, 0) << prom.Log();
}

}  // namespace
}  // namespace mysqlgw
