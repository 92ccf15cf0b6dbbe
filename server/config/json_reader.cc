#include "server/config/json_reader.h"

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mysqlgw {
namespace {

constexpr int kMaxDepth = 64;

class JsonReader {
 public:
  explicit JsonReader(absl::string_view text) : text_(text) {}

  absl::StatusOr<ConfigNode> Read() {
    SkipSpace();
    absl::StatusOr<ConfigNode> node = ReadValue(0);
    if (!node.ok()) return node;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the JSON value");
    return node;
  }

 private:
  absl::Status Error(absl::string_view message) {
    int line = 0, column = 0;
    Position(&line, &column);
    return absl::InvalidArgumentError(absl::StrCat(line, ":", column, ": ", message));
  }

  // Line and column of pos_, counted on from the last call so that a whole
  // document costs one pass.
  void Position(int* line, int* column) {
    if (pos_ < counted_) {
      counted_ = 0;
      line_ = 1;
      column_ = 1;
    }
    for (; counted_ < pos_ && counted_ < text_.size(); ++counted_) {
      if (text_[counted_] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
    *line = line_;
    *column = column_;
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Consume(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  absl::StatusOr<ConfigNode> ReadValue(int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    ConfigNode node;
    Position(&node.line, &node.column);
    if (pos_ >= text_.size()) return Error("unexpected end of JSON");
    char c = text_[pos_];
    if (c == '{') return ReadObject(depth, std::move(node));
    if (c == '[') return ReadArray(depth, std::move(node));
    if (c == '"') {
      absl::StatusOr<std::string> s = ReadString();
      if (!s.ok()) return s.status();
      node.kind = ConfigNode::Kind::kString;
      node.scalar = *std::move(s);
      return node;
    }
    for (absl::string_view word : {"true", "false"}) {
      if (Consume(word)) {
        node.kind = ConfigNode::Kind::kBool;
        node.scalar = std::string(word);
        return node;
      }
    }
    if (Consume("null")) return node;
    if (c == '-' || absl::ascii_isdigit(c)) return ReadNumber(std::move(node));
    return Error("expected a JSON value");
  }

  absl::StatusOr<ConfigNode> ReadNumber(ConfigNode node) {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) ++pos_;
      return pos_ - from;
    };
    size_t int_start = pos_;
    size_t n = digits();
    if (n == 0) return Error("malformed number");
    if (n > 1 && text_[int_start] == '0') return Error("leading zeros in number");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Error("malformed number");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Error("malformed number");
    }
    node.kind = ConfigNode::Kind::kNumber;
    node.scalar = std::string(text_.substr(start, pos_ - start));
    return node;
  }

  absl::StatusOr<uint32_t> ReadHex4() {
    if (pos_ + 4 > text_.size()) return Error("truncated \\u escape");
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      int digit = absl::ascii_isdigit(c)   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
      if (digit < 0) return Error("bad \\u escape");
      value = value * 16 + static_cast<uint32_t>(digit);
    }
    return value;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  absl::StatusOr<std::string> ReadString() {
    ++pos_;  // Opening quote.
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        return Error("control character in string");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Error("unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          absl::StatusOr<uint32_t> cp = ReadHex4();
          if (!cp.ok()) return cp.status();
          if (*cp >= 0xD800 && *cp < 0xDC00) {  // High surrogate: a pair.
            if (!Consume("\\u")) return Error("unpaired surrogate in \\u escape");
            absl::StatusOr<uint32_t> low = ReadHex4();
            if (!low.ok()) return low.status();
            if (*low < 0xDC00 || *low >= 0xE000) {
              return Error("unpaired surrogate in \\u escape");
            }
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
          } else if (*cp >= 0xDC00 && *cp < 0xE000) {
            return Error("unpaired surrogate in \\u escape");
          }
          AppendUtf8(*cp, &out);
          break;
        }
        default:
          --pos_;
          return Error("bad escape in string");
      }
    }
  }

  absl::StatusOr<ConfigNode> ReadArray(int depth, ConfigNode node) {
    node.kind = ConfigNode::Kind::kSequence;
    ++pos_;
    SkipSpace();
    if (Consume("]")) return node;
    for (;;) {
      SkipSpace();
      absl::StatusOr<ConfigNode> item = ReadValue(depth + 1);
      if (!item.ok()) return item.status();
      node.items.push_back(*std::move(item));
      SkipSpace();
      if (Consume("]")) return node;
      if (!Consume(",")) return Error("expected ',' or ']'");
    }
  }

  absl::StatusOr<ConfigNode> ReadObject(int depth, ConfigNode node) {
    node.kind = ConfigNode::Kind::kMap;
    ++pos_;
    SkipSpace();
    if (Consume("}")) return node;
    absl::flat_hash_set<std::string> keys;
    for (;;) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a string key");
      ConfigNode::Field field;
      Position(&field.line, &field.column);
      size_t key_pos = pos_;
      absl::StatusOr<std::string> key = ReadString();
      if (!key.ok()) return key.status();
      field.key = *std::move(key);
      if (!keys.insert(field.key).second) {
        pos_ = key_pos;
        return Error(absl::StrCat("duplicate key '", field.key, "'"));
      }
      SkipSpace();
      if (!Consume(":")) return Error("expected ':'");
      SkipSpace();
      absl::StatusOr<ConfigNode> value = ReadValue(depth + 1);
      if (!value.ok()) return value.status();
      field.value = *std::move(value);
      node.fields.push_back(std::move(field));
      SkipSpace();
      if (Consume("}")) return node;
      if (!Consume(",")) return Error("expected ',' or '}'");
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  size_t counted_ = 0;  // Position() has counted text_[0, counted_).
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

absl::StatusOr<ConfigNode> ReadJson(absl::string_view text) { return JsonReader(text).Read(); }

}  // namespace mysqlgw
