// Statement parameters typed on the command line: `mysqlgw-cli query
// "SELECT ?, ?" int:5 str:text`.
//
//   null                      NULL (also NULL; the string "null" is str:null)
//   int:-5   uint:18446744073709551615
//   dbl:2.5 (or double:)      float:2.5
//   dec:1.50 (or decimal:)    exact decimal text, [+-]digits[.digits]
//   str:text (or string:)     the rest of the argument, colons included
//   hex:00ff (0x optional)    b64:AP8=                  bytes
//   date:2024-01-02           datetime:2024-01-02 03:04:05[.ffffff] (or T)
//   time:[-]838:59:59[.ffffff]
//   json:{"a":1}
//   anything else             a string, as typed ("a:b" too, since "a" is
//                             no type)
//
// Zero and partial dates (month or day 0) are accepted, as MySQL has them.
#ifndef CLIENTS_CPP_CLI_PARAM_LITERAL_H_
#define CLIENTS_CPP_CLI_PARAM_LITERAL_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mysqlgw/v1/value.pb.h"

namespace mysqlgw::client::cli {

// InvalidArgument, naming the argument, when a typed literal is malformed.
absl::StatusOr<v1::Value> ParseParamLiteral(absl::string_view arg);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_PARAM_LITERAL_H_
