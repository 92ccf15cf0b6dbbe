#include "server/config/config_node.h"

#include "absl/strings/str_format.h"

namespace mysqlgw {
namespace {

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));  // UTF-8 passes through.
        }
    }
  }
  out->push_back('"');
}

void AppendJson(const ConfigNode& node, std::string* out) {
  switch (node.kind) {
    case ConfigNode::Kind::kNull:
      out->append("null");
      return;
    case ConfigNode::Kind::kString:
      AppendJsonString(node.scalar, out);
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
        AppendJsonString(node.fields[i].key, out);
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
