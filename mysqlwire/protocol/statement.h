// Prepared statement commands: COM_STMT_PREPARE and its OK response,
// COM_STMT_EXECUTE (built by the client side and parsed by the server side),
// COM_STMT_CLOSE, COM_STMT_RESET and COM_STMT_SEND_LONG_DATA. Every builder
// returns a whole packet payload, command byte included.
#ifndef MYSQLWIRE_PROTOCOL_STATEMENT_H_
#define MYSQLWIRE_PROTOCOL_STATEMENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlwire/value.h"

namespace mysqlwire {

// COM_STMT_EXECUTE flags (cursor types).
inline constexpr uint8_t kCursorTypeNoCursor = 0x00;
inline constexpr uint8_t kCursorTypeReadOnly = 0x01;
inline constexpr uint8_t kCursorTypeForUpdate = 0x02;
inline constexpr uint8_t kCursorTypeScrollable = 0x04;

// The flag byte of a parameter type (second byte of its int<2>): unsigned.
inline constexpr uint16_t kParamUnsignedFlag = 0x8000;

std::string BuildStmtPrepare(absl::string_view sql);

struct PrepareOk {
  uint32_t statement_id = 0;
  uint16_t num_columns = 0;
  uint16_t num_params = 0;
  uint16_t warning_count = 0;  // 0 when the server omitted it.
  friend bool operator==(const PrepareOk&, const PrepareOk&) = default;
};

// Parses COM_STMT_PREPARE_OK. Servers before 4.1.1 stop after num_params, so
// both the 9-byte and the 12-byte forms are accepted; nothing else is (the
// metadata-follows byte needs CLIENT_OPTIONAL_RESULTSET_METADATA, which is
// not negotiated). The num_params parameter definitions and num_columns
// column definitions that follow are separate packets.
absl::StatusOr<PrepareOk> ParsePrepareOk(absl::string_view payload);

// Builds COM_STMT_EXECUTE with no cursor, iteration count 1, and the types of
// all parameters sent (new-params-bound = 1). Each Value is sent as:
//   Null -> NULL       Int64 -> LONGLONG   Uint64 -> LONGLONG, unsigned
//   Float -> FLOAT     Double -> DOUBLE    Decimal -> NEWDECIMAL (text)
//   String -> STRING   Bytes -> BLOB       Date/DateTime/Time -> the same
// InvalidArgument if params.size() != num_params, for a DECIMAL that is not
// decimal text, for NaN or infinity (MySQL has neither), and for date/time
// fields out of range.
absl::StatusOr<std::string> BuildStmtExecute(uint32_t statement_id,
                                             absl::Span<const Value> params,
                                             uint16_t num_params);

std::string BuildStmtClose(uint32_t statement_id);
std::string BuildStmtReset(uint32_t statement_id);
std::string BuildStmtSendLongData(uint32_t statement_id, uint16_t param_id,
                                  absl::string_view data);

// A COM_STMT_EXECUTE as the server side receives it.
struct StmtExecuteRequest {
  uint32_t statement_id = 0;
  uint8_t flags = 0;  // kCursorType* bits.
  std::vector<Value> params;
  // Type of each parameter as on the wire: the type code in the low byte,
  // kParamUnsignedFlag in the high byte. Equal to the previous types when the
  // client did not rebind; pass them back in on the next execute.
  std::vector<uint16_t> param_types;
};

// Parses COM_STMT_EXECUTE for a statement with `num_params` parameters.
// `previous_types` are the types bound by the last execute of the statement;
// a client that sends new-params-bound = 0 without any is a protocol error.
// Not handled yet: a parameter whose data came through
// COM_STMT_SEND_LONG_DATA has no inline value, and only the caller's statement
// state knows which those are; a listener must refuse COM_STMT_SEND_LONG_DATA
// until that state is passed in here.
absl::StatusOr<StmtExecuteRequest> ParseStmtExecute(
    absl::string_view payload, uint16_t num_params,
    absl::Span<const uint16_t> previous_types);

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_STATEMENT_H_
