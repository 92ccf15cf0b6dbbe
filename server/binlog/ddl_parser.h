// What a DDL statement from the binlog does to the column lists of tables:
// enough to follow a table's definition through CREATE, ALTER, RENAME and
// DROP when the server does not log column names (binlog_row_metadata=
// MINIMAL or NO_LOG, MySQL 5.7). See schema_tracker.h.
//
// The parser is deliberately partial. It models what changes column names,
// order and count (and the primary key), recognises the clauses that change
// none of them (indexes, table options, partitioning, defaults...), and for
// anything else says `understood = false` while still naming the tables the
// statement touches, so the caller can forget what it knew about them. It
// never fails and never reads past its input: garbage yields kNotTableDdl or
// an un-understood statement.
#ifndef SERVER_BINLOG_DDL_PARSER_H_
#define SERVER_BINLOG_DDL_PARSER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mysqlgw {

struct QualifiedName {
  std::string schema;
  std::string table;
  bool operator==(const QualifiedName& o) const {
    return schema == o.schema && table == o.table;
  }
};

// A column as a CREATE/ALTER statement or information_schema.COLUMNS
// describes it.
struct ColumnSpec {
  std::string name;
  // The base type in lower case, aliases resolved ("int", "varchar",
  // "mediumtext", "enum"...); empty when unknown. Only used to check that a
  // definition fits a TABLE_MAP (see ColumnTypeFits in schema_tracker.h).
  std::string type;
  bool is_unsigned = false;
};

enum class ColumnPlace { kLast, kFirst, kAfter };

struct AlterAction {
  enum class Kind {
    kAddColumn,       // spec, place, after, if_not_exists
    kDropColumn,      // column, if_exists
    kChangeColumn,    // CHANGE/MODIFY: column (old name), spec, place, after, if_exists
    kRenameColumn,    // column (old name), spec.name (new name), if_exists
    kAddPrimaryKey,   // key_columns
    kDropPrimaryKey,
    kRenameTable,     // new_name
  };
  Kind kind = Kind::kAddColumn;
  std::string column;
  ColumnSpec spec;
  ColumnPlace place = ColumnPlace::kLast;
  std::string after;
  bool if_exists = false;
  bool if_not_exists = false;
  std::vector<std::string> key_columns;
  QualifiedName new_name;
};

struct DdlStatement {
  enum class Kind {
    kNotTableDdl,   // Changes no table definition (DML, GRANT, views, BEGIN...).
    kCreateTable,   // table; columns/primary_key when understood; like
    kAlterTable,    // table, actions
    kRenameTables,  // renames, in order
    kDropTables,    // touched
    kTruncate,      // table (no definition change)
    kDropSchema,    // schema
    kOtherTableDdl, // A table statement not modeled (CREATE SEQUENCE, ...).
  };
  Kind kind = Kind::kNotTableDdl;
  // Whether everything the statement does to column lists is modeled
  // below. False: the tables in `touched` changed in some unknown way.
  bool understood = false;
  // Every table name whose definition the statement may change or whose
  // name it moves, old and new names alike. Empty with understood = false
  // for a table statement whose tables could not even be named.
  std::vector<QualifiedName> touched;

  QualifiedName table;  // CREATE, ALTER, TRUNCATE
  // CREATE TABLE
  bool if_not_exists = false;
  bool or_replace = false;
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;  // Column names, key order.
  bool has_like = false;                 // CREATE TABLE t LIKE like
  QualifiedName like;
  // ALTER TABLE
  std::vector<AlterAction> actions;
  // RENAME TABLE a TO b, c TO d
  std::vector<std::pair<QualifiedName, QualifiedName>> renames;
  // DROP DATABASE
  std::string schema;
};

struct DdlParseOptions {
  bool ansi_quotes = false;            // sql_mode ANSI_QUOTES
  bool no_backslash_escapes = false;   // sql_mode NO_BACKSLASH_ESCAPES
};

// The sql_mode bits of a QUERY event's status variables that change how its
// text is read.
DdlParseOptions DdlOptionsFromSqlMode(uint64_t sql_mode);

// `default_schema`: the QUERY event's database, for unqualified names.
DdlStatement ParseDdl(absl::string_view default_schema, absl::string_view sql,
                      const DdlParseOptions& options = {});

// The base type for a type name as written ("INTEGER" -> "int", "double
// precision" -> "double", "character varying" -> "varchar"); `next` is the
// following word, lower case, for two-word names. Lower-case result; the
// input is returned lower-cased when it is no known alias.
std::string NormalizeTypeName(absl::string_view word, absl::string_view next = {});

}  // namespace mysqlgw

#endif  // SERVER_BINLOG_DDL_PARSER_H_
