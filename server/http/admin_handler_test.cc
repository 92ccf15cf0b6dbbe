#include "server/http/admin_handler.h"

#include <string>

#include "boost/beast/http/field.hpp"
#include "boost/beast/http/verb.hpp"
#include "gtest/gtest.h"
#include "server/metrics/registry.h"

namespace mysqlgw::http {
namespace {

namespace bhttp = boost::beast::http;

Request Make(bhttp::verb method, const std::string& target, unsigned version = 11) {
  Request r(method, target, version);
  r.set(bhttp::field::host, "localhost");
  return r;
}

class AdminHandlerTest : public ::testing::Test {
 protected:
  AdminHandlerTest() {
    (*registry_.AddCounter("requests_total", "Requests."))->WithLabels({}).Increment(7);
    endpoints_.registry = &registry_;
    endpoints_.ready = [this] { return ready_; };
  }
  metrics::Registry registry_;
  bool ready_ = true;
  AdminEndpoints endpoints_;
};

TEST_F(AdminHandlerTest, Metrics) {
  Response r = HandleAdminRequest(Make(bhttp::verb::get, "/metrics"), endpoints_);
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_EQ(r[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body(), registry_.Render());
  EXPECT_EQ(r[bhttp::field::content_length], std::to_string(r.body().size()));
  EXPECT_TRUE(r.keep_alive());
  // A query string is ignored.
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/metrics?name[]=x"), endpoints_).result(),
            bhttp::status::ok);
}

TEST_F(AdminHandlerTest, HeadHasLengthButNoBody) {
  Response get = HandleAdminRequest(Make(bhttp::verb::get, "/metrics"), endpoints_);
  Response head = HandleAdminRequest(Make(bhttp::verb::head, "/metrics"), endpoints_);
  EXPECT_EQ(head.result(), bhttp::status::ok);
  EXPECT_EQ(head.body(), "");
  EXPECT_EQ(head[bhttp::field::content_length], std::to_string(get.body().size()));
}

TEST_F(AdminHandlerTest, HealthAndReadiness) {
  Response health = HandleAdminRequest(Make(bhttp::verb::get, "/healthz"), endpoints_);
  EXPECT_EQ(health.result(), bhttp::status::ok);
  EXPECT_EQ(health.body(), "ok");
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/readyz"), endpoints_).body(), "ok");
  ready_ = false;
  Response not_ready = HandleAdminRequest(Make(bhttp::verb::get, "/readyz"), endpoints_);
  EXPECT_EQ(not_ready.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(not_ready.body(), "not ready");
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/healthz"), endpoints_).result(),
            bhttp::status::ok);
  // Without a readiness check: always ready.
  endpoints_.ready = nullptr;
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/readyz"), endpoints_).result(),
            bhttp::status::ok);
}

TEST_F(AdminHandlerTest, ExtraPages) {
  int calls = 0;
  endpoints_.pages["/allowlist"] = [&calls] {
    ++calls;
    return std::string("interception:\n");
  };
  Response r = HandleAdminRequest(Make(bhttp::verb::get, "/allowlist?x=1"), endpoints_);
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_EQ(r.body(), "interception:\n");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/allowlist/x"), endpoints_).result(),
            bhttp::status::not_found);
}

TEST_F(AdminHandlerTest, NotFound) {
  for (const char* target : {"/", "/metrics/", "/metricsx", "/Metrics", "metrics",
                             "http://localhost/metrics", "/healthz/x"}) {
    EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, target), endpoints_).result(),
              bhttp::status::not_found)
        << target;
  }
  endpoints_.registry = nullptr;
  EXPECT_EQ(HandleAdminRequest(Make(bhttp::verb::get, "/metrics"), endpoints_).result(),
            bhttp::status::not_found);
}

TEST_F(AdminHandlerTest, MethodNotAllowed) {
  for (bhttp::verb method : {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_,
                             bhttp::verb::options, bhttp::verb::patch}) {
    Response r = HandleAdminRequest(Make(method, "/metrics"), endpoints_);
    EXPECT_EQ(r.result(), bhttp::status::method_not_allowed);
    EXPECT_EQ(r[bhttp::field::allow], "GET, HEAD");
  }
}

TEST_F(AdminHandlerTest, KeepAliveFollowsTheRequest) {
  Request close = Make(bhttp::verb::get, "/healthz");
  close.keep_alive(false);
  EXPECT_FALSE(HandleAdminRequest(close, endpoints_).keep_alive());
  Response old = HandleAdminRequest(Make(bhttp::verb::get, "/healthz", 10), endpoints_);
  EXPECT_EQ(old.version(), 10u);
  EXPECT_FALSE(old.keep_alive());
  Request old_keep = Make(bhttp::verb::get, "/healthz", 10);
  old_keep.keep_alive(true);
  EXPECT_TRUE(HandleAdminRequest(old_keep, endpoints_).keep_alive());
}

}  // namespace
}  // namespace mysqlgw::http
