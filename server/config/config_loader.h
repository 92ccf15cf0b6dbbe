// Reads the gateway's configuration file (YAML or JSON) into a
// mysqlgw.v1.GatewayConfig. See proto/mysqlgw/v1/config.proto for the schema.
//
// Both syntaxes go through the same steps: a tree with line numbers, a check
// against the proto schema (unknown fields are errors; enum values may be
// short, e.g. `read` for OPERATION_READ and `replica` for
// BACKEND_ROLE_REPLICA; durations may also be "500ms", "2m", "1h"; booleans
// must be true/false), then protobuf's JSON parser, which takes field names
// in snake_case or lowerCamelCase. Errors name the file, the line and the
// field path where known; they quote no values.
//
// Parsing neither fills defaults nor validates; BuildConfig (build_config.h)
// does the whole sequence.
#ifndef SERVER_CONFIG_CONFIG_LOADER_H_
#define SERVER_CONFIG_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/config.pb.h"

namespace mysqlgw {

enum class ConfigFormat {
  kAuto,  // JSON when the text starts with '{', else YAML.
  kYaml,
  kJson,
};

// `source_name` (usually the file name) prefixes every error message.
absl::StatusOr<v1::GatewayConfig> ParseConfig(absl::string_view text, ConfigFormat format,
                                              absl::string_view source_name = "config");

// The format comes from the extension (.yaml, .yml, .json), else the content.
absl::StatusOr<v1::GatewayConfig> LoadConfigFile(const std::string& path);

// Reads a whole small (< 4 MiB) regular file: configuration, password,
// certificate. Errors name the path and the reason.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_CONFIG_LOADER_H_
