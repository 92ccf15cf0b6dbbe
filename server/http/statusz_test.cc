#include "server/http/statusz.h"

#include <string>

#include "absl/strings/match.h"
#include "boost/beast/http/field.hpp"
#include "boost/beast/http/verb.hpp"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/http/admin_handler.h"

namespace mysqlgw::http {
namespace {

namespace bhttp = boost::beast::http;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kEvil[] = "<script>alert('x')</script>&\"";

StatusSnapshot Sample() {
  StatusSnapshot s;
  s.started = absl::FromUnixSeconds(1'700'000'000);
  s.now = s.started + absl::Hours(2) + absl::Minutes(5) + absl::Seconds(9);
  s.version = "0.1.0";
  s.compiler = "gcc 12";
  s.pid = 4242;
  s.config.path = "/etc/mysqlgw/<conf>.yaml";
  s.config.version = 3;
  s.config.hash = "0123456789abcdef";
  s.config.loaded_at = s.started + absl::Minutes(30);
  s.config.reloads_applied = 2;
  s.config.reloads_failed = 1;
  s.config.last_error = "rules[0].match.regex: missing ) at <b>";
  s.config.last_failed_at = s.started + absl::Minutes(40);
  s.config.policy_generation = 3;

  StatusSnapshot::Backend primary;
  primary.name = "primary";
  primary.role = "primary";
  primary.state = "up";
  primary.read_only = false;
  primary.last_check = s.now - absl::Seconds(1);
  s.backends.push_back(primary);
  StatusSnapshot::Backend replica;
  replica.name = kEvil;
  replica.role = "replica";
  replica.state = "down";
  replica.lag_seconds = 12.5;
  replica.last_error = "Can't connect to <host>";
  s.backends.push_back(replica);

  StatusSnapshot::Pool pool;
  pool.backend = "primary";
  pool.max_open = 32;
  pool.open = 10;
  pool.idle = 2;
  pool.in_use = 8;
  pool.waiting = 1;
  pool.waits = 4;
  pool.wait_seconds_sum = 0.2;
  pool.connects = 11;
  pool.connect_failures = 1;
  s.pools.push_back(pool);

  StatusSnapshot::Stream stream;
  stream.id = 7;
  stream.principal = "cdc<1>";
  stream.peer = "ipv4:127.0.0.1:5555";
  stream.mode = "follow";
  stream.started = s.started + absl::Hours(1);
  stream.file = "mysql-bin.000003";
  stream.position = 98765;
  stream.gtid = "0-1-42";
  stream.seconds_behind = 1.25;
  stream.events_sent = 1000;
  stream.batches_sent = 10;
  stream.bytes_sent = 123456;
  stream.last_sent = s.now - absl::Seconds(2);
  s.streams.push_back(stream);

  StatusSnapshot::Digest digest;
  digest.digest = "a1b2c3d4e5f60718";
  digest.text = "SELECT * FROM `t<x>` WHERE a = ? AND b = '&'";
  digest.calls = 4;
  digest.errors = 1;
  digest.rows = 40;
  digest.total_seconds = 0.8;
  digest.max_seconds = 0.5;
  s.digests.push_back(digest);
  s.digests_tracked = 17;
  return s;
}

TEST(HtmlEscapeTest, EscapesMarkupAndControlCharacters) {
  EXPECT_EQ(HtmlEscape("plain text 123"), "plain text 123");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");  // Never decoded first.
  EXPECT_EQ(HtmlEscape("a\tb\nc"), "a\tb\nc");
  EXPECT_EQ(HtmlEscape(std::string("a\0b\x1b", 4)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  EXPECT_EQ(HtmlEscape("caf\xC3\xA9"), "caf\xC3\xA9");  // UTF-8 passes.
}

TEST(FormatUptimeTest, Units) {
  EXPECT_EQ(FormatUptime(absl::Seconds(12)), "12s");
  EXPECT_EQ(FormatUptime(absl::Seconds(250)), "4m 10s");
  EXPECT_EQ(FormatUptime(absl::Hours(2) + absl::Minutes(5) + absl::Seconds(9)), "2h 5m");
  EXPECT_EQ(FormatUptime(absl::Hours(76)), "3d 4h");
  EXPECT_EQ(FormatUptime(-absl::Seconds(3)), "0s");
}

TEST(StatuszHtmlTest, ShowsEverySectionWithTheValues) {
  const std::string html = RenderStatuszHtml(Sample());
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>")) << html;
  for (const char* expected : {
           "<span id=\"version\">0.1.0</span>",
           "<span id=\"uptime\">2h 5m</span>",
           "<tr><th>pid</th><td>4242</td></tr>",
           "<tr><th>commit</th><td>not stamped</td></tr>",
           "<tr><th>version</th><td>3</td></tr>",
           "<td class=\"mono\">0123456789abcdef</td>",
           "<tr><th>loaded</th><td>2023-11-14T22:43:20Z</td></tr>",
           "<tr><th>reloads rejected</th><td>1</td></tr>",
           // Backends: state, lag.
           "<td class=\"state-up\">up</td>",
           "<td class=\"state-down\">down</td>",
           "<td class=\"num\">12.500 s</td>",
           // Pools: occupancy 8 of 32, mean wait 50 ms.
           "<td class=\"num\">25%</td>",
           "<td class=\"num\">50.0 ms</td>",
           // The stream and its position.
           "<span id=\"streams-open\">1</span>",
           "<td class=\"mono position\">mysql-bin.000003:98765</td>",
           "<td class=\"mono\">0-1-42</td>",
           "<td class=\"num\">1.250 s</td>",
           "<td class=\"num\">1000</td>",
           // The digest: total 800 ms, mean 200 ms.
           "(1 of 17 digests tracked)",
           "<td class=\"mono\">a1b2c3d4e5f60718</td>",
           "<td class=\"num\">800.0 ms</td>",
           "<td class=\"num\">200.0 ms</td>",
       }) {
    EXPECT_TRUE(absl::StrContains(html, expected)) << expected << "\n" << html;
  }
  // Self-contained: no script, no external asset.
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, "src="));
  EXPECT_FALSE(absl::StrContains(html, "http://"));
  EXPECT_FALSE(absl::StrContains(html, "https://"));
}

TEST(StatuszHtmlTest, EscapesWhatComesFromConfigSqlAndPeers) {
  const std::string html = RenderStatuszHtml(Sample());
  // Nothing from outside reaches the page as markup.
  EXPECT_FALSE(absl::StrContains(html, kEvil));
  EXPECT_FALSE(absl::StrContains(html, "<script>"));
  EXPECT_FALSE(absl::StrContains(html, "<host>"));
  EXPECT_FALSE(absl::StrContains(html, "`t<x>`"));
  EXPECT_FALSE(absl::StrContains(html, "<b>"));
  EXPECT_FALSE(absl::StrContains(html, "cdc<1>"));
  EXPECT_FALSE(absl::StrContains(html, "<conf>"));
  // It is there, escaped, as text (and in the row's data-key attribute).
  EXPECT_TRUE(absl::StrContains(
      html, "<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</td>"));
  EXPECT_TRUE(absl::StrContains(
      html, "data-key=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\""));
  EXPECT_TRUE(absl::StrContains(html, "Can&#39;t connect to &lt;host&gt;"));
  EXPECT_TRUE(absl::StrContains(
      html, "SELECT * FROM `t&lt;x&gt;` WHERE a = ? AND b = &#39;&amp;&#39;"));
  EXPECT_TRUE(absl::StrContains(html, "<td>cdc&lt;1&gt;</td>"));
  EXPECT_TRUE(absl::StrContains(html, "missing ) at &lt;b&gt;"));
}

TEST(StatuszHtmlTest, EmptySections) {
  StatusSnapshot s;
  s.now = s.started = absl::FromUnixSeconds(1'700'000'000);
  s.version = "0.1.0";
  const std::string html = RenderStatuszHtml(s);
  EXPECT_TRUE(absl::StrContains(html, ">no backend</td>"));
  EXPECT_TRUE(absl::StrContains(html, ">no pool</td>"));
  EXPECT_TRUE(absl::StrContains(html, ">no open change stream</td>"));
  EXPECT_TRUE(absl::StrContains(html, ">no statement yet</td>"));
  EXPECT_TRUE(absl::StrContains(html, "<span id=\"streams-open\">0</span>"));
  EXPECT_TRUE(absl::StrContains(html, "<span id=\"uptime\">0s</span>"));
}

// Parses with protobuf's JSON parser: a real check that the output is JSON.
Struct ParseJson(const std::string& json) {
  Struct out;
  auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return out;
}

const Value& Field(const Struct& s, const std::string& name) {
  static const Value* const kMissing = new Value();
  auto it = s.fields().find(name);
  EXPECT_TRUE(it != s.fields().end()) << "no field " << name;
  return it == s.fields().end() ? *kMissing : it->second;
}

TEST(StatuszJsonTest, ValuesRoundTripThroughAJsonParser) {
  const std::string json = RenderStatuszJson(Sample());
  const Struct root = ParseJson(json);
  EXPECT_EQ(Field(root, "now").string_value(), "2023-11-15T00:18:29Z");
  const Struct& build = Field(root, "build").struct_value();
  EXPECT_EQ(Field(build, "version").string_value(), "0.1.0");
  EXPECT_EQ(Field(build, "commit").kind_case(), Value::kNullValue);
  const Struct& process = Field(root, "process").struct_value();
  EXPECT_EQ(Field(process, "pid").number_value(), 4242);
  EXPECT_EQ(Field(process, "uptime_seconds").number_value(), 7509);

  const Struct& config = Field(root, "config").struct_value();
  EXPECT_EQ(Field(config, "version").number_value(), 3);
  EXPECT_EQ(Field(config, "hash").string_value(), "0123456789abcdef");
  EXPECT_EQ(Field(config, "path").string_value(), "/etc/mysqlgw/<conf>.yaml");
  EXPECT_EQ(Field(config, "reloads_failed").number_value(), 1);
  EXPECT_EQ(Field(config, "last_error").string_value(), "rules[0].match.regex: missing ) at <b>");
  EXPECT_EQ(Field(config, "last_failed_at").string_value(), "2023-11-14T22:53:20Z");

  const auto& backends = Field(root, "backends").list_value().values();
  ASSERT_EQ(backends.size(), 2);
  EXPECT_EQ(Field(backends[0].struct_value(), "name").string_value(), "primary");
  EXPECT_EQ(Field(backends[0].struct_value(), "state").string_value(), "up");
  EXPECT_FALSE(Field(backends[0].struct_value(), "read_only").bool_value());
  EXPECT_EQ(Field(backends[0].struct_value(), "lag_seconds").kind_case(), Value::kNullValue);
  // The hostile name survives JSON escaping intact.
  EXPECT_EQ(Field(backends[1].struct_value(), "name").string_value(), kEvil);
  EXPECT_EQ(Field(backends[1].struct_value(), "lag_seconds").number_value(), 12.5);
  EXPECT_EQ(Field(backends[1].struct_value(), "read_only").kind_case(), Value::kNullValue);
  EXPECT_EQ(Field(backends[1].struct_value(), "last_check").kind_case(), Value::kNullValue);

  const auto& pools = Field(root, "pools").list_value().values();
  ASSERT_EQ(pools.size(), 1);
  EXPECT_EQ(Field(pools[0].struct_value(), "in_use").number_value(), 8);
  EXPECT_EQ(Field(pools[0].struct_value(), "max_open").number_value(), 32);
  EXPECT_DOUBLE_EQ(Field(pools[0].struct_value(), "mean_wait_seconds").number_value(), 0.05);

  const auto& streams = Field(root, "binlog_streams").list_value().values();
  ASSERT_EQ(streams.size(), 1);
  const Struct& st = streams[0].struct_value();
  EXPECT_EQ(Field(st, "id").number_value(), 7);
  EXPECT_EQ(Field(st, "principal").string_value(), "cdc<1>");
  const Struct& pos = Field(st, "position").struct_value();
  EXPECT_EQ(Field(pos, "file").string_value(), "mysql-bin.000003");
  EXPECT_EQ(Field(pos, "position").number_value(), 98765);
  EXPECT_EQ(Field(st, "gtid").string_value(), "0-1-42");
  EXPECT_EQ(Field(st, "seconds_behind").number_value(), 1.25);
  EXPECT_EQ(Field(st, "events_sent").number_value(), 1000);

  EXPECT_EQ(Field(root, "digests_tracked").number_value(), 17);
  const auto& digests = Field(root, "top_digests").list_value().values();
  ASSERT_EQ(digests.size(), 1);
  EXPECT_EQ(Field(digests[0].struct_value(), "text").string_value(),
            "SELECT * FROM `t<x>` WHERE a = ? AND b = '&'");
  EXPECT_EQ(Field(digests[0].struct_value(), "calls").number_value(), 4);
  EXPECT_EQ(Field(digests[0].struct_value(), "total_seconds").number_value(), 0.8);
}

TEST(StatuszJsonTest, EmptyAndOddValuesStayValid) {
  StatusSnapshot s;
  s.now = s.started = absl::FromUnixSeconds(1'700'000'000);
  s.version = std::string("v\n\x01\"\\", 5);
  StatusSnapshot::Stream stream;  // Nothing sent yet.
  s.streams.push_back(stream);
  const Struct root = ParseJson(RenderStatuszJson(s));
  EXPECT_EQ(Field(Field(root, "build").struct_value(), "version").string_value(),
            std::string("v\n\x01\"\\", 5));
  const Struct& st = Field(root, "binlog_streams").list_value().values(0).struct_value();
  EXPECT_EQ(Field(st, "position").kind_case(), Value::kNullValue);
  EXPECT_EQ(Field(st, "seconds_behind").kind_case(), Value::kNullValue);
  EXPECT_EQ(Field(root, "backends").list_value().values_size(), 0);
}

TEST(StatuszFormatTest, QueryStringAndAcceptHeader) {
  EXPECT_FALSE(WantsJson({}));
  EXPECT_TRUE(WantsJson({"format=json", ""}));
  EXPECT_TRUE(WantsJson({"a=1&format=json", ""}));
  EXPECT_FALSE(WantsJson({"format=jsonx", ""}));
  EXPECT_TRUE(WantsJson({"", "application/json"}));
  EXPECT_TRUE(WantsJson({"", "Application/JSON; q=1"}));
  // What browsers send.
  EXPECT_FALSE(WantsJson(
      {"", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}));
  EXPECT_FALSE(WantsJson({"format=html", "application/json"}));
}

Request Get(const std::string& target, const std::string& accept = "") {
  Request r(bhttp::verb::get, target, 11);
  if (!accept.empty()) r.set(bhttp::field::accept, accept);
  return r;
}

TEST(StatuszFormatTest, ServedThroughTheAdminHandler) {
  const StatusSnapshot s = Sample();
  AdminEndpoints endpoints;
  int served = 0;
  endpoints.typed_pages["/statusz"] = [&s, &served](const PageRequest& r) {
    ++served;
    return ServeStatusz(r, s);
  };
  Response html = HandleAdminRequest(Get("/statusz"), endpoints);
  EXPECT_EQ(html.result_int(), 200);
  EXPECT_EQ(html[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(html[bhttp::field::cache_control], "no-store");
  EXPECT_TRUE(absl::StartsWith(html.body(), "<!DOCTYPE html>"));

  Response json = HandleAdminRequest(Get("/statusz?format=json"), endpoints);
  EXPECT_EQ(json[bhttp::field::content_type], "application/json");
  EXPECT_EQ(Field(ParseJson(json.body()), "build").struct_value().fields().at("version")
                .string_value(),
            "0.1.0");

  Response accept = HandleAdminRequest(Get("/statusz", "application/json"), endpoints);
  EXPECT_EQ(accept[bhttp::field::content_type], "application/json");
  EXPECT_EQ(served, 3);

  Response missing = HandleAdminRequest(Get("/statusz/x"), endpoints);
  EXPECT_EQ(missing.result_int(), 404);
}

}  // namespace
}  // namespace mysqlgw::http
