#include "mysqlwire/binlog/rows_event.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/cell.h"
#include "mysqlwire/binlog/json_diff.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"

namespace mysqlwire::binlog {
namespace {

constexpr absl::string_view kWhat = "rows event";
constexpr uint64_t kPartialJsonUpdates = 1;  // value_options bit

enum class Images { kAfter, kBefore, kBoth };

std::optional<Images> ImagesOf(EventType type) {
  switch (type) {
    case EventType::kPreGaWriteRows:
    case EventType::kWriteRowsV1:
    case EventType::kWriteRowsV2:
      return Images::kAfter;
    case EventType::kPreGaDeleteRows:
    case EventType::kDeleteRowsV1:
    case EventType::kDeleteRowsV2:
      return Images::kBefore;
    case EventType::kPreGaUpdateRows:
    case EventType::kUpdateRowsV1:
    case EventType::kUpdateRowsV2:
    case EventType::kPartialUpdateRows:
      return Images::kBoth;
    default:
      return std::nullopt;
  }
}

bool Bit(absl::string_view bitmap, size_t i) {
  return ((static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1) != 0;
}

// The fixed part of the body, up to the column count.
struct PostHeader {
  uint64_t table_id = 0;
  uint16_t flags = 0;
};

//   int<6>          table id (int<4> when post_header_len == 6)
//   int<2>          flags
//   v2 (post_header_len == 10):
//     int<2>        extra data length, counting these 2 bytes
//     byte<len-2>   extra data (NDB info, partition ids): skipped
absl::StatusOr<PostHeader> ReadPostHeader(WireReader& r,
                                          uint8_t post_header_len) {
  if (post_header_len != 6 && post_header_len != 8 && post_header_len != 10) {
    return ProtocolError(absl::StrCat(kWhat, ": post-header length ",
                                      post_header_len,
                                      ", expected 6, 8 or 10"));
  }
  PostHeader h;
  h.table_id = post_header_len == 6 ? r.U32() : r.U48();
  h.flags = r.U16();
  if (post_header_len == 10) {
    const uint16_t extra_len = r.U16();
    if (r.ok() && extra_len < 2) {
      return ProtocolError(
          absl::StrCat(kWhat, ": extra data length ", extra_len, " below 2"));
    }
    r.Skip(extra_len - 2);
  }
  if (!r.ok()) return r.Status(kWhat);
  return h;
}

class RowParser {
 public:
  RowParser(WireReader& r, const TableMap& map) : r_(r), map_(map) {}

  // One image:
  //   byte<(p+7)/8>   NULL bitmap over the p present columns, LSB first
  //   cells of the present non-NULL columns, in column order (cell.h)
  // `partial` marks JSON columns (PARTIAL_UPDATE after image) whose cell is
  // a diff against `before`:
  //   int<meta>       diff length (the column's JSON length width)
  //   byte<length>    the diffs (json_diff.h)
  absl::StatusOr<RowImage> ReadImage(absl::string_view present,
                                     const std::vector<bool>* partial,
                                     const RowImage* before) {
    const size_t n = map_.column_count();
    RowImage image;
    image.values.resize(n);
    image.present.resize(n);
    size_t present_count = 0;
    for (size_t i = 0; i < n; ++i) {
      image.present[i] = Bit(present, i);
      present_count += image.present[i] ? 1 : 0;
    }
    const absl::string_view nulls = r_.Bytes((present_count + 7) / 8);
    if (!r_.ok()) return r_.Status(Where());
    size_t k = 0;  // Index among present columns.
    for (size_t i = 0; i < n; ++i) {
      if (!image.present[i]) continue;
      if (Bit(nulls, k++)) continue;
      if (partial != nullptr && (*partial)[i]) {
        absl::Status s = ReadJsonDiff(i, *before, image);
        if (!s.ok()) return s;
        continue;
      }
      absl::StatusOr<Value> v = DecodeCell(r_, map_, i);
      if (!v.ok()) return v.status();
      image.values[i] = *std::move(v);
    }
    return image;
  }

  // PARTIAL_UPDATE_ROWS shared image:
  //   int<lenenc>     value_options; only bit 0 (PARTIAL_JSON_UPDATES) exists
  //   byte<(j+7)/8>   if bit 0: one bit per JSON column of the table
  //                   (whether in the images or not), LSB first; 1 = the
  //                   after image holds a diff for it
  // Returns one flag per table column.
  absl::StatusOr<std::vector<bool>> ReadSharedImage() {
    const uint64_t options = r_.Lenenc();
    if (!r_.ok()) return r_.Status(Where());
    if ((options & ~kPartialJsonUpdates) != 0) {
      return ProtocolError(absl::StrCat(Where(), ": unknown value_options 0x",
                                        absl::Hex(options)));
    }
    std::vector<bool> partial(map_.column_count(), false);
    if ((options & kPartialJsonUpdates) == 0) return partial;
    std::vector<size_t> json_columns;
    for (size_t i = 0; i < map_.column_count(); ++i) {
      if (map_.RealType(i) == ColumnType::kJson) json_columns.push_back(i);
    }
    const absl::string_view bits = r_.Bytes((json_columns.size() + 7) / 8);
    if (!r_.ok()) return r_.Status(Where());
    for (size_t k = 0; k < json_columns.size(); ++k) {
      partial[json_columns[k]] = Bit(bits, k);
    }
    return partial;
  }

 private:
  std::string Where() const {
    return absl::StrCat(kWhat, " of `", map_.schema, "`.`", map_.table, "`");
  }

  absl::Status ReadJsonDiff(size_t i, const RowImage& before, RowImage& after) {
    const uint16_t width = map_.metadata[i];
    if (width < 1 || width > 4) {
      return ProtocolError(absl::StrCat(Where(), ": ", map_.ColumnLabel(i),
                                        " JSON length of ", width, " bytes"));
    }
    const uint64_t length = r_.FixedInt(width);
    const absl::string_view diffs = r_.Bytes(static_cast<size_t>(length));
    if (!r_.ok()) {
      return r_.Status(absl::StrCat(Where(), " ", map_.ColumnLabel(i)));
    }
    if (!before.present[i]) {
      after.present[i] = false;
      after.unapplied_json_diffs.emplace_back(static_cast<uint32_t>(i),
                                              std::string(diffs));
      return absl::OkStatus();
    }
    const Value& old = before.values[i];
    if (old.kind() != Value::Kind::kString) {
      return ProtocolError(absl::StrCat(Where(), ": ", map_.ColumnLabel(i),
                                        " has a JSON diff against ",
                                        old.DebugString()));
    }
    absl::StatusOr<std::string> doc = ApplyJsonDiffs(old.as_string(), diffs);
    if (!doc.ok()) {
      return absl::Status(doc.status().code(),
                          absl::StrCat(Where(), ": ", map_.ColumnLabel(i),
                                       ": ", doc.status().message()));
    }
    after.values[i] = Value::String(*std::move(doc));
    return absl::OkStatus();
  }

  WireReader& r_;
  const TableMap& map_;
};

}  // namespace

bool IsRowsEventType(EventType type) { return ImagesOf(type).has_value(); }

absl::StatusOr<uint64_t> RowsEventTableId(absl::string_view body,
                                          uint8_t post_header_len) {
  WireReader r(body);
  absl::StatusOr<PostHeader> h = ReadPostHeader(r, post_header_len);
  if (!h.ok()) return h.status();
  return h->table_id;
}

// Rows event body:
//   post-header                see ReadPostHeader
//   int<lenenc>                column count n
//   byte<(n+7)/8>              columns present in the before image (DELETE,
//                              UPDATE) or the after image (WRITE), LSB first
//   byte<(n+7)/8>              UPDATE, PARTIAL_UPDATE: columns present in the
//                              after image
//   rows, to the end of the body, each:
//     WRITE                    after image
//     DELETE                   before image
//     UPDATE                   before image, after image
//     PARTIAL_UPDATE           before image, shared image, after image
//   (images: RowParser::ReadImage; shared image: ReadSharedImage)
absl::StatusOr<RowsEvent> ParseRowsEvent(EventType type, absl::string_view body,
                                         uint8_t post_header_len,
                                         const TableMap& map) {
  const std::optional<Images> images = ImagesOf(type);
  if (!images.has_value()) {
    return ProtocolError(absl::StrCat(kWhat, ": ", EventTypeName(type),
                                      " is not a rows event"));
  }
  WireReader r(body);
  absl::StatusOr<PostHeader> h = ReadPostHeader(r, post_header_len);
  if (!h.ok()) return h.status();
  RowsEvent event;
  event.type = type;
  event.table_id = h->table_id;
  event.flags = h->flags;
  const std::string where =
      absl::StrCat(EventTypeName(type), " of `", map.schema, "`.`", map.table,
                   "` (table id ", h->table_id, ")");
  if (h->table_id != map.table_id) {
    return ProtocolError(absl::StrCat(where, ": decoded with the TABLE_MAP of ",
                                      "table id ", map.table_id));
  }
  const uint64_t n = r.Lenenc();
  if (!r.ok()) return r.Status(where);
  if (n != map.column_count()) {
    return ProtocolError(absl::StrCat(where, ": ", n,
                                      " columns, the TABLE_MAP has ",
                                      map.column_count()));
  }
  event.column_count = static_cast<uint32_t>(n);
  const size_t bitmap_len = (n + 7) / 8;
  const absl::string_view first_bitmap = r.Bytes(bitmap_len);
  const absl::string_view after_bitmap =
      *images == Images::kBoth ? r.Bytes(bitmap_len) : first_bitmap;
  if (!r.ok()) return r.Status(where);

  const bool partial_update = type == EventType::kPartialUpdateRows;
  RowParser parser(r, map);
  while (!r.empty()) {
    const size_t row_start = r.position();
    RowChange change;
    if (*images != Images::kAfter) {
      absl::StatusOr<RowImage> before =
          parser.ReadImage(first_bitmap, nullptr, nullptr);
      if (!before.ok()) return before.status();
      change.before = *std::move(before);
    }
    std::vector<bool> partial;
    if (partial_update) {
      absl::StatusOr<std::vector<bool>> p = parser.ReadSharedImage();
      if (!p.ok()) return p.status();
      partial = *std::move(p);
    }
    if (*images != Images::kBefore) {
      absl::StatusOr<RowImage> after = parser.ReadImage(
          after_bitmap, partial_update ? &partial : nullptr,
          change.before.has_value() ? &*change.before : nullptr);
      if (!after.ok()) return after.status();
      change.after = *std::move(after);
    }
    // A row of no bytes (no column present in any image) would repeat
    // forever; no server writes one.
    if (r.position() == row_start) {
      return ProtocolError(absl::StrCat(where, ": row without columns"));
    }
    event.rows.push_back(std::move(change));
  }
  if (absl::Status s = r.StatusAtEnd(where); !s.ok()) return s;
  return event;
}

}  // namespace mysqlwire::binlog
