#include "server/binlog/snapshot_keys.h"

#include "gtest/gtest.h"

namespace mysqlgw {
namespace {

v1::Value Int(int64_t v) {
  v1::Value out;
  out.set_int64(v);
  return out;
}

v1::Row Key(std::initializer_list<int64_t> values) {
  v1::Row row;
  for (int64_t v : values) *row.add_values() = Int(v);
  return row;
}

// A change of table (id, a): before/after ids, -1 for no image.
v1::RowChange Change(v1::ChangeKind kind, int64_t before, int64_t after) {
  v1::RowChange c;
  c.set_kind(kind);
  if (before >= 0) {
    *c.mutable_before()->add_values() = Int(before);
    *c.mutable_before()->add_values() = Int(0);
  }
  if (after >= 0) {
    *c.mutable_after()->add_values() = Int(after);
    *c.mutable_after()->add_values() = Int(0);
  }
  return c;
}

google::protobuf::RepeatedField<uint32_t> Pk(std::initializer_list<uint32_t> idx) {
  google::protobuf::RepeatedField<uint32_t> pk;
  for (uint32_t i : idx) pk.Add(i);
  return pk;
}

TEST(CopyStatementTest, KeyOrderAndExpandedRowComparison) {
  EXPECT_EQ(CopyStatement({"s", "t"}, {"id"}, false), "SELECT * FROM `s`.`t` ORDER BY `id`");
  EXPECT_EQ(CopyStatement({"s", "t`x"}, {"a", "b"}, true),
            "SELECT * FROM `s`.`t``x` WHERE (`a` > ?) OR (`a` = ? AND `b` > ?) ORDER BY `a`, `b`");
  EXPECT_EQ(CopyStatement({"s", "heap"}, {}, true), "SELECT * FROM `s`.`heap`");
  absl::StatusOr<std::vector<mysqlwire::Value>> params = KeyParameters(Key({7, 9}));
  ASSERT_TRUE(params.ok());
  ASSERT_EQ(params->size(), 3u);  // a; a, b
  EXPECT_EQ((*params)[0].as_int64(), 7);
  EXPECT_EQ((*params)[1].as_int64(), 7);
  EXPECT_EQ((*params)[2].as_int64(), 9);
}

TEST(KeysTest, ComparableKindsAndOrder) {
  EXPECT_TRUE(KeyComparable(Key({1, 2})));
  v1::Row text;
  text.add_values()->set_string("abc");
  EXPECT_FALSE(KeyComparable(text));  // Collations: not reproduced here.
  EXPECT_FALSE(KeyComparable(v1::Row()));
  v1::Row bytes_a, bytes_b;
  bytes_a.add_values()->set_bytes(std::string("a\0", 2));
  bytes_b.add_values()->set_bytes("a");
  EXPECT_TRUE(KeyComparable(bytes_a));
  EXPECT_GT(CompareKeys(bytes_a, bytes_b), 0);  // A longer binary string sorts after its prefix.
  EXPECT_LT(CompareKeys(Key({1, 9}), Key({2, 0})), 0);
  EXPECT_EQ(CompareKeys(Key({2, 0}), Key({2, 0})), 0);
  v1::Row u_small, u_big;
  u_small.add_values()->set_uint64(1);
  u_big.add_values()->set_uint64(18446744073709551615ull);
  EXPECT_LT(CompareKeys(u_small, u_big), 0);
}

TEST(CatchUpFilterTest, DeliversExactlyTheRowsAlreadyCopied) {
  SnapshotCursor cursor;
  cursor.done = {{"s", "done"}};
  cursor.remaining = {{"s", "partial"}, {"s", "later"}};
  cursor.last_key = Key({100}).SerializeAsString();
  CatchUpFilter f(cursor);
  EXPECT_TRUE(f.Covers("s", "done"));
  EXPECT_TRUE(f.Covers("s", "later"));
  EXPECT_FALSE(f.Covers("s", "other"));
  const auto pk = Pk({0});

  v1::RowChange c = Change(v1::CHANGE_KIND_INSERT, -1, 5000);
  EXPECT_TRUE(*f.Admit("s", "done", pk, &c));  // Copied tables: everything.
  EXPECT_FALSE(*f.Admit("s", "later", pk, &c));  // Not copied yet: the copy brings it.

  c = Change(v1::CHANGE_KIND_INSERT, -1, 100);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));
  c = Change(v1::CHANGE_KIND_INSERT, -1, 101);
  EXPECT_FALSE(*f.Admit("s", "partial", pk, &c));
  c = Change(v1::CHANGE_KIND_DELETE, 50, -1);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));
  c = Change(v1::CHANGE_KIND_DELETE, 150, -1);
  EXPECT_FALSE(*f.Admit("s", "partial", pk, &c));
  c = Change(v1::CHANGE_KIND_UPDATE, 50, 50);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));
  EXPECT_EQ(c.kind(), v1::CHANGE_KIND_UPDATE);

  // A key moving out of the delivered range: the subscriber must drop it.
  c = Change(v1::CHANGE_KIND_UPDATE, 50, 500);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));
  EXPECT_EQ(c.kind(), v1::CHANGE_KIND_DELETE);
  EXPECT_FALSE(c.has_after());
  EXPECT_EQ(c.before().values(0).int64(), 50);
  // And moving in: it arrives as an insert (the copy will not bring it).
  c = Change(v1::CHANGE_KIND_UPDATE, 500, 50);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));
  EXPECT_EQ(c.kind(), v1::CHANGE_KIND_INSERT);
  EXPECT_FALSE(c.has_before());
  c = Change(v1::CHANGE_KIND_UPDATE, 500, 600);
  EXPECT_FALSE(*f.Admit("s", "partial", pk, &c));
  // Without before-images the key is taken as unchanged.
  c = Change(v1::CHANGE_KIND_UPDATE, -1, 60);
  EXPECT_TRUE(*f.Admit("s", "partial", pk, &c));

  // A binlog that does not name the key cannot be filtered: refused, not guessed.
  c = Change(v1::CHANGE_KIND_INSERT, -1, 1);
  absl::StatusOr<bool> unknown = f.Admit("s", "partial", Pk({}), &c);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CatchUpFilterTest, TableWithoutDeliveredRowsGetsNothing) {
  SnapshotCursor cursor;
  cursor.remaining = {{"s", "t"}};
  CatchUpFilter f(cursor);  // No last key: none of t's rows were delivered.
  v1::RowChange c = Change(v1::CHANGE_KIND_INSERT, -1, 1);
  EXPECT_FALSE(*f.Admit("s", "t", Pk({0}), &c));
  // A corrupt key is treated the same way (the copy restarts the table).
  cursor.last_key = "\xff\xff garbage";
  CatchUpFilter g(cursor);
  EXPECT_FALSE(*g.Admit("s", "t", Pk({0}), &c));
}

}  // namespace
}  // namespace mysqlgw
