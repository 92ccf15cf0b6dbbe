#include "server/config/yaml_reader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/config/config_node.h"

namespace mysqlgw {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Kind = ConfigNode::Kind;

// The single value of "v: <text>".
ConfigNode Value(const std::string& text) {
  absl::StatusOr<ConfigNode> root = ReadYaml("v: " + text);
  EXPECT_TRUE(root.ok()) << root.status();
  if (!root.ok() || root->fields.size() != 1) return ConfigNode();
  return root->fields[0].value;
}

struct ScalarCase {
  std::string yaml;
  Kind kind;
  std::string json;
};

TEST(YamlReaderTest, ScalarsFollowTheCoreSchema) {
  const ScalarCase cases[] = {
      {"hello", Kind::kString, "\"hello\""},
      {"'quoted'", Kind::kString, "\"quoted\""},
      {"\"8\"", Kind::kString, "\"8\""},
      {"'true'", Kind::kString, "\"true\""},
      {"8", Kind::kNumber, "8"},
      {"-12", Kind::kNumber, "-12"},
      {"+7", Kind::kNumber, "7"},
      {"007", Kind::kNumber, "7"},
      {"0x1F", Kind::kNumber, "31"},
      {"0o17", Kind::kNumber, "15"},
      {"1.5", Kind::kNumber, "1.5"},
      {".5", Kind::kNumber, "0.5"},
      {"1e3", Kind::kNumber, "1e3"},
      {"true", Kind::kBool, "true"},
      {"False", Kind::kBool, "false"},
      {"yes", Kind::kString, "\"yes\""},
      {"off", Kind::kString, "\"off\""},
      {"~", Kind::kNull, "null"},
      {"null", Kind::kNull, "null"},
      {"", Kind::kNull, "null"},
      {"30s", Kind::kString, "\"30s\""},
      {"127.0.0.1:50051", Kind::kString, "\"127.0.0.1:50051\""},
      {"1.2.3", Kind::kString, "\"1.2.3\""},
      {"!!str 42", Kind::kString, "\"42\""},
      {"!!int \"42\"", Kind::kNumber, "42"},
      {"|\n  line1\n  line2\n", Kind::kString, "\"line1\\nline2\\n\""},
  };
  for (const ScalarCase& c : cases) {
    SCOPED_TRACE(c.yaml);
    ConfigNode node = Value(c.yaml);
    EXPECT_EQ(node.kind, c.kind);
    EXPECT_EQ(ToJson(node), c.json);
  }
}

TEST(YamlReaderTest, PlainScalarsKeepTheirText) {
  EXPECT_EQ(Value("007").plain_text, "007");
  EXPECT_EQ(Value("true").plain_text, "true");
  EXPECT_EQ(Value("'007'").plain_text, "");
}

TEST(YamlReaderTest, NestedStructuresAndPositions) {
  absl::StatusOr<ConfigNode> root = ReadYaml(
      "a:\n"
      "  b: [1, two]\n"
      "  c:\n"
      "    - {d: x}\n");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(ToJson(*root), R"({"a":{"b":[1,"two"],"c":[{"d":"x"}]}})");
  const ConfigNode::Field& c = root->fields[0].value.fields[1];
  EXPECT_EQ(c.key, "c");
  EXPECT_EQ(c.line, 3);
  EXPECT_EQ(c.column, 3);
}

TEST(YamlReaderTest, EmptyDocumentsAreEmptyMaps) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    absl::StatusOr<ConfigNode> root = ReadYaml(text);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(ToJson(*root), "{}");
  }
}

TEST(YamlReaderTest, Errors) {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"a: 1\na: 2\n", "2:1: duplicate key 'a'"},
      {"a: &x 1\nb: *x\n", "aliases"},
      {"a: 1\n---\nb: 2\n", "only one YAML document"},
      {"a: [1, 2\n", "2:1:"},
      {"? [1]\n: 2\n", "mapping keys"},
      {"a: !!int abc\n", "does not match its tag"},
      {"a: !custom x\n", "unsupported tag !custom"},
      {"a: \"unterminated\n", "while scanning a quoted scalar (from 1:4)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    absl::StatusOr<ConfigNode> root = ReadYaml(c.yaml);
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(root.status().message()), HasSubstr(c.message));
  }
}

TEST(YamlReaderTest, DeepNestingIsRefused) {
  std::string text = "a: " + std::string(200, '[') + std::string(200, ']');
  absl::StatusOr<ConfigNode> root = ReadYaml(text);
  ASSERT_FALSE(root.ok());
  EXPECT_THAT(std::string(root.status().message()), HasSubstr("nesting too deep"));
}

TEST(YamlReaderTest, EveryPrefixOfADocumentIsHandled) {
  const std::string text =
      "listen: {address: \"x:1\"}\nbackends:\n  - name: a\n    dsn: 'mysql://u@h'\n";
  for (size_t n = 0; n <= text.size(); ++n) {
    ReadYaml(text.substr(0, n)).IgnoreError();  // Must not crash or hang.
  }
  EXPECT_TRUE(ReadYaml(text).ok());
}

}  // namespace
}  // namespace mysqlgw
