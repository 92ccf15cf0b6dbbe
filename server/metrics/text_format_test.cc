#include "server/metrics/text_format.h"

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace mysqlgw::metrics {
namespace {

TEST(MetricNameTest, ValidAndInvalid) {
  for (const char* name : {"a", "_", ":", "a:b_c9", "mysqlgw_rpc_requests_total", "A_Z",
                           "job:rate5m"}) {
    EXPECT_TRUE(IsValidMetricName(name)) << name;
  }
  for (const char* name : {"", "9a", "a-b", "a b", "a.b", "é", "a\n", "a{", "a\"b"}) {
    EXPECT_FALSE(IsValidMetricName(name)) << name;
  }
}

TEST(LabelNameTest, ValidAndInvalid) {
  for (const char* name : {"a", "_", "_a", "method", "code_2", "le", "A"}) {
    EXPECT_TRUE(IsValidLabelName(name)) << name;
  }
  for (const char* name : {"", "__", "__name__", "__a", "a:b", ":", "9", "a-b", "a b"}) {
    EXPECT_FALSE(IsValidLabelName(name)) << name;
  }
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  AppendEscapedLabelValue(&out, value);
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  AppendEscapedHelp(&out, help);
  return out;
}

TEST(EscapeTest, LabelValues) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"a\\b", "a\\\\b"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"two\nlines", "two\\nlines"},
      {"\\n", "\\\\n"},  // A backslash then n, not a newline.
      {"tab\there", "tab\there"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      // Invalid UTF-8: a lone continuation byte, a truncated sequence, an
      // overlong '/', a surrogate, past U+10FFFF.
      {"a\x80z", "a\xEF\xBF\xBDz"},
      {"a\xC3", "a\xEF\xBF\xBD"},
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const Case& c : cases) EXPECT_EQ(EscapeLabel(c.in), c.out) << c.in;
}

TEST(EscapeTest, HelpKeepsQuotes) {
  EXPECT_EQ(EscapeHelp("say \"hi\"\\ now\nthen"), "say \"hi\"\\\\ now\\nthen");
}

TEST(FormatValueTest, ShortestRoundTrip) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(-2), "-2");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(123456789), "123456789");
  EXPECT_EQ(FormatValue(1e-6), "1e-06");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(0.0025), "0.0025");
  EXPECT_EQ(FormatValue(0.00005), "5e-05");
  EXPECT_EQ(FormatValue(1234.5), "1234.5");
  // As the Go client prints them (%g, shortest digits).
  EXPECT_EQ(FormatValue(1795308410.93), "1.79530841093e+09");
  EXPECT_EQ(FormatValue(123456.5), "123456.5");
  EXPECT_EQ(FormatValue(400000), "400000");
  EXPECT_EQ(FormatValue(-0.0), "0");
  EXPECT_EQ(FormatValue(9007199254740991.0), "9007199254740991");
  EXPECT_EQ(FormatValue(1e17), "1e+17");
  EXPECT_EQ(FormatValue(1e21), "1e+21");
  EXPECT_EQ(FormatValue(2.5e-300), "2.5e-300");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  const double third = 1.0 / 3.0;
  EXPECT_EQ(std::stod(FormatValue(third)), third);
}

}  // namespace
}  // namespace mysqlgw::metrics
