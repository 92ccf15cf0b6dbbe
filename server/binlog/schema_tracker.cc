#include "server/binlog/schema_tracker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/log/log.h"

namespace mysqlgw {
namespace {

using mysqlwire::ColumnType;
using Kind = DdlStatement::Kind;

bool OneOf(ColumnType t, std::initializer_list<ColumnType> types) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

// Column names compare without regard to case, as the server does.
std::vector<ColumnSpec>::iterator FindColumn(std::vector<ColumnSpec>& columns,
                                             absl::string_view name) {
  return std::find_if(columns.begin(), columns.end(), [&](const ColumnSpec& c) {
    return absl::EqualsIgnoreCase(c.name, name);
  });
}

}  // namespace

bool ColumnTypeFits(absl::string_view type, ColumnType logged) {
  if (type == "tinyint") return logged == ColumnType::kTiny;
  if (type == "smallint") return logged == ColumnType::kShort;
  if (type == "mediumint") return logged == ColumnType::kInt24;
  if (type == "int") return logged == ColumnType::kLong;
  if (type == "bigint") return logged == ColumnType::kLongLong;
  if (type == "float") return logged == ColumnType::kFloat;
  // "real" is a FLOAT under sql_mode REAL_AS_FLOAT.
  if (type == "double") return OneOf(logged, {ColumnType::kDouble, ColumnType::kFloat});
  if (type == "decimal") return OneOf(logged, {ColumnType::kNewDecimal, ColumnType::kDecimal});
  if (type == "bit") return logged == ColumnType::kBit;
  if (type == "date") return OneOf(logged, {ColumnType::kDate, ColumnType::kNewDate});
  if (type == "datetime") return OneOf(logged, {ColumnType::kDateTime2, ColumnType::kDateTime});
  if (type == "timestamp") {
    return OneOf(logged, {ColumnType::kTimestamp2, ColumnType::kTimestamp});
  }
  if (type == "time") return OneOf(logged, {ColumnType::kTime2, ColumnType::kTime});
  if (type == "year") return logged == ColumnType::kYear;
  if (type == "char" || type == "binary") {
    return OneOf(logged, {ColumnType::kString, ColumnType::kVarChar, ColumnType::kVarString});
  }
  if (type == "varchar" || type == "varbinary") {
    return OneOf(logged, {ColumnType::kVarChar, ColumnType::kVarString});
  }
  static constexpr absl::string_view kBlobs[] = {"tinytext", "text",     "mediumtext",
                                                 "longtext", "tinyblob", "blob",
                                                 "mediumblob", "longblob"};
  const bool blob_type = std::find(std::begin(kBlobs), std::end(kBlobs), type) != std::end(kBlobs);
  if (blob_type) {
    return OneOf(logged, {ColumnType::kBlob, ColumnType::kTinyBlob, ColumnType::kMediumBlob,
                          ColumnType::kLongBlob});
  }
  // MySQL has a JSON type; MariaDB's JSON is a LONGTEXT.
  if (type == "json") return OneOf(logged, {ColumnType::kJson, ColumnType::kBlob});
  if (type == "enum") return OneOf(logged, {ColumnType::kEnum, ColumnType::kString});
  if (type == "set") return OneOf(logged, {ColumnType::kSet, ColumnType::kString});
  static constexpr absl::string_view kGeometries[] = {
      "geometry",        "point",           "linestring",         "polygon",         "multipoint",
      "multilinestring", "multipolygon",    "geometrycollection", "geomcollection"};
  if (std::find(std::begin(kGeometries), std::end(kGeometries), type) != std::end(kGeometries)) {
    return logged == ColumnType::kGeometry;
  }
  return true;  // Unknown to us (inet6, uuid, vector, a new type): no check.
}

bool ApplyAlterAction(const AlterAction& a, TableDefinition* def) {
  std::vector<ColumnSpec>& cols = def->columns;
  // Where a column goes: FIRST, AFTER x, or `last` (the end for ADD, its
  // old place for CHANGE/MODIFY).
  auto place = [&](ColumnSpec spec, size_t last) -> bool {
    if (a.place == ColumnPlace::kFirst) {
      cols.insert(cols.begin(), std::move(spec));
    } else if (a.place == ColumnPlace::kAfter) {
      auto after = FindColumn(cols, a.after);
      if (after == cols.end()) return false;
      cols.insert(after + 1, std::move(spec));
    } else {
      cols.insert(cols.begin() + static_cast<std::ptrdiff_t>(std::min(last, cols.size())),
                  std::move(spec));
    }
    return true;
  };
  auto rename_in_key = [&](absl::string_view from, const std::string& to) {
    for (std::string& k : def->primary_key) {
      if (absl::EqualsIgnoreCase(k, from)) k = to;
    }
  };
  switch (a.kind) {
    case AlterAction::Kind::kAddColumn:
      if (FindColumn(cols, a.spec.name) != cols.end()) return a.if_not_exists;
      return place(a.spec, cols.size());
    case AlterAction::Kind::kDropColumn: {
      auto it = FindColumn(cols, a.column);
      if (it == cols.end()) return a.if_exists;
      cols.erase(it);
      // The server drops the column from its keys too.
      def->primary_key.erase(
          std::remove_if(def->primary_key.begin(), def->primary_key.end(),
                         [&](const std::string& k) { return absl::EqualsIgnoreCase(k, a.column); }),
          def->primary_key.end());
      return true;
    }
    case AlterAction::Kind::kChangeColumn: {
      auto it = FindColumn(cols, a.column);
      if (it == cols.end()) return a.if_exists;
      const size_t index = static_cast<size_t>(it - cols.begin());
      cols.erase(it);
      if (FindColumn(cols, a.spec.name) != cols.end()) return false;
      rename_in_key(a.column, a.spec.name);
      return place(a.spec, index);
    }
    case AlterAction::Kind::kRenameColumn: {
      auto it = FindColumn(cols, a.column);
      if (it == cols.end()) return a.if_exists;
      if (!absl::EqualsIgnoreCase(a.column, a.spec.name) &&
          FindColumn(cols, a.spec.name) != cols.end()) {
        return false;
      }
      it->name = a.spec.name;
      rename_in_key(a.column, a.spec.name);
      return true;
    }
    case AlterAction::Kind::kAddPrimaryKey:
      for (const std::string& k : a.key_columns) {
        if (FindColumn(cols, k) == cols.end()) return false;
      }
      def->primary_key = a.key_columns;
      return true;
    case AlterAction::Kind::kDropPrimaryKey:
      def->primary_key.clear();
      return true;
    case AlterAction::Kind::kRenameTable:
      return true;  // Moved by the caller.
  }
  return false;
}

std::string SchemaTracker::Key(absl::string_view schema, absl::string_view table) {
  return absl::StrCat(schema, absl::string_view("\0", 1), table);
}

void SchemaTracker::Forget(const std::string& key) {
  Entry& e = tables_[key];
  if (e.definition.has_value()) ++stats_.ddl_invalidated;
  e = Entry{};
}

void SchemaTracker::Rename(const QualifiedName& from, const QualifiedName& to) {
  const std::string from_key = Key(from.schema, from.table);
  const std::string to_key = Key(to.schema, to.table);
  if (from_key == to_key) return;
  Entry moved;
  if (auto it = tables_.find(from_key); it != tables_.end()) moved = std::move(it->second);
  moved.warned = false;
  tables_[to_key] = std::move(moved);
  Entry& gone = tables_[from_key];
  gone = Entry{};
  gone.settled = true;  // Known not to exist.
}

void SchemaTracker::ApplyCreate(const DdlStatement& ddl) {
  const std::string key = Key(ddl.table.schema, ddl.table.table);
  if (!ddl.understood) {
    Forget(key);
    return;
  }
  auto it = tables_.find(key);
  const bool known = it != tables_.end() && it->second.definition.has_value();
  const bool known_absent =
      it != tables_.end() && it->second.settled && !it->second.definition.has_value();
  if (ddl.if_not_exists && !ddl.or_replace) {
    // Logged even when the table existed, and then a no-op.
    if (known) return;
    if (!known_absent) {
      Forget(key);
      return;
    }
  }
  Entry e;
  if (ddl.has_like) {
    const TableDefinition* like = Find(ddl.like);
    if (like == nullptr) {
      Forget(key);
      return;
    }
    e.definition = *like;
  } else {
    e.definition = TableDefinition{ddl.columns, ddl.primary_key};
  }
  e.settled = true;
  tables_[key] = std::move(e);
  ++stats_.ddl_followed;
}

void SchemaTracker::ApplyAlter(const DdlStatement& ddl) {
  const std::string key = Key(ddl.table.schema, ddl.table.table);
  if (!ddl.understood) {
    for (const QualifiedName& n : ddl.touched) Forget(Key(n.schema, n.table));
    return;
  }
  auto it = tables_.find(key);
  if (it == tables_.end() || !it->second.definition.has_value()) {
    Forget(key);
  } else {
    TableDefinition def = *it->second.definition;
    bool ok = true;
    for (const AlterAction& a : ddl.actions) {
      if (!ApplyAlterAction(a, &def)) {
        ok = false;
        break;
      }
    }
    if (ok) {
      it->second.definition = std::move(def);
      it->second.warned = false;
      ++stats_.ddl_followed;
    } else {
      Forget(key);
    }
  }
  for (const AlterAction& a : ddl.actions) {
    if (a.kind == AlterAction::Kind::kRenameTable) Rename(ddl.table, a.new_name);
  }
}

void SchemaTracker::OnQuery(absl::string_view default_schema, absl::string_view sql,
                            const DdlParseOptions& options, const BinlogPoint& at) {
  const DdlStatement ddl = ParseDdl(default_schema, sql, options);
  if (ddl.kind == Kind::kNotTableDdl) return;
  auto forget_touched = [&] {
    if (ddl.touched.empty()) {
      // A table statement we cannot even attribute: forget everything.
      for (auto& [key, entry] : tables_) {
        if (entry.definition.has_value()) ++stats_.ddl_invalidated;
        entry = Entry{};
      }
      return;
    }
    for (const QualifiedName& n : ddl.touched) Forget(Key(n.schema, n.table));
  };
  switch (ddl.kind) {
    case Kind::kNotTableDdl:
    case Kind::kTruncate:
      break;
    case Kind::kCreateTable:
      if (ddl.touched.empty()) {
        forget_touched();
      } else {
        ApplyCreate(ddl);
      }
      break;
    case Kind::kAlterTable:
      if (ddl.touched.empty()) {
        forget_touched();
      } else {
        ApplyAlter(ddl);
      }
      break;
    case Kind::kRenameTables:
      if (!ddl.understood) {
        forget_touched();
      } else {
        for (const auto& [from, to] : ddl.renames) Rename(from, to);
      }
      break;
    case Kind::kDropTables:
      if (!ddl.understood) {
        forget_touched();
      } else {
        for (const QualifiedName& n : ddl.touched) {
          Entry& e = tables_[Key(n.schema, n.table)];
          e = Entry{};
          e.settled = true;
        }
      }
      break;
    case Kind::kDropSchema:
      if (!ddl.understood) {
        forget_touched();
      } else {
        const std::string prefix = Key(ddl.schema, "");
        for (auto& [key, entry] : tables_) {
          if (absl::StartsWith(key, prefix)) {
            entry = Entry{};
            entry.settled = true;
          }
        }
      }
      break;
    case Kind::kOtherTableDdl:
      forget_touched();
      break;
  }
  // Loaded definitions that hold from this statement on.
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.after == at) {
      Entry& e = tables_[it->first];
      e = Entry{};
      e.definition = std::move(it->second.definition);
      e.settled = true;
      pending_.erase(it++);
    } else {
      ++it;
    }
  }
}

bool SchemaTracker::NeedsLoad(const mysqlwire::binlog::TableMap& map) const {
  if (map.has_names()) return false;
  const std::string key = Key(map.schema, map.table);
  if (pending_.contains(key)) return false;
  auto it = tables_.find(key);
  return it == tables_.end() || !it->second.settled;
}

void SchemaTracker::SetLoaded(const QualifiedName& name, std::optional<TableDefinition> definition,
                              std::optional<BinlogPoint> valid_after) {
  ++stats_.loads;
  const std::string key = Key(name.schema, name.table);
  Entry& e = tables_[key];
  if (valid_after.has_value()) {
    pending_[key] = Pending{std::move(definition), *std::move(valid_after)};
    e.settled = true;  // Unknown until the stream reaches the DDL.
    return;
  }
  e = Entry{};
  e.definition = std::move(definition);
  e.settled = true;
}

const TableDefinition* SchemaTracker::Find(const QualifiedName& name) const {
  auto it = tables_.find(Key(name.schema, name.table));
  if (it == tables_.end() || !it->second.definition.has_value()) return nullptr;
  return &*it->second.definition;
}

bool SchemaTracker::HasPending(const QualifiedName& name) const {
  return pending_.contains(Key(name.schema, name.table));
}

SchemaTracker::Naming SchemaTracker::Name(mysqlwire::binlog::TableMap* map) {
  if (map->has_names()) return Naming::kFromServer;
  Entry& e = tables_[Key(map->schema, map->table)];
  std::string why;
  if (!e.definition.has_value()) {
    why = pending_.contains(Key(map->schema, map->table))
              ? "its definition is known only as of a later DDL statement in the binlog"
              : "its definition is unknown";
  } else if (e.definition->columns.size() != map->column_count()) {
    why = absl::StrCat("the known definition has ", e.definition->columns.size(),
                       " columns, the binlog ", map->column_count());
  } else {
    for (size_t i = 0; i < map->column_count(); ++i) {
      const ColumnSpec& c = e.definition->columns[i];
      if (!ColumnTypeFits(c.type, map->RealType(i))) {
        why = absl::StrCat("column ", i + 1, " `", c.name, "` is declared ", c.type,
                           " but logged as type ", static_cast<int>(map->RealType(i)));
        break;
      }
    }
  }
  if (!why.empty()) {
    ++stats_.tables_unnamed;
    const bool mismatch = e.definition.has_value();
    if (mismatch) ++stats_.mismatches;
    if (!e.warned) {
      e.warned = true;
      Log(mismatch ? LogLevel::kWarning : LogLevel::kInfo, "binlog",
          "binlog rows of this table are delivered without column names",
          {LogField("schema", map->schema), LogField("table", map->table),
           LogField("reason", why)});
    }
    return mismatch ? Naming::kMismatch : Naming::kUnknown;
  }
  ++stats_.tables_named;
  std::vector<ColumnSpec>& cols = e.definition->columns;
  map->column_names.clear();
  for (const ColumnSpec& c : cols) map->column_names.push_back(c.name);
  if (map->primary_key.empty()) {
    std::vector<uint32_t> pk;
    for (const std::string& k : e.definition->primary_key) {
      auto it = FindColumn(cols, k);
      if (it == cols.end()) {
        pk.clear();
        break;
      }
      pk.push_back(static_cast<uint32_t>(it - cols.begin()));
    }
    map->primary_key = std::move(pk);
    map->primary_key_prefixes.assign(map->primary_key.size(), 0);
  }
  return Naming::kTracked;
}

}  // namespace mysqlgw
