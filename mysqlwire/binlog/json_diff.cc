#include "mysqlwire/binlog/json_diff.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/json_binary.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

// Json_diff operations, as numbered on the wire.
enum : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

// Array indexes beyond this cannot address anything (a JSON array in a
// MySQL row is far smaller); the bound keeps index arithmetic trivially safe.
constexpr uint64_t kMaxArrayIndex = UINT32_MAX;

// A small DOM over the JSON text. Numbers and literals keep the exact token
// JsonBinaryToText printed (so 1.0 stays a double and 9.00 keeps its scale);
// strings and keys are decoded, and re-quoted by AppendJsonString, so there
// is one escaping rule for both writers.
struct Node {
  enum class Kind { kToken, kString, kArray, kObject };
  Kind kind = Kind::kToken;
  std::string text;               // kToken: the token; kString: the bytes.
  std::vector<std::string> keys;  // kObject: member names, one per child.
  std::vector<Node> children;     // kArray elements, kObject member values.
};

// MySQL keeps object members ordered by key length, then bytewise
// (Json_key_comparator); JsonBinaryToText prints them in that order.
bool KeyLess(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a.compare(b) < 0;  // memcmp semantics: bytes compare unsigned
}

bool IsJsonSpace(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void SkipSpace(WireReader& reader) {
  while (!reader.empty() && IsJsonSpace(reader.PeekU8())) reader.Skip(1);
}

bool IsDigit(uint8_t c) { return c >= '0' && c <= '9'; }

int HexValue(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

// Reads the four hex digits of a \u escape; -1 if they are not there.
int32_t ReadHex4(WireReader& reader) {
  int32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = reader.empty() ? -1 : HexValue(reader.U8());
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

// Reads a JSON string whose opening quote is next in `reader`. Used for
// document strings, keys and quoted path members alike. Bytes other than
// quotes, backslashes and control characters are taken as they are, the way
// JsonBinaryToText passes them through. `make_error` builds the error status
// for the caller's context.
template <typename MakeError>
absl::Status ReadQuoted(WireReader& reader, std::string* out,
                        const MakeError& make_error) {
  if (reader.empty() || reader.U8() != '"') return make_error("expected '\"'");
  while (true) {
    if (reader.empty()) return make_error("unterminated string");
    const uint8_t c = reader.U8();
    if (c == '"') return absl::OkStatus();
    if (c < 0x20) return make_error("control character in string");
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      continue;
    }
    if (reader.empty()) return make_error("unterminated escape");
    const uint8_t escape = reader.U8();
    switch (escape) {
      case '"':
      case '\\':
      case '/':
        out->push_back(static_cast<char>(escape));
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        int32_t unit = ReadHex4(reader);
        if (unit < 0) return make_error("bad \\u escape");
        uint32_t code_point = static_cast<uint32_t>(unit);
        if (code_point >= 0xdc00 && code_point <= 0xdfff) {
          return make_error("lone low surrogate");
        }
        if (code_point >= 0xd800 && code_point <= 0xdbff) {
          // A high surrogate must be followed by \u and a low surrogate.
          if (reader.remaining() < 2 || reader.U8() != '\\' ||
              reader.U8() != 'u') {
            return make_error("lone high surrogate");
          }
          const int32_t low = ReadHex4(reader);
          if (low < 0xdc00 || low > 0xdfff) {
            return make_error("bad surrogate pair");
          }
          code_point = 0x10000 + ((code_point - 0xd800) << 10) +
                       (static_cast<uint32_t>(low) - 0xdc00);
        }
        AppendUtf8(code_point, out);
        break;
      }
      default:
        return make_error("unknown escape");
    }
  }
}

// Recursive-descent parser for JSON text, limited to kJsonMaxDepth nested
// arrays/objects like every JSON reader in this package.
class TextParser {
 public:
  explicit TextParser(absl::string_view text) : reader_(text) {}

  absl::Status ParseDocument(Node* node) {
    if (absl::Status status = ParseValue(0, node); !status.ok()) return status;
    SkipSpace(reader_);
    if (!reader_.empty()) return Error("trailing characters");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON text: ", what, " at offset ", reader_.position()));
  }

  absl::Status ParseValue(int depth, Node* node) {
    SkipSpace(reader_);
    if (reader_.empty()) return Error("expected a value");
    const uint8_t c = reader_.PeekU8();
    if (c == '{' || c == '[') {
      // Checked before recursing: the input decides how deep we would go.
      if (depth + 1 > kJsonMaxDepth) return Error("nested too deep");
      return c == '{' ? ParseObject(depth + 1, node)
                      : ParseArray(depth + 1, node);
    }
    if (c == '"') {
      node->kind = Node::Kind::kString;
      return ReadQuoted(reader_, &node->text,
                        [this](absl::string_view what) { return Error(what); });
    }
    node->kind = Node::Kind::kToken;
    if (c == '-' || IsDigit(c)) return ParseNumber(&node->text);
    for (const absl::string_view literal : {"true", "false", "null"}) {
      // Read through a copy so that a mismatch consumes nothing.
      WireReader probe = reader_;
      if (probe.Bytes(literal.size()) == literal && probe.ok()) {
        reader_ = probe;
        node->text = std::string(literal);
        return absl::OkStatus();
      }
    }
    return Error("unexpected character");
  }

  // number ::= -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  // kept as the exact token.
  absl::Status ParseNumber(std::string* token) {
    WireReader probe = reader_;
    size_t length = 0;
    auto peek = [&]() -> uint8_t { return probe.empty() ? 0 : probe.PeekU8(); };
    auto take = [&]() {
      probe.Skip(1);
      ++length;
    };
    auto take_digits = [&]() {
      size_t n = 0;
      while (IsDigit(peek())) {
        take();
        ++n;
      }
      return n;
    };
    if (peek() == '-') take();
    if (peek() == '0') {
      take();
    } else if (take_digits() == 0) {
      return Error("bad number");
    }
    if (peek() == '.') {
      take();
      if (take_digits() == 0) return Error("bad number fraction");
    }
    if (peek() == 'e' || peek() == 'E') {
      take();
      if (peek() == '+' || peek() == '-') take();
      if (take_digits() == 0) return Error("bad number exponent");
    }
    *token = std::string(reader_.Bytes(length));
    return absl::OkStatus();
  }

  absl::Status ParseArray(int depth, Node* node) {
    node->kind = Node::Kind::kArray;
    reader_.Skip(1);  // '['
    SkipSpace(reader_);
    if (!reader_.empty() && reader_.PeekU8() == ']') {
      reader_.Skip(1);
      return absl::OkStatus();
    }
    while (true) {
      node->children.emplace_back();
      if (absl::Status status = ParseValue(depth, &node->children.back());
          !status.ok()) {
        return status;
      }
      SkipSpace(reader_);
      if (reader_.empty()) return Error("unterminated array");
      const uint8_t c = reader_.U8();
      if (c == ']') return absl::OkStatus();
      if (c != ',') return Error("expected ',' or ']'");
    }
  }

  absl::Status ParseObject(int depth, Node* node) {
    node->kind = Node::Kind::kObject;
    reader_.Skip(1);  // '{'
    SkipSpace(reader_);
    if (!reader_.empty() && reader_.PeekU8() == '}') {
      reader_.Skip(1);
      return absl::OkStatus();
    }
    while (true) {
      SkipSpace(reader_);
      std::string key;
      if (absl::Status status = ReadQuoted(
              reader_, &key,
              [this](absl::string_view what) { return Error(what); });
          !status.ok()) {
        return status;
      }
      SkipSpace(reader_);
      if (reader_.empty() || reader_.U8() != ':') return Error("expected ':'");
      node->keys.push_back(std::move(key));
      node->children.emplace_back();
      if (absl::Status status = ParseValue(depth, &node->children.back());
          !status.ok()) {
        return status;
      }
      SkipSpace(reader_);
      if (reader_.empty()) return Error("unterminated object");
      const uint8_t c = reader_.U8();
      if (c == '}') return absl::OkStatus();
      if (c != ',') return Error("expected ',' or '}'");
    }
  }

  WireReader reader_;
};

// Prints the DOM in JsonBinaryToText's format, through the separators and
// string quoting that json_binary exports.
absl::Status Print(const Node& node, int depth, std::string* out) {
  switch (node.kind) {
    case Node::Kind::kToken:
      out->append(node.text);
      return absl::OkStatus();
    case Node::Kind::kString:
      AppendJsonString(node.text, out);
      return absl::OkStatus();
    case Node::Kind::kArray:
    case Node::Kind::kObject: {
      // Inserting a value can make a document deeper than either part was;
      // MySQL refuses to store such a document, so it cannot be the result.
      if (depth + 1 > kJsonMaxDepth) {
        return absl::FailedPreconditionError(absl::StrCat(
            "JSON diff: result nested deeper than ", kJsonMaxDepth));
      }
      const bool is_object = node.kind == Node::Kind::kObject;
      out->push_back(is_object ? '{' : '[');
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) absl::StrAppend(out, kJsonElementSeparator);
        if (is_object) {
          AppendJsonString(node.keys[i], out);
          absl::StrAppend(out, kJsonKeySeparator);
        }
        if (absl::Status status = Print(node.children[i], depth + 1, out);
            !status.ok()) {
          return status;
        }
      }
      out->push_back(is_object ? '}' : ']');
      return absl::OkStatus();
    }
  }
  return absl::InternalError("JSON diff: unknown node kind");
}

// One step of a diff path: `.name` / `."name"` or `[n]` / `[last]` /
// `[last-n]`. Wildcards, `**` and ranges never occur in a diff and are
// rejected.
struct PathLeg {
  bool is_member = false;
  std::string member;
  uint64_t index = 0;
  bool from_end = false;  // [last-index]
};

absl::Status PathError(absl::string_view path, absl::string_view what) {
  return ProtocolError(absl::StrCat("JSON diff path '", path, "': ", what));
}

// Unquoted member names are ECMAScript identifiers (MySQL quotes any other
// name when it prints a path): ASCII letters, '_', '$', digits after the
// first character, and non-ASCII letters, taken here as any UTF-8 byte.
bool IsIdentifierByte(uint8_t c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '$' || c >= 0x80 || (!first && IsDigit(c));
}

// Reads an array index, at least one digit.
bool ReadIndex(WireReader& reader, uint64_t* index) {
  uint64_t value = 0;
  size_t digits = 0;
  while (!reader.empty() && IsDigit(reader.PeekU8())) {
    value = value * 10 + (reader.U8() - '0');
    if (value > kMaxArrayIndex) return false;
    ++digits;
  }
  *index = value;
  return digits > 0;
}

absl::Status ParsePath(absl::string_view path, std::vector<PathLeg>* legs) {
  WireReader reader(path);
  SkipSpace(reader);
  if (reader.empty() || reader.U8() != '$') {
    return PathError(path, "does not start with '$'");
  }
  while (true) {
    SkipSpace(reader);
    if (reader.empty()) return absl::OkStatus();
    PathLeg leg;
    const uint8_t c = reader.U8();
    if (c == '.') {
      leg.is_member = true;
      SkipSpace(reader);
      if (reader.empty()) return PathError(path, "member name missing");
      if (reader.PeekU8() == '"') {
        if (absl::Status status = ReadQuoted(
                reader, &leg.member,
                [&](absl::string_view what) { return PathError(path, what); });
            !status.ok()) {
          return status;
        }
      } else {
        while (!reader.empty() &&
               IsIdentifierByte(reader.PeekU8(), leg.member.empty())) {
          leg.member.push_back(static_cast<char>(reader.U8()));
        }
        if (leg.member.empty()) {
          return PathError(path, "bad member name (wildcard?)");
        }
      }
    } else if (c == '[') {
      SkipSpace(reader);
      WireReader probe = reader;
      if (probe.remaining() >= 4 && probe.Bytes(4) == "last") {
        reader = probe;
        leg.from_end = true;
        SkipSpace(reader);
        if (!reader.empty() && reader.PeekU8() == '-') {
          reader.Skip(1);
          SkipSpace(reader);
          if (!ReadIndex(reader, &leg.index)) {
            return PathError(path, "bad index after 'last-'");
          }
        }
      } else if (!ReadIndex(reader, &leg.index)) {
        return PathError(path, "bad array index (wildcard?)");
      }
      SkipSpace(reader);
      if (reader.empty() || reader.U8() != ']') {
        return PathError(path, "expected ']' (ranges are not allowed)");
      }
    } else {
      return PathError(path, absl::StrCat("unexpected character at ",
                                          reader.position() - 1));
    }
    legs->push_back(std::move(leg));
  }
}

// Json_array_index: where an index leg lands in an array of `size`
// elements. `position` is clamped into [0, size] (an INSERT past the end
// appends); `in_bounds` says whether it names an existing element.
struct ArrayPosition {
  size_t position;
  bool in_bounds;
};

ArrayPosition ResolveIndex(const PathLeg& leg, size_t size) {
  if (leg.from_end) {
    if (leg.index < size) {
      return {size - 1 - static_cast<size_t>(leg.index), true};
    }
    return {0, false};
  }
  if (leg.index < size) return {static_cast<size_t>(leg.index), true};
  return {size, false};
}

// Index of `key` among the object's members, or keys.size() if absent.
size_t FindKey(const Node& object, absl::string_view key) {
  for (size_t i = 0; i < object.keys.size(); ++i) {
    if (object.keys[i] == key) return i;
  }
  return object.keys.size();
}

// Follows legs [0, count) from `node` exactly as MySQL's seek_exact_path():
// member legs into objects, index legs into arrays, nothing else.
Node* Seek(Node* node, const std::vector<PathLeg>& legs, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const PathLeg& leg = legs[i];
    if (node->kind == Node::Kind::kArray && !leg.is_member) {
      const ArrayPosition at = ResolveIndex(leg, node->children.size());
      if (!at.in_bounds) return nullptr;
      node = &node->children[at.position];
    } else if (node->kind == Node::Kind::kObject && leg.is_member) {
      const size_t at = FindKey(*node, leg.member);
      if (at == node->keys.size()) return nullptr;
      node = &node->children[at];
    } else {
      return nullptr;
    }
  }
  return node;
}

absl::Status Rejected(absl::string_view path, absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(
      "JSON diff on '", path, "' does not fit the document: ", why));
}

absl::Status ApplyOne(uint8_t operation, absl::string_view path_text,
                      const std::vector<PathLeg>& legs, Node value,
                      Node* root) {
  if (legs.empty()) {
    // MySQL never logs a diff on the root: replacing the whole document is
    // logged as a full value instead.
    return Rejected(path_text, "the root cannot be the target");
  }
  if (operation == kReplace) {
    Node* target = Seek(root, legs, legs.size());
    if (target == nullptr) return Rejected(path_text, "no value to replace");
    *target = std::move(value);
    return absl::OkStatus();
  }
  Node* parent = Seek(root, legs, legs.size() - 1);
  if (parent == nullptr) return Rejected(path_text, "parent not found");
  const PathLeg& last = legs.back();
  if (operation == kInsert) {
    if (parent->kind == Node::Kind::kObject && last.is_member) {
      if (FindKey(*parent, last.member) != parent->keys.size()) {
        return Rejected(path_text, "key already exists");
      }
      const auto at = std::find_if(
          parent->keys.begin(), parent->keys.end(),
          [&](const std::string& key) { return KeyLess(last.member, key); });
      const auto offset = at - parent->keys.begin();
      parent->keys.insert(at, last.member);
      parent->children.insert(parent->children.begin() + offset,
                              std::move(value));
      return absl::OkStatus();
    }
    if (parent->kind == Node::Kind::kArray && !last.is_member) {
      const ArrayPosition at = ResolveIndex(last, parent->children.size());
      parent->children.insert(
          parent->children.begin() + static_cast<std::ptrdiff_t>(at.position),
          std::move(value));
      return absl::OkStatus();
    }
    return Rejected(path_text, "parent is not a container of that kind");
  }
  // kRemove
  if (parent->kind == Node::Kind::kObject && last.is_member) {
    const size_t at = FindKey(*parent, last.member);
    if (at == parent->keys.size()) return Rejected(path_text, "no such key");
    parent->keys.erase(parent->keys.begin() + static_cast<std::ptrdiff_t>(at));
    parent->children.erase(parent->children.begin() +
                           static_cast<std::ptrdiff_t>(at));
    return absl::OkStatus();
  }
  if (parent->kind == Node::Kind::kArray && !last.is_member) {
    const ArrayPosition at = ResolveIndex(last, parent->children.size());
    if (!at.in_bounds) return Rejected(path_text, "index out of range");
    parent->children.erase(parent->children.begin() +
                           static_cast<std::ptrdiff_t>(at.position));
    return absl::OkStatus();
  }
  return Rejected(path_text, "parent is not a container of that kind");
}

}  // namespace

absl::StatusOr<std::string> ApplyJsonDiffs(absl::string_view before_text,
                                           absl::string_view diffs) {
  Node root;
  if (absl::Status status = TextParser(before_text).ParseDocument(&root);
      !status.ok()) {
    return status;
  }

  WireReader reader(diffs);
  while (!reader.empty()) {
    const size_t diff_start = reader.position();
    const uint8_t operation = reader.U8();
    if (operation > kRemove) {
      return ProtocolError(absl::StrCat("JSON diff at ", diff_start,
                                        ": unknown operation ",
                                        static_cast<int>(operation)));
    }
    const absl::string_view path_text = reader.Bytes(reader.Lenenc());
    absl::string_view value_bytes;
    if (operation != kRemove) value_bytes = reader.Bytes(reader.Lenenc());
    if (absl::Status status = reader.Status("JSON diff"); !status.ok()) {
      return status;
    }

    std::vector<PathLeg> legs;
    if (absl::Status status = ParsePath(path_text, &legs); !status.ok()) {
      return status;
    }
    Node value;
    if (operation != kRemove) {
      // MySQL's parse_binary() rejects an empty value here; the "empty means
      // null" rule applies to whole columns only.
      if (value_bytes.empty()) {
        return ProtocolError(
            absl::StrCat("JSON diff at ", diff_start, ": empty value"));
      }
      absl::StatusOr<std::string> value_text = JsonBinaryToText(value_bytes);
      if (!value_text.ok()) return value_text.status();
      if (absl::Status status = TextParser(*value_text).ParseDocument(&value);
          !status.ok()) {
        // Our own output must parse; failing here is a bug, not bad input.
        return absl::InternalError(status.message());
      }
    }
    if (absl::Status status =
            ApplyOne(operation, path_text, legs, std::move(value), &root);
        !status.ok()) {
      return status;
    }
  }

  std::string after;
  if (absl::Status status = Print(root, 0, &after); !status.ok()) {
    return status;
  }
  return after;
}

}  // namespace mysqlwire::binlog
