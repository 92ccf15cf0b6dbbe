#include "server/binlog/schema_tracker.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mysqlwire/binlog/decoder.h"
#include "server/auth/principal.h"
#include "server/binlog/change_converter.h"
#include "server/binlog/schema_loader.h"
#include "server/binlog/table_filter.h"

namespace mysqlgw {
namespace {

namespace binlog = mysqlwire::binlog;
using mysqlwire::ColumnType;
using Naming = SchemaTracker::Naming;

binlog::TableMap Map(const std::string& table, std::vector<ColumnType> types) {
  binlog::TableMap m;
  m.table_id = 7;
  m.schema = "db";
  m.table = table;
  m.types = std::move(types);
  m.metadata.assign(m.types.size(), 0);
  m.nullable.assign(m.types.size(), true);
  m.is_unsigned.assign(m.types.size(), false);
  m.charsets.assign(m.types.size(), 0);
  return m;
}

BinlogPoint At(uint64_t pos) { return BinlogPoint{"bin.000001", pos}; }

class Tracker {
 public:
  void Ddl(const std::string& sql, uint64_t pos = 0) {
    tracker.OnQuery("db", sql, {}, At(pos == 0 ? ++next_ : pos));
  }
  // The names `map` gets, or an empty vector.
  std::vector<std::string> Names(binlog::TableMap map, Naming* naming = nullptr) {
    Naming n = tracker.Name(&map);
    if (naming != nullptr) *naming = n;
    return map.column_names;
  }
  SchemaTracker tracker;
  uint64_t next_ = 1000;
};

using V = std::vector<std::string>;
constexpr ColumnType kInt = ColumnType::kLong;
constexpr ColumnType kVarChar = ColumnType::kVarChar;
constexpr ColumnType kBig = ColumnType::kLongLong;

TEST(SchemaTrackerTest, FollowsCreateAndAlters) {
  Tracker t;
  t.Ddl("CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(10), b INT)");
  Naming n;
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kInt}), &n), (V{"id", "a", "b"}));
  EXPECT_EQ(n, Naming::kTracked);

  t.Ddl("ALTER TABLE t ADD COLUMN c BIGINT AFTER a");
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kBig, kInt})), (V{"id", "a", "c", "b"}));
  t.Ddl("ALTER TABLE t ADD COLUMN f INT FIRST");
  EXPECT_EQ(t.Names(Map("t", {kInt, kInt, kVarChar, kBig, kInt})), (V{"f", "id", "a", "c", "b"}));
  t.Ddl("ALTER TABLE `t` DROP COLUMN `B`, DROP f");  // Column names ignore case.
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kBig})), (V{"id", "a", "c"}));
  t.Ddl("ALTER TABLE t RENAME COLUMN a TO a2");
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kBig})), (V{"id", "a2", "c"}));
  t.Ddl("ALTER TABLE t CHANGE c c2 INT FIRST");
  EXPECT_EQ(t.Names(Map("t", {kInt, kInt, kVarChar})), (V{"c2", "id", "a2"}));
  t.Ddl("ALTER TABLE t MODIFY a2 VARCHAR(20) AFTER c2");
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kInt})), (V{"c2", "a2", "id"}));
  t.Ddl("TRUNCATE TABLE t");
  t.Ddl("ALTER TABLE t ADD INDEX (a2), ENGINE=InnoDB");
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar, kInt})), (V{"c2", "a2", "id"}));
  EXPECT_FALSE(t.tracker.NeedsLoad(Map("t", {kInt, kVarChar, kInt})));
  EXPECT_EQ(t.tracker.stats().ddl_followed, 8u);
}

TEST(SchemaTrackerTest, PrimaryKeyFilledAndFollowed) {
  Tracker t;
  t.Ddl("CREATE TABLE t (a INT, b INT, c INT, PRIMARY KEY (b, a))");
  binlog::TableMap m = Map("t", {kInt, kInt, kInt});
  ASSERT_EQ(t.tracker.Name(&m), Naming::kTracked);
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{1, 0}));
  t.Ddl("ALTER TABLE t RENAME COLUMN b TO bb, ADD COLUMN z INT FIRST");
  m = Map("t", {kInt, kInt, kInt, kInt});
  ASSERT_EQ(t.tracker.Name(&m), Naming::kTracked);
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{2, 1}));
  t.Ddl("ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (z)");
  m = Map("t", {kInt, kInt, kInt, kInt});
  ASSERT_EQ(t.tracker.Name(&m), Naming::kTracked);
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{0}));
  // A primary key the server logged is kept.
  m = Map("t", {kInt, kInt, kInt, kInt});
  m.primary_key = {3};
  ASSERT_EQ(t.tracker.Name(&m), Naming::kTracked);
  EXPECT_EQ(m.primary_key, (std::vector<uint32_t>{3}));
}

TEST(SchemaTrackerTest, MismatchWithholdsNamesNeverShifts) {
  Tracker t;
  t.Ddl("CREATE TABLE t (id INT, a VARCHAR(10))");
  Naming n;
  // One column more in the binlog than known: no names at all.
  EXPECT_TRUE(t.Names(Map("t", {kInt, kVarChar, kInt}), &n).empty());
  EXPECT_EQ(n, Naming::kMismatch);
  // Same count, a type that cannot be the declared one.
  EXPECT_TRUE(t.Names(Map("t", {kInt, kBig}), &n).empty());
  EXPECT_EQ(n, Naming::kMismatch);
  EXPECT_EQ(t.tracker.stats().mismatches, 2u);
  EXPECT_EQ(t.tracker.stats().tables_unnamed, 2u);
  // The fitting shape still gets its names.
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar}), &n), (V{"id", "a"}));
  // A table the server names itself is left alone.
  binlog::TableMap named = Map("t", {kInt, kVarChar});
  named.column_names = {"x", "y"};
  EXPECT_EQ(t.tracker.Name(&named), Naming::kFromServer);
  EXPECT_EQ(named.column_names, (V{"x", "y"}));
  EXPECT_FALSE(t.tracker.NeedsLoad(named));
}

TEST(SchemaTrackerTest, UnderstoodOrForgotten) {
  Tracker t;
  const binlog::TableMap m = Map("t", {kInt, kInt});
  EXPECT_TRUE(t.tracker.NeedsLoad(m));
  Naming n;
  EXPECT_TRUE(t.Names(m, &n).empty());
  EXPECT_EQ(n, Naming::kUnknown);
  t.tracker.SetLoaded({"db", "t"}, TableDefinition{{{"a", "int"}, {"b", "int"}}, {}}, std::nullopt);
  EXPECT_FALSE(t.tracker.NeedsLoad(m));
  EXPECT_EQ(t.Names(m), (V{"a", "b"}));
  // A statement we cannot model: forget, load again.
  t.Ddl("ALTER TABLE t ADD SYSTEM VERSIONING");
  EXPECT_TRUE(t.tracker.NeedsLoad(m));
  EXPECT_TRUE(t.Names(m).empty());
  EXPECT_EQ(t.tracker.stats().ddl_invalidated, 1u);
  t.tracker.SetLoaded({"db", "t"}, TableDefinition{{{"a", "int"}, {"b", "int"}}, {}}, std::nullopt);
  // A DROP of a column that is not there means our definition was wrong.
  t.Ddl("ALTER TABLE t DROP COLUMN nope");
  EXPECT_TRUE(t.tracker.NeedsLoad(m));
  t.tracker.SetLoaded({"db", "t"}, TableDefinition{{{"a", "int"}, {"b", "int"}}, {}}, std::nullopt);
  t.Ddl("ALTER TABLE t DROP COLUMN IF EXISTS nope");
  EXPECT_FALSE(t.tracker.NeedsLoad(m));
  // ALTER of a table never loaded: a later load is allowed.
  t.Ddl("ALTER TABLE u ADD COLUMN x INT");
  EXPECT_TRUE(t.tracker.NeedsLoad(Map("u", {kInt})));
  // A table statement naming no table we can read: forget everything.
  t.Ddl("ALTER TABLE `broken");
  EXPECT_TRUE(t.tracker.NeedsLoad(m));
  // Loaded as absent: no new load until DDL touches it.
  t.tracker.SetLoaded({"db", "gone"}, std::nullopt, std::nullopt);
  EXPECT_FALSE(t.tracker.NeedsLoad(Map("gone", {kInt})));
}

TEST(SchemaTrackerTest, RenameDropCreateLikeDatabase) {
  Tracker t;
  t.Ddl("CREATE TABLE a (x INT, y INT)");
  t.Ddl("RENAME TABLE a TO b");
  EXPECT_EQ(t.Names(Map("b", {kInt, kInt})), (V{"x", "y"}));
  EXPECT_TRUE(t.Names(Map("a", {kInt, kInt})).empty());
  EXPECT_FALSE(t.tracker.NeedsLoad(Map("a", {kInt, kInt})));  // Known not to exist.
  t.Ddl("ALTER TABLE b RENAME TO other.c, ADD COLUMN z INT");
  EXPECT_EQ(t.tracker.Find({"other", "c"})->columns.size(), 3u);
  EXPECT_EQ(t.tracker.Find({"db", "b"}), nullptr);
  // Swap through a temporary name.
  t.Ddl("CREATE TABLE p (p1 INT)");
  t.Ddl("CREATE TABLE q (q1 INT, q2 INT)");
  t.Ddl("RENAME TABLE p TO tmp, q TO p, tmp TO q");
  EXPECT_EQ(t.Names(Map("p", {kInt, kInt})), (V{"q1", "q2"}));
  EXPECT_EQ(t.Names(Map("q", {kInt})), (V{"p1"}));
  t.Ddl("CREATE TABLE q2 LIKE q");
  EXPECT_EQ(t.Names(Map("q2", {kInt})), (V{"p1"}));
  t.Ddl("DROP TABLE IF EXISTS q, q2");
  EXPECT_EQ(t.tracker.Find({"db", "q"}), nullptr);
  // Dropped, then created again IF NOT EXISTS: certainly the new one.
  t.Ddl("CREATE TABLE IF NOT EXISTS q (n1 INT, n2 INT)");
  EXPECT_EQ(t.Names(Map("q", {kInt, kInt})), (V{"n1", "n2"}));
  // IF NOT EXISTS on an existing table is a no-op.
  t.Ddl("CREATE TABLE IF NOT EXISTS q (other INT)");
  EXPECT_EQ(t.Names(Map("q", {kInt, kInt})), (V{"n1", "n2"}));
  // IF NOT EXISTS on a table we know nothing of: maybe a no-op; load it.
  t.Ddl("CREATE TABLE IF NOT EXISTS r (r1 INT)");
  EXPECT_TRUE(t.tracker.NeedsLoad(Map("r", {kInt})));
  EXPECT_TRUE(t.Names(Map("r", {kInt})).empty());
  t.Ddl("DROP DATABASE db");
  EXPECT_EQ(t.tracker.Find({"db", "p"}), nullptr);
  EXPECT_NE(t.tracker.Find({"other", "c"}), nullptr);
}

// A definition loaded while the stream is behind applies only once the
// stream passes the last DDL that changed the table.
TEST(SchemaTrackerTest, PendingDefinitionActivatesAtItsDdl) {
  Tracker t;
  const binlog::TableMap old_shape = Map("t", {kInt, kVarChar, kInt});
  ASSERT_TRUE(t.tracker.NeedsLoad(old_shape));
  // Now: (id, a2, c); the last DDL touching t ends at 500.
  t.tracker.SetLoaded({"db", "t"},
                      TableDefinition{{{"id", "int"}, {"a2", "varchar"}, {"c", "int"}}, {"id"}},
                      At(500));
  EXPECT_TRUE(t.tracker.HasPending({"db", "t"}));
  EXPECT_FALSE(t.tracker.NeedsLoad(old_shape));
  // Same column count, yet withheld: it is not yet the table's definition.
  Naming n;
  EXPECT_TRUE(t.Names(old_shape, &n).empty());
  EXPECT_EQ(n, Naming::kUnknown);
  t.Ddl("ALTER TABLE t ADD COLUMN c INT AFTER a", 300);
  t.Ddl("ALTER TABLE t DROP COLUMN b", 400);
  EXPECT_TRUE(t.Names(old_shape).empty());
  t.Ddl("ALTER TABLE t RENAME COLUMN a TO a2", 500);
  EXPECT_FALSE(t.tracker.HasPending({"db", "t"}));
  EXPECT_EQ(t.Names(old_shape), (V{"id", "a2", "c"}));
  // Followed on from there.
  t.Ddl("ALTER TABLE t DROP COLUMN c", 600);
  EXPECT_EQ(t.Names(Map("t", {kInt, kVarChar})), (V{"id", "a2"}));
}

TEST(SchemaTrackerTest, TypeFits) {
  EXPECT_TRUE(ColumnTypeFits("int", ColumnType::kLong));
  EXPECT_FALSE(ColumnTypeFits("int", ColumnType::kLongLong));
  EXPECT_TRUE(ColumnTypeFits("datetime", ColumnType::kDateTime2));
  EXPECT_TRUE(ColumnTypeFits("json", ColumnType::kBlob));
  EXPECT_TRUE(ColumnTypeFits("enum", ColumnType::kEnum));
  EXPECT_FALSE(ColumnTypeFits("varchar", ColumnType::kBlob));
  EXPECT_TRUE(ColumnTypeFits("mediumtext", ColumnType::kBlob));
  EXPECT_TRUE(ColumnTypeFits("inet6", ColumnType::kString));  // Unknown: no check.
  EXPECT_TRUE(ColumnTypeFits("", ColumnType::kLong));
}

TEST(DdlLookaheadTest, LastTouchAfterAPoint) {
  DdlLookahead l;
  l.Record("db", "ALTER TABLE t ADD COLUMN x INT", {}, At(100));
  l.Record("db", "INSERT INTO t VALUES (1)", {}, At(150));
  l.Record("db", "RENAME TABLE t TO u", {}, At(200));
  l.Record("db", "TRUNCATE t", {}, At(250));
  l.Record("other", "DROP DATABASE other", {}, At(300));
  EXPECT_EQ(l.LastTouch({"db", "t"}, At(50)), At(200));
  EXPECT_EQ(l.LastTouch({"db", "u"}, At(50)), At(200));
  EXPECT_EQ(l.LastTouch({"db", "t"}, At(200)), std::nullopt);
  EXPECT_EQ(l.LastTouch({"db", "v"}, At(50)), std::nullopt);
  EXPECT_EQ(l.LastTouch({"other", "x"}, At(50)), At(300));
  // A table statement naming nothing readable touches every table.
  l.Record("db", "ALTER TABLE `", {}, BinlogPoint{"bin.000002", 10});
  EXPECT_EQ(l.LastTouch({"db", "v"}, At(900)), (BinlogPoint{"bin.000002", 10}));
}

// The converter names MINIMAL-metadata rows from the tracker and feeds it
// the DDL of the stream.
TEST(SchemaTrackerConverterTest, RowsGetTrackedNames) {
  auto principal = std::make_shared<Principal>();
  principal->all_databases = true;
  TableFilter filter(v1::BinlogFilter(), principal);
  ChangeConverter converter(ConverterOptions{}, &filter, ResumePoint{});
  SchemaTracker tracker;
  converter.set_schema_tracker(&tracker);
  ChangeEvents out;
  auto query = [&](const std::string& sql, uint32_t pos) {
    binlog::Event e;
    e.header.log_pos = pos;
    binlog::QueryEvent q;
    q.schema = "db";
    q.query = sql;
    e.body = q;
    ASSERT_TRUE(converter.Convert(e, pos, &out).ok());
  };
  auto insert = [&](binlog::TableMap map, std::vector<int64_t> values, uint32_t pos) {
    binlog::Event tm;
    tm.header.log_pos = pos;
    tm.body = map;
    ASSERT_TRUE(converter.Convert(tm, pos, &out).ok());
    binlog::Event rows;
    rows.header.log_pos = pos + 10;
    binlog::RowsEvent r;
    r.type = binlog::EventType::kWriteRowsV2;
    r.table_id = map.table_id;
    r.column_count = static_cast<uint32_t>(values.size());
    binlog::RowImage image;
    for (int64_t v : values) image.values.push_back(mysqlwire::Value::Int64(v));
    image.present.assign(values.size(), true);
    r.rows.push_back({std::nullopt, image});
    rows.body = r;
    ASSERT_TRUE(converter.Convert(rows, pos + 10, &out).ok());
    binlog::Event xid;
    xid.header.log_pos = pos + 20;
    xid.body = binlog::XidEvent{};
    ASSERT_TRUE(converter.Convert(xid, pos + 20, &out).ok());
  };
  query("CREATE TABLE t (id INT PRIMARY KEY, a INT)", 100);
  insert(Map("t", {kInt, kInt}), {1, 2}, 200);
  query("ALTER TABLE t ADD COLUMN b INT AFTER id", 300);
  insert(Map("t", {kInt, kInt, kInt}), {3, 4, 5}, 400);
  insert(Map("u", {kInt}), {6}, 500);  // Unknown table: "@1".

  std::vector<std::vector<std::string>> schemas;
  std::vector<std::vector<uint32_t>> keys;
  for (const v1::ChangeEvent& e : out) {
    if (!e.has_table_schema()) continue;
    schemas.emplace_back();
    for (const auto& c : e.table_schema().columns()) schemas.back().push_back(c.name());
    keys.emplace_back(e.table_schema().primary_key().begin(), e.table_schema().primary_key().end());
  }
  ASSERT_EQ(schemas.size(), 3u);
  EXPECT_EQ(schemas[0], (V{"id", "a"}));
  EXPECT_EQ(keys[0], (std::vector<uint32_t>{0}));
  EXPECT_EQ(schemas[1], (V{"id", "b", "a"}));
  EXPECT_EQ(schemas[2], (V{"@1"}));
}

}  // namespace
}  // namespace mysqlgw
