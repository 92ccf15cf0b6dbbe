// Reads strict JSON (RFC 8259) into a ConfigNode tree, keeping positions for
// error messages. Duplicate keys are an error, as in YAML: which of two
// values protobuf would keep is not something a reader should have to know.
#ifndef SERVER_CONFIG_JSON_READER_H_
#define SERVER_CONFIG_JSON_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/config/config_node.h"

namespace mysqlgw {

// Errors are INVALID_ARGUMENT and start with "LINE:COLUMN: ".
absl::StatusOr<ConfigNode> ReadJson(absl::string_view text);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_JSON_READER_H_
