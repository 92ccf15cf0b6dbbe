#include "server/binlog/change_converter.h"

#include <algorithm>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mysqlwire/protocol/column_type.h"
#include "server/convert/value_convert.h"

namespace mysqlgw {
namespace {

namespace binlog = mysqlwire::binlog;
using mysqlwire::ColumnType;

void SetTimestamp(uint32_t seconds, google::protobuf::Timestamp* out) {
  out->set_seconds(seconds);
}

// A column definition standing in for result-set metadata, so binlog
// values go through the same conversion as query results.
mysqlwire::ColumnDefinition ColumnOf(const binlog::TableMap& map, size_t i) {
  mysqlwire::ColumnDefinition c;
  c.schema = map.schema;
  c.table = c.org_table = map.table;
  c.name = c.org_name =
      map.has_names() ? map.column_names[i] : absl::StrCat("@", i + 1);
  c.type = map.RealType(i);
  const uint16_t meta = map.metadata[i];
  switch (c.type) {
    case ColumnType::kNewDecimal:
      c.decimals = static_cast<uint8_t>(meta & 0xff);
      c.column_length = (meta >> 8) + (c.decimals > 0 ? 1 : 0) + 1;
      break;
    case ColumnType::kTime2:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp2:
      c.decimals = static_cast<uint8_t>(meta);
      break;
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
      c.column_length = meta;
      break;
    default:
      break;
  }
  if (i < map.is_unsigned.size() && map.is_unsigned[i]) c.flags |= mysqlwire::kUnsignedFlag;
  if (i < map.nullable.size() && !map.nullable[i]) c.flags |= mysqlwire::kNotNullFlag;
  if (std::find(map.primary_key.begin(), map.primary_key.end(), i) != map.primary_key.end()) {
    c.flags |= mysqlwire::kPriKeyFlag;
  }
  if (i < map.charsets.size()) c.character_set = static_cast<uint16_t>(map.charsets[i]);
  return c;
}

void ImageToProto(const binlog::RowImage& image, const binlog::TableMap& map,
                  const std::vector<mysqlwire::ColumnDefinition>& columns, v1::RowImage* out) {
  (void)map;
  for (size_t i = 0; i < image.values.size(); ++i) {
    v1::Value* v = out->add_values();
    if (i < image.present.size() && !image.present[i]) {
      out->add_absent(static_cast<uint32_t>(i));
      v->set_null(google::protobuf::NULL_VALUE);
      continue;
    }
    ToProto(image.values[i], columns[i], v);
  }
}

// A fingerprint of what subscribers see of a table, to re-announce its
// schema when the binlog's description of it changes (DDL mid-stream).
std::string Fingerprint(const binlog::TableMap& map) {
  std::string f;
  for (size_t i = 0; i < map.column_count(); ++i) {
    absl::StrAppend(&f, static_cast<int>(map.RealType(i)), ":", map.metadata[i], ":",
                    map.has_names() ? map.column_names[i] : "", ";");
  }
  return f;
}

bool IsStatement(absl::string_view query, absl::string_view word) {
  query = absl::StripAsciiWhitespace(query);
  return absl::EqualsIgnoreCase(query, word);
}

}  // namespace

absl::StatusOr<std::map<uint32_t, std::string>> ParseMariaGtidState(absl::string_view state) {
  std::map<uint32_t, std::string> out;
  for (absl::string_view gtid : absl::StrSplit(state, ',', absl::SkipWhitespace())) {
    gtid = absl::StripAsciiWhitespace(gtid);
    std::vector<absl::string_view> parts = absl::StrSplit(gtid, '-');
    uint32_t domain = 0, server = 0;
    uint64_t seq = 0;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &domain) ||
        !absl::SimpleAtoi(parts[1], &server) || !absl::SimpleAtoi(parts[2], &seq)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", gtid, "' is not a MariaDB GTID (domain-server-sequence)"));
    }
    out[domain] = std::string(gtid);
  }
  return out;
}

ChangeConverter::ChangeConverter(ConverterOptions options, TableFilter* filter,
                                 ResumePoint start)
    : options_(std::move(options)), filter_(filter), committed_(std::move(start)) {
  file_ = committed_.file;
  position_ = committed_.position;
  if (absl::StatusOr<std::map<uint32_t, std::string>> d = ParseMariaGtidState(committed_.gtid_state);
      d.ok()) {
    domains_ = *std::move(d);
  }
}

std::string ChangeConverter::GtidState() const {
  std::vector<std::string> parts;
  for (const auto& [domain, gtid] : domains_) parts.push_back(gtid);
  return absl::StrJoin(parts, ",");
}

bool ChangeConverter::KindWanted(v1::ChangeKind kind) const {
  return options_.kinds.empty() ||
         std::find(options_.kinds.begin(), options_.kinds.end(), kind) != options_.kinds.end();
}

void ChangeConverter::Begin(const binlog::EventHeader& header, std::string gtid,
                            ChangeEvents* out) {
  in_transaction_ = true;
  saw_begin_query_ = false;
  standalone_ = false;
  gtid_ = std::move(gtid);
  auto* begin = out->Add()->mutable_begin();
  begin->set_gtid(gtid_);
  SetTimestamp(header.timestamp, begin->mutable_timestamp());
}

void ChangeConverter::Commit(const binlog::EventHeader& header,
                             ChangeEvents* out) {
  if (!pending_domain_gtid_.empty()) {
    domains_[pending_domain_] = pending_domain_gtid_;
    pending_domain_gtid_.clear();
  }
  committed_.file = file_;
  committed_.position = position_;
  committed_.gtid_state = GtidState();
  auto* commit = out->Add()->mutable_commit();
  commit->set_gtid(gtid_);
  SetTimestamp(header.timestamp, commit->mutable_timestamp());
  commit->set_resume_token(EncodeResumeToken(committed_));
  commit->mutable_position()->set_file(committed_.file);
  commit->mutable_position()->set_position(committed_.position);
  in_transaction_ = false;
  just_committed_ = true;
  gtid_.clear();
  tables_.clear();
}

void ChangeConverter::AbandonTransaction() {
  in_transaction_ = false;
  saw_begin_query_ = false;
  standalone_ = false;
  just_committed_ = false;
  gtid_.clear();
  pending_domain_gtid_.clear();
  tables_.clear();
  file_ = committed_.file;
  position_ = committed_.position;
}

void ChangeConverter::OnQuery(const binlog::EventHeader& header, const binlog::QueryEvent& query,
                              ChangeEvents* out) {
  if (IsStatement(query.query, "BEGIN") || IsStatement(query.query, "START TRANSACTION")) {
    if (!in_transaction_) Begin(header, "", out);
    saw_begin_query_ = true;
    return;
  }
  if (IsStatement(query.query, "COMMIT") || IsStatement(query.query, "ROLLBACK")) {
    if (!in_transaction_) Begin(header, "", out);
    Commit(header, out);
    return;
  }
  // A statement logged as text: DDL, or a statement of a non-row format.
  if (schema_tracker_ != nullptr) {
    schema_tracker_->OnQuery(query.schema, query.query,
                             DdlOptionsFromSqlMode(query.status.sql_mode.value_or(0)),
                             BinlogPoint{file_, position_});
  }
  const bool own_transaction = !in_transaction_;
  if (own_transaction) Begin(header, "", out);
  if (options_.include_ddl && filter_->AllowsSchema(query.schema)) {
    auto* ddl = out->Add()->mutable_ddl();
    ddl->set_schema(query.schema);
    ddl->set_statement(query.query);
  }
  // Inside BEGIN ... COMMIT it is part of the transaction; otherwise (a lone
  // statement, or the single statement of a GTID group) it commits.
  if (own_transaction || standalone_ || !saw_begin_query_) Commit(header, out);
}

uint32_t ChangeConverter::TableRef(const binlog::TableMap& map,
                                   ChangeEvents* out) {
  const std::string key = absl::StrCat(map.schema, ".", map.table);
  std::string fingerprint = Fingerprint(map);
  auto it = announced_.find(key);
  if (it != announced_.end() && it->second.second == fingerprint) return it->second.first;
  const uint32_t ref = next_ref_++;
  announced_[key] = {ref, std::move(fingerprint)};
  auto* schema = out->Add()->mutable_table_schema();
  schema->set_table_ref(ref);
  schema->set_schema(map.schema);
  schema->set_table(map.table);
  for (size_t i = 0; i < map.column_count(); ++i) {
    ColumnToProto(ColumnOf(map, i), schema->add_columns());
  }
  for (uint32_t pk : map.primary_key) schema->add_primary_key(pk);
  return ref;
}

absl::Status ChangeConverter::OnRows(const binlog::RowsEvent& rows,
                                     ChangeEvents* out) {
  auto it = tables_.find(rows.table_id);
  if (it == tables_.end()) {
    return absl::InternalError(absl::StrCat("rows event for unknown table id ", rows.table_id));
  }
  const binlog::TableMap& map = it->second;
  if (!filter_->Allows(map.schema, map.table)) return absl::OkStatus();
  v1::ChangeKind kind = v1::CHANGE_KIND_UNSPECIFIED;
  switch (rows.type) {
    case binlog::EventType::kWriteRowsV1:
    case binlog::EventType::kWriteRowsV2:
    case binlog::EventType::kPreGaWriteRows:
    case binlog::EventType::kMariaWriteRowsCompressed:
    case binlog::EventType::kMariaWriteRowsCompressedV1:
      kind = v1::CHANGE_KIND_INSERT;
      break;
    case binlog::EventType::kDeleteRowsV1:
    case binlog::EventType::kDeleteRowsV2:
    case binlog::EventType::kPreGaDeleteRows:
    case binlog::EventType::kMariaDeleteRowsCompressed:
    case binlog::EventType::kMariaDeleteRowsCompressedV1:
      kind = v1::CHANGE_KIND_DELETE;
      break;
    default:
      kind = v1::CHANGE_KIND_UPDATE;
      break;
  }
  if (!KindWanted(kind)) return absl::OkStatus();
  const uint32_t ref = TableRef(map, out);
  std::vector<mysqlwire::ColumnDefinition> columns;
  columns.reserve(map.column_count());
  for (size_t i = 0; i < map.column_count(); ++i) columns.push_back(ColumnOf(map, i));
  for (const binlog::RowChange& change : rows.rows) {
    auto* row = out->Add()->mutable_row();
    row->set_table_ref(ref);
    row->set_kind(kind);
    const bool keep_before =
        change.before.has_value() &&
        (!options_.omit_before_images || kind == v1::CHANGE_KIND_DELETE);
    if (keep_before) ImageToProto(*change.before, map, columns, row->mutable_before());
    if (change.after.has_value()) ImageToProto(*change.after, map, columns, row->mutable_after());
  }
  return absl::OkStatus();
}

absl::Status ChangeConverter::Convert(const binlog::Event& event, uint32_t raw_log_pos,
                                      ChangeEvents* out) {
  just_committed_ = false;
  const binlog::EventHeader& h = event.header;
  position_ = h.log_pos != 0 ? h.log_pos : raw_log_pos;
  return std::visit(
      [&](const auto& body) -> absl::Status {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, binlog::RotateEvent>) {
          file_ = body.next_file;
          position_ = body.position;
        } else if constexpr (std::is_same_v<T, binlog::MariaGtidEvent>) {
          binlog::MariaGtid gtid = body.gtid;
          gtid.server_id = h.server_id;
          pending_domain_ = gtid.domain_id;
          pending_domain_gtid_ = gtid.ToString();
          Begin(h, pending_domain_gtid_, out);
          standalone_ = body.standalone();
        } else if constexpr (std::is_same_v<T, binlog::GtidEvent>) {
          Begin(h, body.anonymous ? std::string() : body.Gtid(), out);
        } else if constexpr (std::is_same_v<T, binlog::QueryEvent>) {
          OnQuery(h, body, out);
        } else if constexpr (std::is_same_v<T, binlog::XidEvent>) {
          if (!in_transaction_) Begin(h, "", out);
          Commit(h, out);
        } else if constexpr (std::is_same_v<T, binlog::TableMap>) {
          binlog::TableMap& map = tables_[body.table_id] = body;
          if (schema_tracker_ != nullptr && !map.has_names() &&
              filter_->Allows(map.schema, map.table)) {
            schema_tracker_->Name(&map);
          }
        } else if constexpr (std::is_same_v<T, binlog::RowsEvent>) {
          if (!in_transaction_) Begin(h, "", out);
          return OnRows(body, out);
        }
        return absl::OkStatus();
      },
      event.body);
}

}  // namespace mysqlgw
