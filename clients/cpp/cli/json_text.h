// JSON for `mysqlgw-cli --format=jsonl`: one object per row, column names as
// keys (in column order; duplicate names are written as they come, and most
// parsers keep the last).
//
// Values:
//   NULL                   null
//   int64, uint64          a number when |v| <= 2^53 - 1 (exact in every JSON
//                          parser, JavaScript included), else a string of
//                          digits, so BIGINT UNSIGNED 18446744073709551615
//                          survives any consumer
//   double, float          a number, in the shortest form that reads back
//                          (NaN and infinities, which MySQL cannot store, as
//                          the strings "NaN", "Infinity", "-Infinity")
//   decimal                a string: the exact text, scale kept ("1.50")
//   string                 a string
//   json                   a string holding the document's text (MariaDB
//                          reports JSON columns as text anyway)
//   bytes                  a string, base64 (RFC 4648 with padding), as in
//                          protobuf's own JSON mapping
//   date, datetime, time   strings as the mysql CLI shows them
//                          ("2024-01-02", "2024-01-02 03:04:05.120",
//                          "-100:00:00"), fraction digits from the column
// Strings: '"', '\' and control characters are escaped (\n, \t, \r, \b, \f,
// else \u00XX), DEL too (\u007f); other characters pass through as UTF-8.
// Bytes that are not valid UTF-8 (which the gateway never sends as a string)
// become U+FFFD, so every line stays valid JSON.
#ifndef CLIENTS_CPP_CLI_JSON_TEXT_H_
#define CLIENTS_CPP_CLI_JSON_TEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mysqlgw/v1/gateway.pb.h"

namespace mysqlgw::client::cli {

void AppendJsonString(absl::string_view text, std::string* out);
std::string JsonString(absl::string_view text);
std::string JsonValue(const v1::Value& value, const v1::Column& column);
// {"name":value,...} without a newline.
std::string JsonRow(const std::vector<v1::Column>& columns, const v1::Row& row);
// {"affected_rows":1,"last_insert_id":0,"warnings":0,"info":""}
std::string JsonOutcome(const v1::StatementOutcome& outcome);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_JSON_TEXT_H_
