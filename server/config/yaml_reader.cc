#include "server/config/yaml_reader.h"

#include <yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

// Deeper nesting than any real configuration; bounds the recursion.
constexpr int kMaxDepth = 64;

constexpr absl::string_view kTagStr = "tag:yaml.org,2002:str";
constexpr absl::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr absl::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr absl::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr absl::string_view kTagNull = "tag:yaml.org,2002:null";

absl::Status ErrorAt(const yaml_mark_t& mark, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(mark.line + 1, ":", mark.column + 1, ": ", message));
}

bool IsNull(absl::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool IsBool(absl::string_view s, std::string* json) {
  if (s == "true" || s == "True" || s == "TRUE") {
    *json = "true";
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    *json = "false";
    return true;
  }
  return false;
}

bool AllDigits(absl::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? absl::ascii_isxdigit(c) : (c >= '0' && c < '0' + base);
    if (!ok) return false;
  }
  return true;
}

// Integers as JSON wants them: decimal, no '+', no leading zeros. Returns
// false when `s` is not a core-schema integer. Out of range is left to the
// proto parser, which names the field.
bool IsInt(absl::string_view s, std::string* json) {
  absl::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    digits = s.substr(2);
    negative = false;
  }
  if (!AllDigits(digits, base)) return false;
  if (base != 10) {
    errno = 0;
    std::string text(digits);
    unsigned long long value = std::strtoull(text.c_str(), nullptr, base);
    if (errno == ERANGE) return false;  // Stays a string; the field says why.
    *json = absl::StrCat(value);
    return true;
  }
  size_t first = digits.find_first_not_of('0');
  digits = first == absl::string_view::npos ? "0" : digits.substr(first);
  *json = absl::StrCat(negative && digits != "0" ? "-" : "", digits);
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, rewritten for JSON.
bool IsFloat(absl::string_view s, std::string* json) {
  std::string out;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    if (s[i] == '-') out.push_back('-');
    ++i;
  }
  size_t int_start = i;
  while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
  absl::string_view int_part = s.substr(int_start, i - int_start);
  absl::string_view frac_part;
  bool has_dot = i < s.size() && s[i] == '.';
  if (has_dot) {
    size_t frac_start = ++i;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
    frac_part = s.substr(frac_start, i - frac_start);
  }
  if (int_part.empty() && frac_part.empty()) return false;
  absl::string_view exponent;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t exp_start = i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits_start = i;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
    if (i == digits_start) return false;
    exponent = s.substr(exp_start, i - exp_start);
  }
  if (i != s.size()) return false;
  size_t first = int_part.find_first_not_of('0');
  absl::StrAppend(&out, first == absl::string_view::npos ? "0" : int_part.substr(first));
  if (!frac_part.empty()) absl::StrAppend(&out, ".", frac_part);
  absl::StrAppend(&out, exponent);
  *json = std::move(out);
  return true;
}

// Resolves a plain scalar by the core schema.
ConfigNode ResolvePlain(absl::string_view text) {
  ConfigNode node;
  node.plain_text = std::string(text);
  if (IsNull(text)) {
    node.kind = ConfigNode::Kind::kNull;
  } else if (IsBool(text, &node.scalar)) {
    node.kind = ConfigNode::Kind::kBool;
  } else if (IsInt(text, &node.scalar) || IsFloat(text, &node.scalar)) {
    node.kind = ConfigNode::Kind::kNumber;
  } else {
    node.kind = ConfigNode::Kind::kString;
    node.scalar = std::string(text);
  }
  return node;
}

class YamlReader {
 public:
  explicit YamlReader(absl::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlReader() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  YamlReader(const YamlReader&) = delete;
  YamlReader& operator=(const YamlReader&) = delete;

  absl::StatusOr<ConfigNode> Read() {
    if (absl::Status s = Next(); !s.ok()) return s;  // STREAM_START
    if (absl::Status s = Next(); !s.ok()) return s;
    ConfigNode root;
    root.kind = ConfigNode::Kind::kMap;
    if (event_.type == YAML_STREAM_END_EVENT) return root;  // Empty file.
    // Now DOCUMENT_START.
    if (absl::Status s = Next(); !s.ok()) return s;
    absl::StatusOr<ConfigNode> node = ReadNode(0);
    if (!node.ok()) return node.status();
    if (absl::Status s = Next(); !s.ok()) return s;  // DOCUMENT_END
    if (absl::Status s = Next(); !s.ok()) return s;
    if (event_.type != YAML_STREAM_END_EVENT) {
      return ErrorAt(event_.start_mark, "only one YAML document is allowed");
    }
    if (node->kind == ConfigNode::Kind::kNull) return root;  // Comments only.
    return node;
  }

 private:
  absl::Status Next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    if (!has_event_) {
      std::string problem = parser_.problem != nullptr ? parser_.problem : "syntax error";
      if (parser_.context != nullptr) {
        absl::StrAppend(&problem, " ", parser_.context, " (from ", parser_.context_mark.line + 1,
                        ":", parser_.context_mark.column + 1, ")");
      }
      return ErrorAt(parser_.problem_mark, problem);
    }
    return absl::OkStatus();
  }

  // Reads the node whose first event is current; on return the current event
  // is the node's last one.
  absl::StatusOr<ConfigNode> ReadNode(int depth) {
    if (depth > kMaxDepth) return ErrorAt(event_.start_mark, "nesting too deep");
    const yaml_mark_t start = event_.start_mark;
    absl::StatusOr<ConfigNode> node;
    switch (event_.type) {
      case YAML_SCALAR_EVENT:
        node = ReadScalar();
        break;
      case YAML_SEQUENCE_START_EVENT:
        node = ReadSequence(depth);
        break;
      case YAML_MAPPING_START_EVENT:
        node = ReadMap(depth);
        break;
      case YAML_ALIAS_EVENT:
        return ErrorAt(start, "aliases (*name) are not supported");
      default:
        return ErrorAt(start, "unexpected YAML event");
    }
    if (node.ok()) {
      node->line = static_cast<int>(start.line) + 1;
      node->column = static_cast<int>(start.column) + 1;
    }
    return node;
  }

  absl::StatusOr<ConfigNode> ReadScalar() {
    const auto& scalar = event_.data.scalar;
    absl::string_view text(reinterpret_cast<const char*>(scalar.value), scalar.length);
    absl::string_view tag = scalar.tag != nullptr ? reinterpret_cast<const char*>(scalar.tag) : "";
    if (tag.empty() || tag == "!") {
      if (scalar.style == YAML_PLAIN_SCALAR_STYLE && tag.empty()) {
        return ResolvePlain(text);
      }
      ConfigNode node;
      node.kind = ConfigNode::Kind::kString;
      node.scalar = std::string(text);
      return node;
    }
    if (tag == kTagStr) {
      ConfigNode node;
      node.kind = ConfigNode::Kind::kString;
      node.scalar = std::string(text);
      return node;
    }
    if (tag != kTagNull && tag != kTagBool && tag != kTagInt && tag != kTagFloat) {
      return ErrorAt(event_.start_mark, absl::StrCat("unsupported tag ", tag));
    }
    ConfigNode node = ResolvePlain(text);
    node.plain_text.clear();  // An explicit tag means exactly that type.
    bool matches = (tag == kTagNull && node.kind == ConfigNode::Kind::kNull) ||
                   (tag == kTagBool && node.kind == ConfigNode::Kind::kBool) ||
                   ((tag == kTagInt || tag == kTagFloat) && node.kind == ConfigNode::Kind::kNumber);
    if (!matches) {
      return ErrorAt(event_.start_mark, absl::StrCat("value does not match its tag ", tag));
    }
    return node;
  }

  absl::StatusOr<ConfigNode> ReadSequence(int depth) {
    ConfigNode node;
    node.kind = ConfigNode::Kind::kSequence;
    for (;;) {
      if (absl::Status s = Next(); !s.ok()) return s;
      if (event_.type == YAML_SEQUENCE_END_EVENT) return node;
      absl::StatusOr<ConfigNode> item = ReadNode(depth + 1);
      if (!item.ok()) return item.status();
      node.items.push_back(*std::move(item));
    }
  }

  absl::StatusOr<ConfigNode> ReadMap(int depth) {
    ConfigNode node;
    node.kind = ConfigNode::Kind::kMap;
    absl::flat_hash_set<std::string> keys;
    for (;;) {
      if (absl::Status s = Next(); !s.ok()) return s;
      if (event_.type == YAML_MAPPING_END_EVENT) return node;
      if (event_.type != YAML_SCALAR_EVENT) {
        return ErrorAt(event_.start_mark, "mapping keys must be plain words");
      }
      ConfigNode::Field field;
      field.key.assign(reinterpret_cast<const char*>(event_.data.scalar.value),
                       event_.data.scalar.length);
      field.line = static_cast<int>(event_.start_mark.line) + 1;
      field.column = static_cast<int>(event_.start_mark.column) + 1;
      if (!keys.insert(field.key).second) {
        return ErrorAt(event_.start_mark, absl::StrCat("duplicate key '", field.key, "'"));
      }
      if (absl::Status s = Next(); !s.ok()) return s;
      absl::StatusOr<ConfigNode> value = ReadNode(depth + 1);
      if (!value.ok()) return value.status();
      field.value = *std::move(value);
      node.fields.push_back(std::move(field));
    }
  }

  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

}  // namespace

absl::StatusOr<ConfigNode> ReadYaml(absl::string_view text) {
  YamlReader reader(text);
  return reader.Read();
}

}  // namespace mysqlgw
