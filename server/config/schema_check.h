// Checks a configuration tree against a protobuf message type before
// protobuf's JSON parser sees it, for errors that carry line numbers and for
// the conveniences the parser lacks:
//  - an unknown field is an error naming it, with a suggestion for typos
//    (a misspelt security setting must not silently fall back to a default);
//  - a field given twice (as `max_open` and as `maxOpen`) is an error;
//  - enum values may be the short lower-case form (`read`, `replica`): the
//    value name without the enum's common prefix, in any case;
//  - a YAML plain scalar for a string field is its text (`name: 007`);
//  - a boolean is true or false, never a string ("yes", "true");
//  - an integer is within its field's range (a string of digits is accepted,
//    as proto3 JSON does);
//  - a duration is a string, in protobuf's form ("30s", "1.5s") or Go's
//    ("500ms", "2m", "1h30m"), rewritten to protobuf's.
#ifndef SERVER_CONFIG_SCHEMA_CHECK_H_
#define SERVER_CONFIG_SCHEMA_CHECK_H_

#include "absl/status/status.h"
#include "google/protobuf/descriptor.h"
#include "server/config/config_node.h"

namespace mysqlgw {

// Rewrites `root` in place. Errors are INVALID_ARGUMENT, start with
// "LINE:COLUMN: " when the tree has positions, and never quote a value
// (which could be a secret pasted in the wrong place).
absl::Status CheckAgainstSchema(const google::protobuf::Descriptor& type, ConfigNode* root);

}  // namespace mysqlgw

#endif  // SERVER_CONFIG_SCHEMA_CHECK_H_
