// JSON for `mysqlgw-cli tail`: one object per change stream event
// (change_events.h), on one line, "type" first:
//
//   {"type":"begin","gtid":"0-1-42","timestamp":"2024-01-02T03:04:05Z"}
//   {"type":"row","kind":"insert","schema":"shop","table":"items",
//    "after":{"id":1,"name":"apple","amount":"1.50"}}
//   {"type":"ddl","schema":"shop","statement":"ALTER TABLE ..."}
//   {"type":"commit","gtid":"0-1-42","timestamp":"...","position":
//    {"file":"mysql-bin.000001","position":1234},"resume_token":"..."}
//   {"type":"heartbeat","position":{...},"lag_ms":0}
//   {"type":"snapshot","phase":"chunk","schema":"shop","table":"items",
//    "rows":10000,"position":{...},"gtid_state":"0-1-40","resume_token":"..."}
//   {"type":"status","state":"reconnecting","message":"...","attempt":1,
//    "position":{...}}
//
// Rows: "kind" is insert, update, delete or snapshot (a row copied by a
// snapshot start); "before" (updates, deletes) and "after" (inserts,
// updates, snapshot rows) map column names to values, in column order,
// without the columns the server did not log. Values as `--format=jsonl`
// writes them (json_text.h: integers beyond 2^53 - 1 and decimals as
// strings, bytes as base64, dates and times as strings with the column's
// fraction digits). Timestamps are RFC 3339 in UTC; fields the gateway did
// not send (a timestamp, a position, an empty GTID, token or GTID state,
// restarted=false, a snapshot phase's schema and table outside a table) are
// left out.
#ifndef CLIENTS_CPP_CLI_CHANGE_JSON_H_
#define CLIENTS_CPP_CLI_CHANGE_JSON_H_

#include <string>

#include "clients/cpp/change_events.h"

namespace mysqlgw::client::cli {

// The event's JSON object, without a newline.
std::string ChangeEventJson(const ChangeEvent& event);

}  // namespace mysqlgw::client::cli

#endif  // CLIENTS_CPP_CLI_CHANGE_JSON_H_
