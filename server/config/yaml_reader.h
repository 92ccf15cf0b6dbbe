// Reads a YAML document into a ConfigNode tree with libyaml (a C library:
// no exceptions, and it reports each scalar's style, which decides types).
//
// Scalars follow the YAML 1.2 core schema: quoted or block scalars are
// strings; plain ones are null (~, null, empty), booleans (true/false),
// integers (decimal, 0x hex, 0o octal), floats, or else strings. So `yes` is
// a string, not a boolean, and `"8"` stays a string. Tags !!str, !!int,
// !!float, !!bool and !!null are honoured. Aliases, several documents and
// duplicate keys are errors: a configuration should read the same to a
// person as to the gateway.
#ifndef SERVER_CONFIG_YAML_READER_H_
#define SERVER_CONFIG_YAML_READER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/config/config_node.h"

namespace mysqlgw {

// An empty document is an empty map. Errors are INVALID_ARGUMENT and start
// with "LINE:COLUMN: ".
absl::StatusOr<ConfigNode> ReadYaml(absl::string_view text);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_YAML_READER_H_
