#include "server/config/config_node.h"

#include "mysqlwire/json_string.h"

namespace mysqlgw {
namespace {

void AppendJson(const ConfigNode& node, std::string* out) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      out->append("null");
      return;
    case ConfigNode::Kind::kString:
      mysqlwire::AppendJsonString(node.scalar, out);
      return;
    case ConfigNode::Kind::kNumber:
    case ConfigNode::Kind::kBool:
      out->append(node.scalar);
      return;
    case ConfigNode::Kind::kSequence: {
      out->push_back('[');
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(node.items[i], out);
      }
      out->push_back(']');
      return;
    }
    case ConfigNode::Kind::kMap: {
      out->push_back('{');
      for (size_t i = 0; i < node.fields.size(); ++i) {
        if (i > 0) out->push_back(',');
        mysqlwire::AppendJsonString(node.fields[i].key, out);
        out->push_back(':');
        AppendJson(node.fields[i].value, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string ToJson(const ConfigNode& node) {
  std::string out;
  AppendJson(node, &out);
  return out;
}

}  // namespace mysqlgw
