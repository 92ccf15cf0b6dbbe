#include "server/config/schema_check.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace mysqlgw {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::EnumDescriptor;
using ::google::protobuf::EnumValueDescriptor;
using ::google::protobuf::FieldDescriptor;

absl::Status ErrorAt(int line, int column, absl::string_view path, absl::string_view message) {
  std::string where = line > 0 ? absl::StrCat(line, ":", column, ": ") : "";
  if (!path.empty()) absl::StrAppend(&where, path, ": ");
  return absl::InvalidArgumentError(absl::StrCat(where, message));
}

absl::Status ErrorAt(const ConfigNode& node, absl::string_view path, absl::string_view message) {
  return ErrorAt(node.line, node.column, path, message);
}

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = absl::ascii_tolower(a[i - 1]) == absl::ascii_tolower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string Suggestion(const Descriptor& type, absl::string_view key) {
  const FieldDescriptor* best = nullptr;
  size_t best_distance = 3;  // Farther than this is no longer a typo.
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    size_t d = std::min(EditDistance(key, field->name()), EditDistance(key, field->json_name()));
    if (d < best_distance) {
      best_distance = d;
      best = field;
    }
  }
  return best == nullptr ? "" : absl::StrCat(" (did you mean '", best->name(), "'?)");
}

// "OPERATION_" for OPERATION_READ, OPERATION_WRITE, ...
std::string CommonPrefix(const EnumDescriptor& type) {
  std::string prefix = type.value(0)->name();
  for (int i = 1; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    size_t n = 0;
    while (n < prefix.size() && n < name.size() && prefix[n] == name[n]) ++n;
    prefix.resize(n);
  }
  size_t underscore = prefix.rfind('_');
  prefix.resize(underscore == std::string::npos ? 0 : underscore + 1);
  return prefix;
}

absl::Status NormalizeEnum(const EnumDescriptor& type, absl::string_view path, ConfigNode* node) {
  if (node->kind != ConfigNode::Kind::kString) return absl::OkStatus();  // A number.
  std::string prefix = CommonPrefix(type);
  std::string wanted = absl::AsciiStrToUpper(node->scalar);
  std::vector<std::string> allowed;
  for (int i = 0; i < type.value_count(); ++i) {
    const EnumValueDescriptor* value = type.value(i);
    absl::string_view short_name = absl::string_view(value->name()).substr(prefix.size());
    if (wanted == value->name() || wanted == short_name) {
      node->scalar = value->name();
      return absl::OkStatus();
    }
    allowed.push_back(absl::AsciiStrToLower(short_name));
  }
  return ErrorAt(*node, path,
                 absl::StrCat("unknown ", type.name(), " '", node->scalar,
                              "'; expected one of: ", absl::StrJoin(allowed, ", ")));
}

// Go-style durations ("500ms", "2m", "1h30m", "1.5s") become protobuf's JSON
// form, seconds with a fraction ("1.500000000s").
absl::Status NormalizeDuration(absl::string_view path, ConfigNode* node) {
  constexpr absl::string_view kExpected =
      "a duration is a string such as \"30s\", \"1.5s\", \"500ms\", \"2m\" or \"1h\"";
  if (node->kind != ConfigNode::Kind::kString) return ErrorAt(*node, path, kExpected);
  absl::Duration duration;
  if (!absl::ParseDuration(node->scalar, &duration) || duration == absl::InfiniteDuration() ||
      duration == -absl::InfiniteDuration()) {
    return ErrorAt(*node, path, absl::StrCat("invalid duration '", node->scalar, "'; ", kExpected));
  }
  absl::string_view sign = duration < absl::ZeroDuration() ? "-" : "";
  absl::Duration remainder;
  int64_t seconds = absl::IDivDuration(absl::AbsDuration(duration), absl::Seconds(1), &remainder);
  node->scalar = absl::StrFormat("%s%d.%09ds", sign, seconds, absl::ToInt64Nanoseconds(remainder));
  return absl::OkStatus();
}

// Protobuf 3.21's Descriptor has no lookup by JSON name (lowerCamelCase).
const FieldDescriptor* FindByJsonName(const Descriptor& type, absl::string_view name) {
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == name) return type.field(i);
  }
  return nullptr;
}

// Here rather than in protobuf, whose message quotes the value and has no
// line number. Proto3 JSON also takes integers as strings ("8").
template <typename Int>
absl::Status CheckInteger(absl::string_view path, const ConfigNode& node) {
  Int value;
  if ((node.kind == ConfigNode::Kind::kNumber || node.kind == ConfigNode::Kind::kString) &&
      absl::SimpleAtoi(node.scalar, &value)) {
    return absl::OkStatus();
  }
  return ErrorAt(node, path,
                 absl::StrCat("expected an integer from ", std::numeric_limits<Int>::min(), " to ",
                              std::numeric_limits<Int>::max()));
}

absl::Status CheckMessage(const Descriptor& type, const std::string& path, ConfigNode* node);

absl::Status CheckValue(const FieldDescriptor& field, const std::string& path, ConfigNode* node) {
  if (node->kind == ConfigNode::Kind::kNull) return absl::OkStatus();
  switch (field.type()) {
    case FieldDescriptor::TYPE_MESSAGE: {
      const Descriptor& type = *field.message_type();
      if (type.full_name() == "google.protobuf.Duration") {
        return NormalizeDuration(path, node);
      }
      if (absl::StartsWith(type.full_name(), "google.protobuf.")) {
        return absl::OkStatus();  // Other well-known types have their own JSON.
      }
      return CheckMessage(type, path, node);
    }
    case FieldDescriptor::TYPE_ENUM:
      return NormalizeEnum(*field.enum_type(), path, node);
    case FieldDescriptor::TYPE_STRING:
      if ((node->kind == ConfigNode::Kind::kNumber || node->kind == ConfigNode::Kind::kBool) &&
          !node->plain_text.empty()) {
        node->kind = ConfigNode::Kind::kString;
        node->scalar = node->plain_text;
      }
      return absl::OkStatus();
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return CheckInteger<int32_t>(path, *node);
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return CheckInteger<int64_t>(path, *node);
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return CheckInteger<uint32_t>(path, *node);
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return CheckInteger<uint64_t>(path, *node);
    case FieldDescriptor::TYPE_BOOL:
      // Protobuf would also take some strings; a switch must be unambiguous.
      if (node->kind != ConfigNode::Kind::kBool) {
        return ErrorAt(*node, path, "expected true or false");
      }
      return absl::OkStatus();
    default:
      return absl::OkStatus();  // Floating point: protobuf checks.
  }
}

absl::Status CheckMessage(const Descriptor& type, const std::string& path, ConfigNode* node) {
  if (node->kind == ConfigNode::Kind::kNull) return absl::OkStatus();
  if (node->kind != ConfigNode::Kind::kMap) {
    return ErrorAt(*node, path, absl::StrCat("expected a mapping of ", type.name(), " fields"));
  }
  absl::flat_hash_map<const FieldDescriptor*, const std::string*> seen;
  for (ConfigNode::Field& entry : node->fields) {
    std::string field_path = path.empty() ? entry.key : absl::StrCat(path, ".", entry.key);
    const FieldDescriptor* field = type.FindFieldByName(entry.key);
    if (field == nullptr) field = FindByJsonName(type, entry.key);
    if (field == nullptr) {
      return ErrorAt(entry.line, entry.column, path,
                     absl::StrCat("unknown field '", entry.key, "'", Suggestion(type, entry.key)));
    }
    auto [it, inserted] = seen.emplace(field, &entry.key);
    if (!inserted) {
      return ErrorAt(entry.line, entry.column, path,
                     absl::StrCat("'", entry.key, "' and '", *it->second, "' are the same field"));
    }
    if (field->is_map()) {  // None in GatewayConfig today; protobuf checks entries.
      if (entry.value.kind != ConfigNode::Kind::kMap &&
          entry.value.kind != ConfigNode::Kind::kNull) {
        return ErrorAt(entry.value, field_path, "expected a mapping");
      }
      continue;
    }
    if (!field->is_repeated()) {
      if (absl::Status s = CheckValue(*field, field_path, &entry.value); !s.ok()) return s;
      continue;
    }
    if (entry.value.kind == ConfigNode::Kind::kNull) continue;
    if (entry.value.kind != ConfigNode::Kind::kSequence) {
      return ErrorAt(entry.value, field_path, "expected a list");
    }
    for (size_t i = 0; i < entry.value.items.size(); ++i) {
      std::string item_path = absl::StrCat(field_path, "[", i, "]");
      if (absl::Status s = CheckValue(*field, item_path, &entry.value.items[i]); !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAgainstSchema(const Descriptor& type, ConfigNode* root) {
  return CheckMessage(type, "", root);
}

}  // namespace mysqlgw
