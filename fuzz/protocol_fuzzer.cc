// libFuzzer target for the pure byte-level parsers in mysqlwire/protocol.
// The first input byte picks the parser; the rest is its payload. Parsers
// return statuses on malformed input, so any crash or sanitizer report here
// is a bug. Built and run by scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "mysqlwire/protocol/capabilities.h"
#include "mysqlwire/protocol/column_definition.h"
#include "mysqlwire/protocol/column_type.h"
#include "mysqlwire/protocol/framing.h"
#include "mysqlwire/protocol/handshake.h"
#include "mysqlwire/protocol/ok_err.h"
#include "mysqlwire/protocol/row_binary.h"
#include "mysqlwire/protocol/row_text.h"
#include "mysqlwire/protocol/session_state.h"
#include "mysqlwire/protocol/statement.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "mysqlwire/value.h"

namespace {

using mysqlwire::ColumnDefinition;
using mysqlwire::ColumnType;

ColumnDefinition Column(ColumnType type, uint16_t flags = 0, uint8_t decimals = 0,
                        uint16_t charset = 45, uint32_t length = 0) {
  ColumnDefinition c;
  c.catalog = "def";
  c.name = "c";
  c.type = type;
  c.flags = flags;
  c.decimals = decimals;
  c.character_set = charset;
  c.column_length = length;
  return c;
}

// One column of each family the row parsers tell apart.
const std::vector<ColumnDefinition>& FixedColumns() {
  static const auto* columns = new std::vector<ColumnDefinition>{
      Column(ColumnType::kTiny),
      Column(ColumnType::kLongLong, mysqlwire::kUnsignedFlag),
      Column(ColumnType::kInt24),
      Column(ColumnType::kFloat, 0, 31),
      Column(ColumnType::kDouble, 0, 2),
      Column(ColumnType::kNewDecimal, 0, 3),
      Column(ColumnType::kDate),
      Column(ColumnType::kDateTime, 0, 6),
      Column(ColumnType::kTime, 0, 3),
      Column(ColumnType::kYear, mysqlwire::kUnsignedFlag),
      Column(ColumnType::kBit, mysqlwire::kUnsignedFlag, 0, mysqlwire::kBinaryCollation, 12),
      Column(ColumnType::kVarString),
      Column(ColumnType::kBlob, mysqlwire::kBinaryFlag, 0, mysqlwire::kBinaryCollation),
      Column(ColumnType::kJson),
      Column(ColumnType::kEnum, mysqlwire::kEnumFlag),
  };
  return *columns;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t selector = data[0];
  const absl::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto& all_columns = FixedColumns();

  switch (selector % 16) {
    case 0: {
      uint8_t sequence = selector >> 4;
      std::string joined;
      absl::string_view rest = in;
      // Deframe every message in the input, as a connection would.
      for (int i = 0; i < 64 && !rest.empty(); ++i) {
        auto msg = mysqlwire::Deframe(rest, &sequence, 1 << 20, &joined);
        if (!msg.ok() || msg->consumed == 0) break;
        rest.remove_prefix(msg->consumed);
      }
      break;
    }
    case 1:
      (void)mysqlwire::ParseInitialHandshake(in);
      break;
    case 2:
      (void)mysqlwire::ParseHandshakeResponse(in);
      break;
    case 3:
      (void)mysqlwire::ParseAuthSwitchRequest(in);
      (void)mysqlwire::ParseAuthMoreData(in);
      break;
    case 4: {
      // The high bits choose the capabilities that change the OK layout.
      uint64_t caps = mysqlwire::kClientProtocol41;
      if (selector & 0x10) caps |= mysqlwire::kClientSessionTrack;
      if (selector & 0x20) caps |= mysqlwire::kClientTransactions;
      (void)mysqlwire::ParseOkPacket(in, caps);
      break;
    }
    case 5:
      (void)mysqlwire::ParseErrPacket(in);
      (void)mysqlwire::ParseEofPacket(in);
      break;
    case 6:
      (void)mysqlwire::ParseColumnDefinition(in);
      break;
    case 7:
      (void)mysqlwire::ParseColumnCount(in);
      (void)mysqlwire::ParseColumnCountWithMetadataFlag(in);
      break;
    case 8:
    case 9: {
      // The high nibble picks how many of the fixed columns the row has.
      size_t n = (selector >> 4) % (all_columns.size() + 1);
      absl::Span<const ColumnDefinition> columns(all_columns.data(), n);
      std::vector<mysqlwire::Value> row;
      if (selector % 16 == 8) {
        if (mysqlwire::ParseTextRow(in, columns, &row).ok()) {
          (void)mysqlwire::SerializeTextRow(row, columns);
        }
      } else {
        if (mysqlwire::ParseBinaryRow(in, columns, &row).ok()) {
          (void)mysqlwire::SerializeBinaryRow(row, columns);
        }
      }
      break;
    }
    case 10:
      (void)mysqlwire::ParsePrepareOk(in);
      break;
    case 11: {
      // Parameter count from the high nibble; the previous types are those
      // of a statement that bound one BIGINT and one VARCHAR per pair.
      uint16_t num_params = selector >> 4;
      std::vector<uint16_t> previous;
      if (selector & 0x80) {
        for (uint16_t i = 0; i < num_params; ++i) {
          previous.push_back(i % 2 ? 0x0f : 0x08);
        }
      }
      (void)mysqlwire::ParseStmtExecute(in, num_params, previous);
      break;
    }
    case 12:
      (void)mysqlwire::ParseSessionState(in);
      break;
    case 13: {
      // The primitive readers, driven by the input itself.
      mysqlwire::WireReader reader(in);
      while (!reader.empty()) {
        switch (reader.U8() % 8) {
          case 0:
            (void)reader.Lenenc();
            break;
          case 1:
            (void)reader.LenencOrNull();
            break;
          case 2:
            (void)reader.LenencString();
            break;
          case 3:
            (void)reader.NulString();
            break;
          case 4:
            (void)reader.FixedInt(1 + reader.U8() % 8);
            break;
          case 5:
            (void)reader.Bytes(reader.U8());
            break;
          case 6:
            reader.Skip(reader.U16());
            break;
          default:
            (void)reader.U48();
            break;
        }
      }
      break;
    }
    default: {
      // ValueFromText for one cell of each fixed column.
      for (const ColumnDefinition& column : all_columns) {
        (void)mysqlwire::ValueFromText(in, column);
      }
      break;
    }
  }
  return 0;
}
