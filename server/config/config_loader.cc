#include "server/config/config_loader.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/config/config_node.h"
#include "server/config/json_reader.h"
#include "server/config/schema_check.h"
#include "server/config/yaml_reader.h"

namespace mysqlgw {
namespace {

// Files larger than this are not configuration files; refusing them keeps a
// wrong path (a log, a device) from being read whole into memory.
constexpr std::uintmax_t kMaxFileBytes = 4 << 20;

// "file:LINE:COLUMN: message" when the message starts with a position.
absl::Status WithSource(absl::string_view source, const absl::Status& status) {
  absl::string_view message = status.message();
  bool positioned = !message.empty() && absl::ascii_isdigit(static_cast<unsigned char>(message[0]));
  return absl::Status(status.code(),
                      absl::StrCat(source, positioned ? ":" : ": ", status.message()));
}

}  // namespace

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", error.message()));
  }
  // A directory opens fine and reads as empty: an empty password, silently.
  if (!std::filesystem::is_regular_file(status)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": file too large"));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path));
  return contents.str();
}

absl::StatusOr<v1::GatewayConfig> ParseConfig(absl::string_view text, ConfigFormat format,
                                              absl::string_view source_name) {
  if (format == ConfigFormat::kAuto) {
    absl::string_view start = absl::StripLeadingAsciiWhitespace(text);
    format = absl::StartsWith(start, "{") ? ConfigFormat::kJson : ConfigFormat::kYaml;
  }
  absl::StatusOr<ConfigNode> tree = format == ConfigFormat::kJson ? ReadJson(text) : ReadYaml(text);
  // Reader and schema errors start with "LINE:COLUMN: ".
  if (!tree.ok()) return WithSource(source_name, tree.status());
  if (absl::Status s = CheckAgainstSchema(*v1::GatewayConfig::descriptor(), &*tree); !s.ok()) {
    return WithSource(source_name, s);
  }
  v1::GatewayConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const std::string json = ToJson(*tree);
  google::protobuf::util::Status parsed =
      google::protobuf::util::JsonStringToMessage(json, &config, options);
  if (!parsed.ok()) {
    // Protobuf's message names the field path, e.g. "listen.max_request_bytes".
    absl::string_view message(parsed.message().data(), parsed.message().size());
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": ", message));
  }
  return config;
}

absl::StatusOr<v1::GatewayConfig> LoadConfigFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  std::string lower = absl::AsciiStrToLower(path);
  ConfigFormat format = ConfigFormat::kAuto;
  if (absl::EndsWith(lower, ".json")) {
    format = ConfigFormat::kJson;
  } else if (absl::EndsWith(lower, ".yaml") || absl::EndsWith(lower, ".yml")) {
    format = ConfigFormat::kYaml;
  }
  return ParseConfig(*text, format, path);
}

}  // namespace mysqlgw
