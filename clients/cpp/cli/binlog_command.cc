#include "clients/cpp/cli/binlog_command.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "clients/cpp/cli/binlog_json.h"
#include "clients/cpp/cli/commands.h"
#include "clients/cpp/cli/json_text.h"
#include "mysqlwire/binlog/decoder.h"
#include "mysqlwire/binlog/event_type.h"

namespace mysqlgw::client::cli {
namespace {

namespace binlog = ::mysqlwire::binlog;

// Counts for --summary, types in the order they first appear.
class Summary {
 public:
  void Add(const binlog::Event& event) {
    ++events_;
    const std::string type(binlog::EventTypeName(event.header.type));
    auto [it, inserted] = index_.try_emplace(type, counts_.size());
    if (inserted) counts_.emplace_back(type, 0);
    ++counts_[it->second].second;
    if (const auto* rows = std::get_if<binlog::RowsEvent>(&event.body)) {
      for (const binlog::RowChange& change : rows->rows) {
        if (change.before.has_value() && change.after.has_value()) {
          ++updates_;
        } else if (change.after.has_value()) {
          ++inserts_;
        } else {
          ++deletes_;
        }
      }
    }
  }

  std::string Json() const {
    std::string types = "{";
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (i > 0) types.push_back(',');
      AppendJsonString(counts_[i].first, &types);
      absl::StrAppend(&types, ":", counts_[i].second);
    }
    types.push_back('}');
    return absl::StrCat("{\"events\":", events_, ",\"types\":", types,
                        ",\"rows\":{\"insert\":", inserts_, ",\"update\":", updates_,
                        ",\"delete\":", deletes_, "}}");
  }

 private:
  uint64_t events_ = 0;
  uint64_t inserts_ = 0, updates_ = 0, deletes_ = 0;
  std::vector<std::pair<std::string, uint64_t>> counts_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// mysqlwire's protocol errors say "MySQL protocol error: ..."; about a
// file, the rest of the message is what matters.
absl::string_view Describe(const absl::Status& status) {
  return absl::StripPrefix(status.message(), "MySQL protocol error: ");
}

// Decodes one file; false after printing the error of a bad event.
bool DumpOne(binlog::BinlogFileReader& reader, const BinlogOptions& options, Summary& summary,
             std::ostream& out, std::ostream& err) {
  binlog::Decoder decoder;
  BinlogJsonWriter writer;
  std::vector<binlog::Event> events;
  while (true) {
    const uint64_t start = reader.position();
    absl::StatusOr<std::optional<absl::string_view>> raw = reader.Next();
    if (!raw.ok()) {
      // The reader's messages name the file and the offset.
      out.flush();
      err << "ERROR: " << Describe(raw.status()) << "\n";
      return false;
    }
    if (!raw->has_value()) return true;
    events.clear();
    if (absl::Status s = decoder.Decode(**raw, &events); !s.ok()) {
      out.flush();
      err << "ERROR: " << reader.name() << ": event at offset " << start << ": " << Describe(s)
          << "\n";
      return false;
    }
    // Byte 4 of the common header is the type code on the wire: the events
    // of a TRANSACTION_PAYLOAD come out of it one by one.
    const bool in_payload =
        (*raw)->size() > 4 && static_cast<uint8_t>((**raw)[4]) ==
                                  static_cast<uint8_t>(binlog::EventType::kTransactionPayload);
    const BinlogEventPlace place{reader.name(), reader.position(), in_payload};
    for (const binlog::Event& event : events) {
      writer.Observe(event);
      if (!options.types.empty() &&
          !options.types.contains(binlog::EventTypeName(event.header.type))) {
        continue;
      }
      if (options.summary) {
        summary.Add(event);
      } else {
        out << writer.Render(event, place) << "\n";
      }
    }
  }
}

}  // namespace

absl::StatusOr<absl::flat_hash_set<std::string>> ParseBinlogTypes(absl::string_view list) {
  absl::flat_hash_set<std::string> known;
  for (int code = 0; code < 256; ++code) {
    known.insert(std::string(binlog::EventTypeName(static_cast<binlog::EventType>(code))));
  }
  absl::flat_hash_set<std::string> types;
  for (absl::string_view name : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
    if (!known.contains(upper)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown event type '", name,
                       "' in --types (names as the \"type\" "
                       "field prints them, e.g. QUERY,TABLE_MAP,WRITE_ROWS_V1,MARIADB_GTID)"));
    }
    types.insert(std::move(upper));
  }
  if (types.empty()) return absl::InvalidArgumentError("--types lists no event type");
  return types;
}

int DumpBinlogs(std::vector<binlog::BinlogFileReader>& readers, const BinlogOptions& options,
                std::ostream& out, std::ostream& err) {
  Summary summary;
  int code = kExitOk;
  for (binlog::BinlogFileReader& reader : readers) {
    if (!DumpOne(reader, options, summary, out, err)) {
      code = kExitSqlError;
      break;
    }
  }
  if (options.summary) out << summary.Json() << "\n";
  out.flush();
  return code;
}

int RunBinlog(const std::vector<std::string>& paths, const BinlogOptions& options,
              std::ostream& out, std::ostream& err) {
  if (paths.empty()) {
    err << "ERROR: binlog needs at least one FILE\n";
    return kExitUsage;
  }
  std::vector<binlog::BinlogFileReader> readers;
  for (const std::string& path : paths) {
    absl::StatusOr<binlog::BinlogFileReader> reader = binlog::BinlogFileReader::Open(path);
    if (!reader.ok()) {
      err << "ERROR: " << Describe(reader.status()) << "\n";
      return kExitUsage;
    }
    readers.push_back(*std::move(reader));
  }
  return DumpBinlogs(readers, options, out, err);
}

}  // namespace mysqlgw::client::cli
