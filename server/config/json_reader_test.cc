#include "server/config/json_reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;

TEST(JsonReaderTest, RoundTripsValues) {
  const std::string text = R"({"a": [1, -2.5e3, true, false, null], "b": {"c": "x"}, "d": []})";
  absl::StatusOr<ConfigNode> root = ReadJson(text);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(ToJson(*root), R"({"a":[1,-2.5e3,true,false,null],"b":{"c":"x"},"d":[]})");
}

TEST(JsonReaderTest, StringEscapes) {
  absl::StatusOr<ConfigNode> root = ReadJson(R"({"s": "q\" b\\ s\/ \n\t \u00e9 \ud83d\ude00"})");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->fields[0].value.scalar, "q\" b\\ s/ \n\t \xC3\xA9 \xF0\x9F\x98\x80");
  // And back out as valid JSON.
  EXPECT_EQ(ToJson(root->fields[0].value), "\"q\\\" b\\\\ s/ \\n\\t \xC3\xA9 \xF0\x9F\x98\x80\"");
}

TEST(JsonReaderTest, Positions) {
  absl::StatusOr<ConfigNode> root = ReadJson("{\n  \"a\": 1,\n  \"b\": {}\n}");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->fields[1].key, "b");
  EXPECT_EQ(root->fields[1].line, 3);
  EXPECT_EQ(root->fields[1].column, 3);
  EXPECT_EQ(root->fields[1].value.column, 8);
}

TEST(JsonReaderTest, Errors) {
  struct Case {
    std::string json;
    std::string message;
  };
  const Case cases[] = {
      {"", "1:1: unexpected end"},
      {"{", "expected a string key"},
      {R"({"a": 1,})", "expected a string key"},
      {"[1, 2,]", "expected a JSON value"},
      {R"({"a": 01})", "leading zeros"},
      {R"({"a": 1.})", "malformed number"},
      {R"({"a": -})", "malformed number"},
      {R"({"a": 1, "a": 2})", "1:10: duplicate key 'a'"},
      {"{\"a\": \"x\ny\"}", "control character"},
      {R"({"a": "\x"})", "bad escape"},
      {R"({"a": "\ud800"})", "unpaired surrogate"},
      {R"({"a": "\u12"})", "\\u escape"},
      {R"({"a": 1} x)", "unexpected text"},
      {R"({'a': 1})", "expected a string key"},
      {R"({"a" 1})", "expected ':'"},
      {R"({"a": tru})", "expected a JSON value"},
      {"{\n\n  \"a\": nope}", "3:8:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    absl::StatusOr<ConfigNode> root = ReadJson(c.json);
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(root.status().message()), HasSubstr(c.message));
  }
}

TEST(JsonReaderTest, DeepNestingIsRefused) {
  std::string text = std::string(1000, '[') + std::string(1000, ']');
  absl::StatusOr<ConfigNode> root = ReadJson(text);
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(std::string(root.status().message()), HasSubstr("nesting too deep"));
}

TEST(JsonReaderTest, EveryPrefixOfADocumentIsHandled) {
  const std::string text = R"({"backends": [{"name": "a\u0041", "pool": {"maxOpen": 3}}]})";
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(ReadJson(text.substr(0, n)).ok()) << n;
  }
  EXPECT_TRUE(ReadJson(text).ok());
}

}  // namespace
}  // namespace mysqlgw
