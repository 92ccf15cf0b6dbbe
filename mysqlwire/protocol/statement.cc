#include "mysqlwire/protocol/statement.h"

#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/protocol/row_binary.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {
namespace {

constexpr uint8_t kPrepareOkStatus = 0x00;
constexpr uint8_t CommandByte(Command command) {
  return static_cast<uint8_t>(command);
}
constexpr uint8_t kComStmtPrepare = CommandByte(Command::kStmtPrepare);
constexpr uint8_t kComStmtExecute = CommandByte(Command::kStmtExecute);
constexpr uint8_t kComStmtSendLongData =
    CommandByte(Command::kStmtSendLongData);
constexpr uint8_t kComStmtClose = CommandByte(Command::kStmtClose);
constexpr uint8_t kComStmtReset = CommandByte(Command::kStmtReset);
constexpr uint32_t kIterationCount = 1;

std::string StatementIdCommand(uint8_t command, uint32_t statement_id) {
  std::string out;
  WireWriter w(&out);
  w.U8(command);
  w.U32(statement_id);
  return out;
}

// The column a parameter of this kind is described as. Only the type, the
// unsigned flag and binary-or-not matter: that is all the wire carries.
ColumnDefinition ParamColumnFor(const Value& v) {
  ColumnDefinition c;
  switch (v.kind()) {
    case Value::Kind::kNull:
      c.type = ColumnType::kNull;
      break;
    case Value::Kind::kInt64:
      c.type = ColumnType::kLongLong;
      break;
    case Value::Kind::kUint64:
      c.type = ColumnType::kLongLong;
      c.flags = kUnsignedFlag;
      break;
    case Value::Kind::kFloat:
      c.type = ColumnType::kFloat;
      break;
    case Value::Kind::kDouble:
      c.type = ColumnType::kDouble;
      break;
    case Value::Kind::kDecimal:
      c.type = ColumnType::kNewDecimal;
      break;
    case Value::Kind::kString:
      c.type = ColumnType::kString;
      break;
    case Value::Kind::kBytes:
      c.type = ColumnType::kBlob;
      c.character_set = kBinaryCollation;
      break;
    case Value::Kind::kDate:
      c.type = ColumnType::kDate;
      break;
    case Value::Kind::kDateTime:
      c.type = ColumnType::kDateTime;
      break;
    case Value::Kind::kTime:
      c.type = ColumnType::kTime;
      break;
  }
  return c;
}

// The inverse for the server side: a parameter type from the wire as a
// column, so that ReadBinaryValue decodes it. BLOB-family and GEOMETRY
// parameters are binary (that is how clients send byte buffers); the other
// string types are text in the connection's character set.
std::optional<ColumnDefinition> ParamColumnFromWire(uint16_t wire_type,
                                                    size_t index) {
  const uint8_t code = static_cast<uint8_t>(wire_type & 0xff);
  if (!IsKnownColumnType(code)) return std::nullopt;
  ColumnDefinition c;
  c.name = absl::StrCat("?", index + 1);
  c.type = static_cast<ColumnType>(code);
  if ((wire_type & kParamUnsignedFlag) != 0) c.flags = kUnsignedFlag;
  switch (c.type) {
    case ColumnType::kTinyBlob:
    case ColumnType::kMediumBlob:
    case ColumnType::kLongBlob:
    case ColumnType::kBlob:
    case ColumnType::kGeometry:
      c.character_set = kBinaryCollation;
      break;
    default:
      break;
  }
  if (!ValueKindOf(c).has_value()) return std::nullopt;  // TYPED_ARRAY.
  return c;
}

}  // namespace

// COM_STMT_PREPARE:
//   int<1>       0x16
//   string<EOF>  the statement
std::string BuildStmtPrepare(absl::string_view sql) {
  std::string out;
  WireWriter w(&out);
  w.U8(kComStmtPrepare);
  w.Bytes(sql);
  return out;
}

// COM_STMT_PREPARE_OK:
//   int<1>  0x00
//   int<4>  statement_id
//   int<2>  num_columns
//   int<2>  num_params
//   int<1>  reserved (0x00)  absent before 4.1.1
//   int<2>  warning_count    absent before 4.1.1
absl::StatusOr<PrepareOk> ParsePrepareOk(absl::string_view payload) {
  constexpr absl::string_view kWhat = "COM_STMT_PREPARE_OK";
  WireReader r(payload);
  uint8_t status = r.U8();
  PrepareOk ok;
  ok.statement_id = r.U32();
  ok.num_columns = r.U16();
  ok.num_params = r.U16();
  if (!r.ok()) return r.Status(kWhat);
  if (status != kPrepareOkStatus) {
    return ProtocolError(
        absl::StrCat(kWhat, ": status 0x", absl::Hex(status), ", expected 0"));
  }
  if (!r.empty()) {
    r.Skip(1);
    ok.warning_count = r.U16();
  }
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return ok;
}

// COM_STMT_EXECUTE:
//   int<1>  0x17
//   int<4>  statement_id
//   int<1>  flags (cursor type)
//   int<4>  iteration_count, always 1
//   if num_params > 0:
//     binary<(num_params + 7) / 8>  NULL bitmap; parameter i is bit i
//     int<1>                        new_params_bound_flag
//     if new_params_bound_flag == 1:
//       int<2>[num_params]          type code, then 0x80 if unsigned
//     for each non-NULL parameter: its binary value (see ReadBinaryValue)
absl::StatusOr<std::string> BuildStmtExecute(uint32_t statement_id,
                                             absl::Span<const Value> params,
                                             uint16_t num_params) {
  if (params.size() != num_params) {
    return absl::InvalidArgumentError(absl::StrCat(
        "statement takes ", num_params, " parameters, got ", params.size()));
  }
  std::string out;
  WireWriter w(&out);
  w.U8(kComStmtExecute);
  w.U32(statement_id);
  w.U8(kCursorTypeNoCursor);
  w.U32(kIterationCount);
  if (params.empty()) return out;

  const size_t bitmap_at = out.size();
  w.Zeros((params.size() + 7) / 8);
  w.U8(1);  // new_params_bound_flag: the types follow.
  std::vector<ColumnDefinition> columns;
  columns.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (v.is_null()) {
      out[bitmap_at + i / 8] = static_cast<char>(
          static_cast<uint8_t>(out[bitmap_at + i / 8]) | (1u << (i % 8)));
    }
    if ((v.kind() == Value::Kind::kDouble && !std::isfinite(v.as_double())) ||
        (v.kind() == Value::Kind::kFloat && !std::isfinite(v.as_float()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", i + 1, ": MySQL has no NaN or infinity"));
    }
    columns.push_back(ParamColumnFor(v));
    w.U8(static_cast<uint8_t>(columns.back().type));
    w.U8(columns.back().is_unsigned() ? kParamUnsignedFlag >> 8 : 0);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].is_null()) continue;
    if (absl::Status s = WriteBinaryValue(params[i], columns[i], &w); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", i + 1, ": ", s.message()));
    }
  }
  return out;
}

std::string BuildStmtClose(uint32_t statement_id) {
  return StatementIdCommand(kComStmtClose, statement_id);
}

std::string BuildStmtReset(uint32_t statement_id) {
  return StatementIdCommand(kComStmtReset, statement_id);
}

// COM_STMT_SEND_LONG_DATA:
//   int<1>       0x18
//   int<4>       statement_id
//   int<2>       param_id (0-based)
//   string<EOF>  data
std::string BuildStmtSendLongData(uint32_t statement_id, uint16_t param_id,
                                  absl::string_view data) {
  std::string out = StatementIdCommand(kComStmtSendLongData, statement_id);
  WireWriter w(&out);
  w.U16(param_id);
  w.Bytes(data);
  return out;
}

// See BuildStmtExecute for the layout.
absl::StatusOr<StmtExecuteRequest> ParseStmtExecute(
    absl::string_view payload, uint16_t num_params,
    absl::Span<const uint16_t> previous_types) {
  constexpr absl::string_view kWhat = "COM_STMT_EXECUTE";
  WireReader r(payload);
  uint8_t command = r.U8();
  StmtExecuteRequest req;
  req.statement_id = r.U32();
  req.flags = r.U8();
  r.U32();  // iteration_count: the server ignores it too.
  if (!r.ok()) return r.Status(kWhat);
  if (command != kComStmtExecute) {
    return ProtocolError(
        absl::StrCat(kWhat, ": command byte 0x", absl::Hex(command)));
  }
  if (num_params == 0) {
    if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
    return req;
  }

  absl::string_view bitmap = r.Bytes((num_params + 7) / 8);
  uint8_t new_params_bound = r.U8();
  if (!r.ok()) return r.Status(kWhat);
  if (new_params_bound > 1) {
    return ProtocolError(
        absl::StrCat(kWhat, ": new_params_bound_flag ", new_params_bound));
  }
  if (new_params_bound == 1) {
    req.param_types.reserve(num_params);
    for (size_t i = 0; i < num_params; ++i) req.param_types.push_back(r.U16());
    if (!r.ok()) return r.Status(absl::StrCat(kWhat, " parameter types"));
  } else if (previous_types.size() == num_params) {
    req.param_types.assign(previous_types.begin(), previous_types.end());
  } else {
    return ProtocolError(absl::StrCat(
        kWhat, ": parameter types omitted but none were bound before"));
  }

  req.params.reserve(num_params);
  for (size_t i = 0; i < num_params; ++i) {
    std::optional<ColumnDefinition> column =
        ParamColumnFromWire(req.param_types[i], i);
    if (!column.has_value()) {
      return ProtocolError(absl::StrCat(kWhat, ": parameter ", i + 1,
                                        " has unknown type 0x",
                                        absl::Hex(req.param_types[i])));
    }
    const bool is_null = (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
    // A NULL-typed parameter carries no bytes whatever its bitmap bit says.
    if (is_null || column->type == ColumnType::kNull) {
      req.params.push_back(Value::Null());
      continue;
    }
    absl::StatusOr<Value> v = ReadBinaryValue(&r, *column);
    if (!v.ok()) return v.status();
    req.params.push_back(*std::move(v));
  }
  if (absl::Status s = r.StatusAtEnd(kWhat); !s.ok()) return s;
  return req;
}

}  // namespace mysqlwire
