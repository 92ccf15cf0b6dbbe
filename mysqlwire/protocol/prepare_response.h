// The server's answer to COM_STMT_PREPARE: COM_STMT_PREPARE_OK followed by
// one ColumnDefinition41 per parameter and then one per result column, each
// group closed by an EOF packet unless CLIENT_DEPRECATE_EOF was negotiated.
// The parser of COM_STMT_PREPARE_OK is in statement.h.
#ifndef MYSQLWIRE_PROTOCOL_PREPARE_RESPONSE_H_
#define MYSQLWIRE_PROTOCOL_PREPARE_RESPONSE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/statement.h"

namespace mysqlwire {

// COM_STMT_PREPARE_OK in its 12-byte form:
//   int<1> 0x00 | int<4> statement_id | int<2> num_columns |
//   int<2> num_params | int<1> 0x00 | int<2> warning_count
std::string SerializePrepareOk(const PrepareOk& ok);

// The whole response as a sequence of packet payloads, in order;
// `status_flags` go into the EOF packets. Fails
// (InvalidArgument) when there are more than 65535 parameters or columns,
// which the 2-byte counts cannot announce.
absl::StatusOr<std::vector<std::string>> SerializePrepareResponse(
    uint32_t statement_id, absl::Span<const ColumnDefinition> params,
    absl::Span<const ColumnDefinition> columns, uint16_t warnings,
    uint16_t status_flags, uint64_t capabilities);

// The definition MySQL and MariaDB announce for a '?' whose type is only
// known at execution: named "?", VAR_STRING, binary collation, BINARY flag.
ColumnDefinition UntypedParameter();

}  // namespace mysqlwire

#endif  // MYSQLWIRE_PROTOCOL_PREPARE_RESPONSE_H_
