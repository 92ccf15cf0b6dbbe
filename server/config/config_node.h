// A parsed configuration document, independent of its syntax.
//
// YAML and JSON are both read into this tree so that one pass can check it
// against the proto schema (unknown fields, short enum names) with line
// numbers, before the tree is printed as JSON for protobuf's own parser.
#ifndef SERVER_CONFIG_CONFIG_NODE_H_
#define SERVER_CONFIG_CONFIG_NODE_H_

#include <string>
#include <vector>

namespace mysqlgw {

struct ConfigNode {
  enum class Kind { kNull, kString, kNumber, kBool, kSequence, kMap };

  struct Field;  // A map entry.

  Kind kind = Kind::kNull;
  // kString: the value. kNumber: its text in JSON syntax. kBool: "true" or
  // "false".
  std::string scalar;
  // For a YAML plain (unquoted) scalar, the text as written. The schema check
  // reads `port: 3306` or `name: 007` as that text when the field is a string.
  std::string plain_text;
  std::vector<ConfigNode> items;  // kSequence.
  std::vector<Field> fields;      // kMap, in document order.
  // Where the node starts, 1-based; 0 when unknown.
  int line = 0;
  int column = 0;
};

struct ConfigNode::Field {
  std::string key;
  int line = 0;  // Of the key.
  int column = 0;
  ConfigNode value;
};

// The tree as compact JSON text.
std::string ToJson(const ConfigNode& node);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_CONFIG_NODE_H_
