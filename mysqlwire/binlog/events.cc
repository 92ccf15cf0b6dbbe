#include "mysqlwire/binlog/events.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/error.h"
#include "mysqlwire/protocol/wire_reader.h"
#include "zlib.h"
#include "zstd.h"

namespace mysqlwire::binlog {
namespace {

// Decompressed sizes above this are refused before any work: MySQL and
// MariaDB cap an event (and so a transaction payload) at max_allowed_packet,
// whose maximum is 1 GiB.
constexpr uint64_t kMaxDecompressedSize = uint64_t{1} << 30;

absl::Status Malformed(absl::string_view event, absl::string_view detail) {
  return ProtocolError(absl::StrCat(event, " event: ", detail));
}

// Skips the part of a post-header that is longer than what this code knows
// (a newer server's extension), or fails if the body is shorter than the
// post-header the FORMAT_DESCRIPTION announces.
void SkipPostHeaderRest(WireReader& r, size_t known, uint8_t post_header_len) {
  if (post_header_len > known) r.Skip(post_header_len - known);
}

Uuid ToUuid(absl::string_view bytes) {
  Uuid u{};
  for (size_t i = 0; i < u.size() && i < bytes.size(); ++i) {
    u[i] = static_cast<uint8_t>(bytes[i]);
  }
  return u;
}

// A mysql::serialization varlen integer read through a WireReader.
std::optional<uint64_t> ReadVarlen(WireReader& r, absl::string_view whole) {
  if (!r.ok()) return std::nullopt;
  absl::string_view rest = whole.substr(r.position());
  const size_t before = rest.size();
  std::optional<uint64_t> v = ReadSerializationVarlen(rest);
  if (!v.has_value()) {
    // Asking for more than is left puts the reader in its failed state,
    // recording this offset.
    r.Skip(before + 1);
    return std::nullopt;
  }
  r.Skip(before - rest.size());
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------
// QUERY

absl::StatusOr<QueryStatusVars> ParseQueryStatusVars(absl::string_view block) {
  WireReader r(block);
  QueryStatusVars v;
  auto short_string = [&r]() {
    uint8_t len = r.U8();
    return std::string(r.Bytes(len));
  };
  while (r.ok() && !r.empty()) {
    const size_t at = r.position();
    const uint8_t code = r.U8();
    switch (code) {
      case kQFlags2:
        v.flags2 = r.U32();
        break;
      case kQSqlMode:
        v.sql_mode = r.U64();
        break;
      case kQCatalog: {
        // The 5.0.0-5.0.3 form: length, bytes, and a NUL.
        std::string catalog = short_string();
        if (r.U8() != 0 && r.ok()) {
          return Malformed("QUERY", "Q_CATALOG_CODE without its NUL");
        }
        v.catalog = std::move(catalog);
        break;
      }
      case kQAutoIncrement: {
        QueryStatusVars::AutoIncrement a;
        a.increment = r.U16();
        a.offset = r.U16();
        v.auto_increment = a;
        break;
      }
      case kQCharset: {
        QueryStatusVars::Charset c;
        c.client = r.U16();
        c.collation_connection = r.U16();
        c.collation_server = r.U16();
        v.charset = c;
        break;
      }
      case kQTimeZone:
        v.time_zone = short_string();
        break;
      case kQCatalogNz:
        v.catalog = short_string();
        break;
      case kQLcTimeNames:
        v.lc_time_names = r.U16();
        break;
      case kQCharsetDatabase:
        v.charset_database = r.U16();
        break;
      case kQTableMapForUpdate:
        v.table_map_for_update = r.U64();
        break;
      case kQMasterDataWritten:
        v.master_data_written = r.U32();
        break;
      case kQInvoker: {
        QueryStatusVars::Invoker inv;
        inv.user = short_string();
        inv.host = short_string();
        v.invoker = std::move(inv);
        break;
      }
      case kQUpdatedDbNames: {
        // 254 (OVER_MAX_DBS_IN_EVENT_MTS) says "too many to list".
        uint8_t count = r.U8();
        if (count == 254) {
          v.updated_db_names_overflow = true;
          break;
        }
        std::vector<std::string> names;
        for (uint8_t i = 0; i < count && r.ok(); ++i) {
          names.emplace_back(r.NulString());
        }
        v.updated_db_names = std::move(names);
        break;
      }
      case kQMicroseconds:
        v.microseconds = r.U24();
        break;
      case kQExplicitDefaultsForTimestamp:
        v.explicit_defaults_for_timestamp = r.U8();
        break;
      case kQDdlLoggedWithXid:
        v.ddl_xid = r.U64();
        break;
      case kQDefaultCollationForUtf8mb4:
        v.default_collation_for_utf8mb4 = r.U16();
        break;
      case kQSqlRequirePrimaryKey:
        v.sql_require_primary_key = r.U8();
        break;
      case kQDefaultTableEncryption:
        v.default_table_encryption = r.U8();
        break;
      case kQHrnow:
        v.hrnow = r.U24();
        break;
      case kQXid:
        v.xid = r.U64();
        break;
      case kQGtidFlags3: {
        // The ALTER flags carry the sequence number of the START ALTER.
        uint8_t f = r.U8();
        v.gtid_flags3 = f;
        if (f & (kMariaGtidExtraCommitAlter | kMariaGtidExtraRollbackAlter)) {
          v.sa_seq_no = r.U64();
        }
        break;
      }
      case kQCharacterSetCollations: {
        uint8_t count = r.U8();
        std::vector<std::pair<uint16_t, uint16_t>> pairs;
        for (uint8_t i = 0; i < count && r.ok(); ++i) {
          uint16_t from = r.U16();
          uint16_t to = r.U16();
          pairs.emplace_back(from, to);
        }
        v.character_set_collations = std::move(pairs);
        break;
      }
      default:
        // Servers write status variables in increasing code order and
        // without lengths, so nothing after an unknown one can be located.
        v.unknown_code = code;
        v.unparsed = std::string(block.substr(at));
        return v;
    }
    if (!r.ok()) {
      return Malformed("QUERY",
                       absl::StrCat("status variable ", code, " at byte ", at,
                                    " runs past the status block of ", block.size(), " bytes"));
    }
  }
  return v;
}

absl::StatusOr<QueryEvent> ParseQueryEvent(absl::string_view body, uint8_t post_header_len) {
  // QUERY_HEADER_MINIMAL_LEN (pre-5.0) is 11; 5.0+ adds status_vars_len.
  if (post_header_len < 11) {
    return Malformed("QUERY", absl::StrCat("post-header length ", post_header_len, " is below 11"));
  }
  WireReader r(body);
  QueryEvent q;
  q.thread_id = r.U32();
  q.exec_time = r.U32();
  const uint8_t schema_len = r.U8();
  q.error_code = r.U16();
  uint16_t status_len = 0;
  size_t known = 11;
  if (post_header_len >= 13) {
    status_len = r.U16();
    known = 13;
  }
  SkipPostHeaderRest(r, known, post_header_len);
  absl::string_view status = r.Bytes(status_len);
  absl::string_view schema = r.Bytes(schema_len);
  const uint8_t nul = r.U8();
  if (absl::Status s = r.Status("QUERY event"); !s.ok()) return s;
  if (nul != 0) return Malformed("QUERY", "schema name is not NUL-terminated");
  q.query = std::string(r.Rest());
  q.schema = std::string(schema);
  absl::StatusOr<QueryStatusVars> vars = ParseQueryStatusVars(status);
  if (!vars.ok()) return vars.status();
  q.status = *std::move(vars);
  return q;
}

absl::StatusOr<QueryEvent> ParseQueryEvent(absl::string_view body, const FormatDescription& fde) {
  return ParseQueryEvent(body, fde.PostHeaderLength(EventType::kQuery));
}

// ---------------------------------------------------------------------------
// Small fixed events

absl::StatusOr<RotateEvent> ParseRotateEvent(absl::string_view body, const FormatDescription& fde) {
  const uint8_t phl = fde.PostHeaderLength(EventType::kRotate);
  WireReader r(body);
  RotateEvent e;
  // Pre-v4 ROTATE events have no position: the next file starts at 4.
  if (phl >= 8) e.position = r.U64();
  SkipPostHeaderRest(r, phl >= 8 ? 8 : 0, phl);
  e.next_file = std::string(r.Rest());
  if (absl::Status s = r.Status("ROTATE event"); !s.ok()) return s;
  if (e.next_file.empty()) return Malformed("ROTATE", "empty next file name");
  return e;
}

absl::StatusOr<XidEvent> ParseXidEvent(absl::string_view body, const FormatDescription& fde) {
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kXid));
  XidEvent e;
  e.xid = r.U64();
  if (absl::Status s = r.StatusAtEnd("XID event"); !s.ok()) return s;
  return e;
}

absl::StatusOr<IntvarEvent> ParseIntvarEvent(absl::string_view body, const FormatDescription& fde) {
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kIntvar));
  IntvarEvent e;
  const uint8_t type = r.U8();
  e.value = r.U64();
  if (absl::Status s = r.StatusAtEnd("INTVAR event"); !s.ok()) return s;
  if (type != 1 && type != 2) {
    return Malformed("INTVAR", absl::StrCat("unknown variable type ", type));
  }
  e.type = static_cast<IntvarType>(type);
  return e;
}

absl::StatusOr<RandEvent> ParseRandEvent(absl::string_view body, const FormatDescription& fde) {
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kRand));
  RandEvent e;
  e.seed1 = r.U64();
  e.seed2 = r.U64();
  if (absl::Status s = r.StatusAtEnd("RAND event"); !s.ok()) return s;
  return e;
}

absl::StatusOr<UserVarEvent> ParseUserVarEvent(absl::string_view body,
                                               const FormatDescription& fde) {
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kUserVar));
  UserVarEvent e;
  const uint32_t name_len = r.U32();
  e.name = std::string(r.Bytes(name_len));
  e.is_null = r.U8() != 0;
  if (!e.is_null) {
    const uint8_t type = r.U8();
    e.charset = r.U32();
    const uint32_t value_len = r.U32();
    e.value = std::string(r.Bytes(value_len));
    // Servers from 5.1 on append a flags byte; older ones end here.
    if (r.ok() && !r.empty()) e.flags = r.U8();
    if (r.ok() && type > static_cast<uint8_t>(UserVarType::kDecimal)) {
      return Malformed("USER_VAR", absl::StrCat("unknown value type ", type));
    }
    e.type = static_cast<UserVarType>(type);
  }
  if (absl::Status s = r.StatusAtEnd("USER_VAR event"); !s.ok()) return s;
  return e;
}

// ---------------------------------------------------------------------------
// MySQL GTIDs

std::string FormatUuid(const Uuid& u) {
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    absl::StrAppendFormat(&out, "%02x", u[i]);
  }
  return out;
}

std::string GtidEvent::Gtid() const {
  if (anonymous) return "ANONYMOUS";
  if (tag.empty()) return absl::StrCat(FormatUuid(sid), ":", gno);
  return absl::StrCat(FormatUuid(sid), ":", tag, ":", gno);
}

absl::StatusOr<GtidEvent> ParseGtidEvent(EventType type, absl::string_view body,
                                         const FormatDescription& fde) {
  const absl::string_view name = EventTypeName(type);
  if (type != EventType::kGtid && type != EventType::kAnonymousGtid) {
    return Malformed(name, "not a GTID event type");
  }
  // The 5.6 event is 25 bytes; the FORMAT_DESCRIPTION promises the rest of
  // the post-header (42 from 5.7 on).
  const size_t minimum = std::max<size_t>(25, fde.PostHeaderLength(type));
  if (body.size() < minimum) {
    return Malformed(name,
                     absl::StrCat(body.size(), " bytes, below the ", minimum, "-byte post-header"));
  }
  WireReader r(body);
  GtidEvent g;
  g.anonymous = type == EventType::kAnonymousGtid;
  g.flags = r.U8();
  g.sid = ToUuid(r.Bytes(16));
  g.gno = static_cast<int64_t>(r.U64());
  if (r.ok() && !r.empty()) {
    // LOGICAL_TIMESTAMP_TYPECODE: the only clock ever written is 2.
    const uint8_t clock = r.U8();
    if (r.ok() && clock != 2) {
      return Malformed(name, absl::StrCat("unknown logical clock type ", clock));
    }
    g.last_committed = static_cast<int64_t>(r.U64());
    g.sequence_number = static_cast<int64_t>(r.U64());
  }
  if (r.ok() && !r.empty()) {
    // Bit 55 of the 7-byte immediate timestamp: the original one follows
    // (it differs only on a replica that re-logs a transaction).
    constexpr uint64_t kHasOriginal = uint64_t{1} << 55;
    const uint64_t immediate = r.FixedInt(7);
    g.immediate_commit_timestamp = immediate & ~kHasOriginal;
    g.original_commit_timestamp =
        (immediate & kHasOriginal) ? r.FixedInt(7) : *g.immediate_commit_timestamp;
  }
  if (r.ok() && !r.empty()) g.transaction_length = r.Lenenc();
  if (r.ok() && !r.empty()) {
    constexpr uint32_t kHasOriginal = uint32_t{1} << 31;
    const uint32_t immediate = r.U32();
    g.immediate_server_version = immediate & ~kHasOriginal;
    g.original_server_version = (immediate & kHasOriginal) ? r.U32() : *g.immediate_server_version;
  }
  if (r.ok() && !r.empty()) g.commit_group_ticket = r.U64();
  // Anything after is a field of a newer server, which this reader may
  // ignore as older servers do.
  if (absl::Status s = r.Status(absl::StrCat(name, " event")); !s.ok()) return s;
  return g;
}

std::optional<uint64_t> ReadSerializationVarlen(absl::string_view& in) {
  if (in.empty()) return std::nullopt;
  const uint8_t first = static_cast<uint8_t>(in[0]);
  size_t len = 1;
  while (len < 9 && (first >> (len - 1)) & 1) ++len;
  if (in.size() < len) return std::nullopt;
  uint64_t v = 0;
  if (len == 9) {
    // All eight flag bits used up: the value is the next 8 bytes.
    for (size_t i = 0; i < 8; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in[1 + i])) << (8 * i);
    }
  } else {
    for (size_t i = 0; i < len; ++i) {
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
    }
    v >>= len;
  }
  in.remove_prefix(len);
  return v;
}

std::optional<int64_t> ReadSerializationVarlenSigned(absl::string_view& in) {
  std::optional<uint64_t> u = ReadSerializationVarlen(in);
  if (!u.has_value()) return std::nullopt;
  const uint64_t magnitude = *u >> 1;
  if (*u & 1) return -static_cast<int64_t>(magnitude) - 1;
  return static_cast<int64_t>(magnitude);
}

absl::StatusOr<GtidEvent> ParseTaggedGtidEvent(absl::string_view body, const FormatDescription&) {
  static constexpr absl::string_view kName = "GTID_TAGGED";
  absl::string_view in = body;
  auto fail = [&in, &body](absl::string_view what) {
    return Malformed(kName,
                     absl::StrCat(what, " at byte ", body.size() - in.size(), " of ", body.size()));
  };
  std::optional<uint64_t> version = ReadSerializationVarlen(in);
  if (!version.has_value()) return fail("truncated serialization version");
  if (*version != 1) {
    return Malformed(
        kName, absl::StrCat("serialization version ", *version, " is not supported (only 1)"));
  }
  std::optional<uint64_t> size = ReadSerializationVarlen(in);
  if (!size.has_value()) return fail("truncated message size");
  if (*size != body.size()) {
    return Malformed(
        kName, absl::StrCat("message size ", *size, " but the body has ", body.size(), " bytes"));
  }
  std::optional<uint64_t> last_non_ignorable = ReadSerializationVarlen(in);
  if (!last_non_ignorable.has_value()) return fail("truncated field header");

  GtidEvent g;
  bool have_sid = false, have_gno = false;
  std::optional<uint64_t> original_ts;
  std::optional<uint32_t> original_version;
  int64_t previous_id = -1;
  while (!in.empty()) {
    std::optional<uint64_t> id = ReadSerializationVarlen(in);
    if (!id.has_value()) return fail("truncated field id");
    if (static_cast<int64_t>(*id) <= previous_id) return fail("field ids out of order");
    previous_id = static_cast<int64_t>(*id);
    std::optional<uint64_t> u;
    std::optional<int64_t> s;
    switch (*id) {
      case 0:  // flags
        u = ReadSerializationVarlen(in);
        if (!u.has_value() || *u > 0xff) return fail("bad flags");
        g.flags = static_cast<uint8_t>(*u);
        break;
      case 1:  // sid: a fixed array of 16 varlen-encoded bytes
        for (uint8_t& b : g.sid) {
          u = ReadSerializationVarlen(in);
          if (!u.has_value() || *u > 0xff) return fail("bad sid");
          b = static_cast<uint8_t>(*u);
        }
        have_sid = true;
        break;
      case 2:
        s = ReadSerializationVarlenSigned(in);
        if (!s.has_value()) return fail("truncated gno");
        g.gno = *s;
        have_gno = true;
        break;
      case 3: {
        // Tags are at most 32 characters.
        u = ReadSerializationVarlen(in);
        if (!u.has_value() || *u > 32 || *u > in.size()) return fail("bad tag");
        g.tag = std::string(in.substr(0, *u));
        in.remove_prefix(*u);
        break;
      }
      case 4:
        s = ReadSerializationVarlenSigned(in);
        if (!s.has_value()) return fail("truncated last_committed");
        g.last_committed = *s;
        break;
      case 5:
        s = ReadSerializationVarlenSigned(in);
        if (!s.has_value()) return fail("truncated sequence_number");
        g.sequence_number = *s;
        break;
      case 6:
        u = ReadSerializationVarlen(in);
        if (!u.has_value()) return fail("truncated immediate_commit_timestamp");
        g.immediate_commit_timestamp = *u;
        break;
      case 7:
        u = ReadSerializationVarlen(in);
        if (!u.has_value()) return fail("truncated original_commit_timestamp");
        original_ts = *u;
        break;
      case 8:
        u = ReadSerializationVarlen(in);
        if (!u.has_value()) return fail("truncated transaction_length");
        g.transaction_length = *u;
        break;
      case 9:
        u = ReadSerializationVarlen(in);
        if (!u.has_value() || *u > std::numeric_limits<uint32_t>::max()) {
          return fail("bad immediate_server_version");
        }
        g.immediate_server_version = static_cast<uint32_t>(*u);
        break;
      case 10:
        u = ReadSerializationVarlen(in);
        if (!u.has_value() || *u > std::numeric_limits<uint32_t>::max()) {
          return fail("bad original_server_version");
        }
        original_version = static_cast<uint32_t>(*u);
        break;
      case 11:
        u = ReadSerializationVarlen(in);
        if (!u.has_value()) return fail("truncated commit_group_ticket");
        g.commit_group_ticket = *u;
        break;
      default:
        // A field of a newer server. Field values carry no type, so the
        // rest cannot be walked; the message size already bounds it, and the
        // sender marks which fields a reader may not ignore.
        if (*id < *last_non_ignorable) {
          return fail(absl::StrCat("unknown field ", *id, " that may not be ignored"));
        }
        in = absl::string_view();
        break;
    }
  }
  if (!have_sid || !have_gno) return Malformed(kName, "no sid or gno field");
  if (g.immediate_commit_timestamp.has_value()) {
    g.original_commit_timestamp = original_ts.value_or(*g.immediate_commit_timestamp);
  }
  if (g.immediate_server_version.has_value()) {
    g.original_server_version = original_version.value_or(*g.immediate_server_version);
  }
  return g;
}

std::string FormatGtidSet(const std::vector<GtidSetEntry>& entries) {
  std::string out;
  for (size_t i = 0; i < entries.size(); ++i) {
    const GtidSetEntry& e = entries[i];
    if (i == 0 || entries[i - 1].sid != e.sid) {
      if (i > 0) out.push_back(',');
      out += FormatUuid(e.sid);
    }
    if (!e.tag.empty()) absl::StrAppend(&out, ":", e.tag);
    for (const GtidInterval& iv : e.intervals) {
      if (iv.first == iv.last) {
        absl::StrAppend(&out, ":", iv.first);
      } else {
        absl::StrAppend(&out, ":", iv.first, "-", iv.last);
      }
    }
  }
  return out;
}

absl::StatusOr<PreviousGtidsEvent> ParsePreviousGtidsEvent(absl::string_view body,
                                                           const FormatDescription& fde) {
  constexpr absl::string_view kName = "PREVIOUS_GTIDS";
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kPreviousGtids));
  PreviousGtidsEvent e;
  const uint64_t head = r.U64();
  if (absl::Status s = r.Status("PREVIOUS_GTIDS event"); !s.ok()) return s;
  // The format lives in the top byte; the tagged format also repeats it in
  // the low byte, so its count sits in bytes 1..6.
  const uint8_t format = static_cast<uint8_t>(head >> 56);
  uint64_t n_sids = 0;
  if (format == 0) {
    n_sids = head;
  } else if (format == 1) {
    e.tagged = true;
    n_sids = (head >> 8) & 0xffffffffffffULL;
  } else {
    return Malformed(kName, absl::StrCat("unknown GTID set format ", format));
  }
  // Each sid takes at least 24 bytes; refuse counts the body cannot hold
  // before reserving anything.
  if (n_sids > r.remaining() / 24) {
    return Malformed(kName, absl::StrCat(n_sids, " sids cannot fit in ", r.remaining(), " bytes"));
  }
  for (uint64_t i = 0; i < n_sids && r.ok(); ++i) {
    GtidSetEntry entry;
    entry.sid = ToUuid(r.Bytes(16));
    if (e.tagged) {
      std::optional<uint64_t> tag_len = ReadVarlen(r, body);
      if (!tag_len.has_value()) break;
      if (*tag_len > 32) return Malformed(kName, "tag longer than 32 characters");
      entry.tag = std::string(r.Bytes(static_cast<size_t>(*tag_len)));
    }
    const uint64_t n_intervals = r.U64();
    if (!r.ok()) break;
    if (n_intervals > r.remaining() / 16) {
      return Malformed(
          kName, absl::StrCat(n_intervals, " intervals cannot fit in ", r.remaining(), " bytes"));
    }
    for (uint64_t j = 0; j < n_intervals; ++j) {
      const uint64_t start = r.U64();
      const uint64_t end = r.U64();
      // Half-open [start, end) with 1 <= start and gno below 2^63.
      if (start < 1 || end <= start || end > (uint64_t{1} << 63)) {
        return Malformed(kName, absl::StrCat("bad interval [", start, ", ", end, ")"));
      }
      entry.intervals.push_back({static_cast<int64_t>(start), static_cast<int64_t>(end - 1)});
    }
    e.entries.push_back(std::move(entry));
  }
  if (absl::Status s = r.StatusAtEnd("PREVIOUS_GTIDS event"); !s.ok()) return s;
  return e;
}

// ---------------------------------------------------------------------------
// MariaDB GTIDs

std::string MariaGtid::ToString() const {
  return absl::StrCat(domain_id, "-", server_id, "-", seq_no);
}

std::string FormatMariaGtidList(const std::vector<MariaGtid>& gtids) {
  return absl::StrJoin(gtids, ",",
                       [](std::string* out, const MariaGtid& g) { out->append(g.ToString()); });
}

absl::StatusOr<MariaGtidEvent> ParseMariaGtidEvent(absl::string_view body,
                                                   const FormatDescription& fde,
                                                   uint32_t server_id) {
  constexpr absl::string_view kName = "MARIADB_GTID";
  // GTID_HEADER_LEN: the fixed fields padded with zeros to 19 bytes.
  const size_t minimum = std::max<size_t>(19, fde.PostHeaderLength(EventType::kMariaGtid));
  if (body.size() < minimum) {
    return Malformed(kName,
                     absl::StrCat(body.size(), " bytes, below the ", minimum, "-byte post-header"));
  }
  WireReader r(body);
  MariaGtidEvent e;
  e.gtid.server_id = server_id;
  e.gtid.seq_no = r.U64();
  e.gtid.domain_id = r.U32();
  e.flags2 = r.U8();
  // The optional parts follow one another from byte 13 (they overwrite the
  // padding), in the order the server's reader expects them.
  if (e.flags2 & kMariaGtidGroupCommitId) e.commit_id = r.U64();
  if (e.flags2 & (kMariaGtidPreparedXa | kMariaGtidCompletedXa)) {
    MariaXid xid;
    xid.format_id = static_cast<int32_t>(r.U32());
    const uint8_t gtrid_len = r.U8();
    const uint8_t bqual_len = r.U8();
    // XIDDATASIZE is 128: 64 for each part.
    if (r.ok() && (gtrid_len > 64 || bqual_len > 64)) {
      return Malformed(kName,
                       absl::StrCat("XID part lengths ", gtrid_len, "/", bqual_len, " exceed 64"));
    }
    xid.gtrid = std::string(r.Bytes(gtrid_len));
    xid.bqual = std::string(r.Bytes(bqual_len));
    e.xid = std::move(xid);
  }
  if (r.ok() && !r.empty()) {
    e.flags_extra = r.U8();
    if (e.flags_extra & kMariaGtidExtraMultiEngine) e.extra_engines = r.U8();
    if (e.flags_extra & (kMariaGtidExtraCommitAlter | kMariaGtidExtraRollbackAlter)) {
      e.sa_seq_no = r.U64();
    }
  }
  // What remains is padding (or a newer server's extra fields).
  if (absl::Status s = r.Status("MARIADB_GTID event"); !s.ok()) return s;
  return e;
}

absl::StatusOr<MariaGtidListEvent> ParseMariaGtidListEvent(absl::string_view body,
                                                           const FormatDescription& fde) {
  constexpr absl::string_view kName = "GTID_LIST";
  WireReader r(body);
  const uint32_t count_and_flags = r.U32();
  SkipPostHeaderRest(r, 4, fde.PostHeaderLength(EventType::kMariaGtidList));
  if (absl::Status s = r.Status("GTID_LIST event"); !s.ok()) return s;
  MariaGtidListEvent e;
  const uint32_t count = count_and_flags & ((uint32_t{1} << 28) - 1);
  e.flags = static_cast<uint8_t>(count_and_flags >> 28);
  if (count > r.remaining() / 16) {
    return Malformed(kName, absl::StrCat(count, " GTIDs cannot fit in ", r.remaining(), " bytes"));
  }
  e.gtids.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    MariaGtid g;
    g.domain_id = r.U32();
    g.server_id = r.U32();
    g.seq_no = r.U64();
    e.gtids.push_back(g);
  }
  // An empty list is padded with 2 bytes: MariaDB keeps every event body at
  // 6 bytes or more so that it can stand in a dummy event for old replicas.
  if (count == 0 && r.remaining() == 2) r.Skip(2);
  if (absl::Status s = r.StatusAtEnd("GTID_LIST event"); !s.ok()) return s;
  return e;
}

absl::StatusOr<BinlogCheckpointEvent> ParseBinlogCheckpointEvent(absl::string_view body,
                                                                 const FormatDescription& fde) {
  WireReader r(body);
  const uint32_t len = r.U32();
  SkipPostHeaderRest(r, 4, fde.PostHeaderLength(EventType::kMariaBinlogCheckpoint));
  BinlogCheckpointEvent e;
  e.file = std::string(r.Bytes(len));
  if (absl::Status s = r.StatusAtEnd("BINLOG_CHECKPOINT event"); !s.ok()) return s;
  if (e.file.empty()) return Malformed("BINLOG_CHECKPOINT", "empty file name");
  return e;
}

absl::StatusOr<AnnotateRowsEvent> ParseAnnotateRowsEvent(absl::string_view body,
                                                         const FormatDescription& fde) {
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(EventType::kMariaAnnotateRows));
  AnnotateRowsEvent e;
  e.query = std::string(r.Rest());
  if (absl::Status s = r.Status("ANNOTATE_ROWS event"); !s.ok()) return s;
  return e;
}

// ---------------------------------------------------------------------------
// Heartbeats

absl::StatusOr<HeartbeatEvent> ParseHeartbeatEvent(EventType type, absl::string_view body,
                                                   const FormatDescription& fde,
                                                   uint32_t header_log_pos) {
  HeartbeatEvent e;
  if (type == EventType::kHeartbeat) {
    WireReader r(body);
    SkipPostHeaderRest(r, 0, fde.PostHeaderLength(type));
    e.log_file = std::string(r.Rest());
    e.position = header_log_pos;
    if (absl::Status s = r.Status("HEARTBEAT event"); !s.ok()) return s;
    return e;
  }
  if (type != EventType::kHeartbeatV2) {
    return Malformed(EventTypeName(type), "not a heartbeat event type");
  }
  WireReader r(body);
  SkipPostHeaderRest(r, 0, fde.PostHeaderLength(type));
  bool have_file = false;
  while (r.ok() && !r.empty()) {
    const uint64_t field = r.Lenenc();
    if (!r.ok() || field == 0) break;  // 0: end mark.
    const uint64_t len = r.Lenenc();
    if (!r.ok() || len > r.remaining()) {
      return Malformed("HEARTBEAT_V2", "field runs past the body");
    }
    absl::string_view value = r.Bytes(static_cast<size_t>(len));
    if (field == 1) {
      e.log_file = std::string(value);
      have_file = true;
    } else if (field == 2) {
      WireReader v(value);
      e.position = v.Lenenc();
      if (absl::Status s = v.StatusAtEnd("HEARTBEAT_V2 position"); !s.ok()) return s;
    }
  }
  if (absl::Status s = r.StatusAtEnd("HEARTBEAT_V2 event"); !s.ok()) return s;
  if (!have_file) return Malformed("HEARTBEAT_V2", "no log file field");
  return e;
}

// ---------------------------------------------------------------------------
// TRANSACTION_PAYLOAD

absl::StatusOr<TransactionPayloadEvent> ParseTransactionPayloadEvent(absl::string_view body,
                                                                     const FormatDescription&) {
  constexpr absl::string_view kName = "TRANSACTION_PAYLOAD";
  WireReader r(body);
  TransactionPayloadEvent e;
  bool have_size = false, have_compression = false, ended = false;
  while (r.ok() && !r.empty()) {
    const uint64_t field = r.Lenenc();
    if (!r.ok()) break;
    if (field == 0) {
      ended = true;
      break;
    }
    const uint64_t len = r.Lenenc();
    if (!r.ok() || len > r.remaining()) {
      return Malformed(kName, "header field runs past the body");
    }
    absl::string_view value = r.Bytes(static_cast<size_t>(len));
    WireReader v(value);
    switch (field) {
      case 1:
        e.payload_size = v.Lenenc();
        have_size = true;
        break;
      case 2: {
        const uint64_t c = v.Lenenc();
        if (c != 0 && c != 255) {
          return Malformed(kName, absl::StrCat("unknown compression type ", c));
        }
        e.compression = static_cast<PayloadCompression>(c);
        have_compression = true;
        break;
      }
      case 3:
        e.uncompressed_size = v.Lenenc();
        break;
      default:
        continue;  // A newer server's field: skipped by its length.
    }
    if (absl::Status s = v.StatusAtEnd("TRANSACTION_PAYLOAD header field"); !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = r.Status("TRANSACTION_PAYLOAD event"); !s.ok()) return s;
  if (!ended) return Malformed(kName, "header has no end mark");
  if (!have_size || !have_compression) {
    return Malformed(kName, "header lacks the payload size or compression type");
  }
  if (e.payload_size != r.remaining()) {
    return Malformed(kName, absl::StrCat("payload size ", e.payload_size, " but ", r.remaining(),
                                         " bytes follow the header"));
  }
  e.payload = std::string(r.Rest());
  return e;
}

absl::StatusOr<std::string> DecompressPayload(const TransactionPayloadEvent& event) {
  constexpr absl::string_view kName = "TRANSACTION_PAYLOAD";
  if (event.compression == PayloadCompression::kNone) {
    if (event.uncompressed_size != event.payload.size()) {
      return Malformed(kName, "uncompressed size differs from the payload size");
    }
    return event.payload;
  }
  if (event.uncompressed_size > kMaxDecompressedSize) {
    return Malformed(kName, absl::StrCat("uncompressed size ", event.uncompressed_size,
                                         " exceeds the 1 GiB limit"));
  }
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (ctx == nullptr) return absl::ResourceExhaustedError("ZSTD_createDCtx failed");
  const uint64_t declared = event.uncompressed_size;
  // Grow the output as data actually arrives rather than trusting the
  // declared size for one large allocation.
  std::string out(static_cast<size_t>(std::min<uint64_t>(declared, 1 << 20)), '\0');
  ZSTD_inBuffer in{event.payload.data(), event.payload.size(), 0};
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  absl::Status status;
  size_t ret = 1;  // Non-zero: inside a frame.
  while (true) {
    if (ob.pos == ob.size && ob.size < declared) {
      out.resize(static_cast<size_t>(std::min<uint64_t>(declared, out.size() * 2 + 1)));
      ob.dst = out.data();
      ob.size = out.size();
    }
    // At the declared size a 1-byte probe buffer tells a finished payload
    // from one that would inflate further.
    char probe;
    ZSTD_outBuffer probe_buffer{&probe, 1, 0};
    ZSTD_outBuffer* target = ob.pos == ob.size ? &probe_buffer : &ob;
    const size_t in_before = in.pos, out_before = target->pos;
    ret = ZSTD_decompressStream(ctx, target, &in);
    if (ZSTD_isError(ret)) {
      status = Malformed(kName, absl::StrCat("zstd: ", ZSTD_getErrorName(ret)));
      break;
    }
    if (probe_buffer.pos > 0) {
      status = Malformed(kName, "payload inflates past its uncompressed size");
      break;
    }
    if (ret == 0 && in.pos == in.size) break;  // Last frame complete.
    if (in.pos == in_before && target->pos == out_before) {
      status = Malformed(kName, "payload is truncated or has trailing bytes");
      break;
    }
  }
  ZSTD_freeDCtx(ctx);
  if (!status.ok()) return status;
  if (ob.pos != declared) {
    return Malformed(
        kName, absl::StrCat("payload inflates to ", ob.pos, " bytes, not the declared ", declared));
  }
  out.resize(ob.pos);
  return out;
}

absl::StatusOr<std::vector<absl::string_view>> SplitPayloadEvents(absl::string_view payload) {
  std::vector<absl::string_view> events;
  size_t pos = 0;
  while (pos < payload.size()) {
    absl::StatusOr<EventHeader> h = ParseEventHeader(payload.substr(pos, kEventHeaderLength));
    if (!h.ok()) {
      return ProtocolError(absl::StrCat("TRANSACTION_PAYLOAD: inner event at byte ", pos, ": ",
                                        h.status().message()));
    }
    if (h->event_size > payload.size() - pos) {
      return ProtocolError(absl::StrCat("TRANSACTION_PAYLOAD: inner ", EventTypeName(h->type),
                                        " event at byte ", pos, " needs ", h->event_size,
                                        " bytes, ", payload.size() - pos, " remain"));
    }
    events.push_back(payload.substr(pos, h->event_size));
    pos += h->event_size;
  }
  return events;
}

// ---------------------------------------------------------------------------
// MariaDB compressed events

absl::StatusOr<std::string> MariaUncompressRecord(absl::string_view record) {
  constexpr absl::string_view kName = "compressed record";
  WireReader r(record);
  const uint8_t head = r.U8();
  if (!r.ok()) return Malformed(kName, "empty");
  if ((head & 0x80) == 0) return Malformed(kName, "header bit 7 is clear");
  if ((head & 0x70) != 0) {
    return Malformed(kName, absl::StrCat("unknown algorithm ", (head >> 4) & 7));
  }
  const size_t width = head & 0x07;
  if (width < 1 || width > 4) {
    return Malformed(kName, absl::StrCat("length width ", width, " not in 1..4"));
  }
  absl::string_view len_bytes = r.Bytes(width);
  if (!r.ok()) return Malformed(kName, "truncated length");
  uint64_t declared = 0;  // Big-endian, unlike everything else here.
  for (char c : len_bytes) declared = (declared << 8) | static_cast<uint8_t>(c);
  absl::string_view data = r.Rest();

  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return absl::InternalError("inflateInit failed");
  std::string out;
  out.resize(std::min<uint64_t>(declared, 1 << 20));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  size_t produced = 0;
  int rc = Z_OK;
  absl::Status status;
  char probe;
  while (rc != Z_STREAM_END) {
    const bool full = produced == out.size();
    if (full && out.size() < declared) {
      out.resize(
          static_cast<size_t>(std::min<uint64_t>(declared, std::max<size_t>(out.size() * 2, 1))));
    }
    // Once the declared size is reached, a 1-byte probe buffer detects a
    // stream that would inflate further.
    const bool probing = produced == out.size();
    zs.next_out = reinterpret_cast<Bytef*>(probing ? &probe : out.data() + produced);
    zs.avail_out = probing ? 1 : static_cast<uInt>(out.size() - produced);
    const uInt before = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    const size_t got = before - zs.avail_out;
    if (probing && got > 0) {
      status = Malformed(kName, "inflates past its declared length");
      break;
    }
    produced += probing ? 0 : got;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR) {
      status = Malformed(kName, "zlib stream is truncated");
      break;
    }
    if (rc != Z_OK) {
      status = Malformed(kName,
                         absl::StrCat("zlib error ", rc, zs.msg ? absl::StrCat(": ", zs.msg) : ""));
      break;
    }
    if (got == 0 && zs.avail_in == 0) {
      status = Malformed(kName, "zlib stream is truncated");
      break;
    }
  }
  const uInt trailing = zs.avail_in;
  inflateEnd(&zs);
  if (!status.ok()) return status;
  if (trailing != 0) return Malformed(kName, "trailing bytes after the zlib stream");
  if (produced != declared) {
    return Malformed(kName,
                     absl::StrCat("inflates to ", produced, " bytes, not the declared ", declared));
  }
  out.resize(produced);
  return out;
}

absl::StatusOr<DecompressedEvent> DecompressMariaEvent(EventType type, absl::string_view body,
                                                       const FormatDescription& fde) {
  const absl::string_view name = EventTypeName(type);
  const uint8_t phl = fde.PostHeaderLength(type);
  DecompressedEvent out;
  out.post_header_len = phl;
  WireReader r(body);
  const uint8_t code = static_cast<uint8_t>(type);
  if (type == EventType::kMariaQueryCompressed) {
    // Same layout as QUERY; only the query text is compressed.
    if (phl < 13) return Malformed(name, "post-header shorter than 13 bytes");
    out.type = EventType::kQuery;
    r.Skip(8);
    const uint8_t schema_len = r.U8();
    r.Skip(2);
    const uint16_t status_len = r.U16();
    r.Skip(phl - 13);
    r.Skip(status_len);
    r.Skip(schema_len + 1u);
  } else if (code >= static_cast<uint8_t>(EventType::kMariaWriteRowsCompressedV1) &&
             code <= static_cast<uint8_t>(EventType::kMariaDeleteRowsCompressed)) {
    const bool v2 = code >= static_cast<uint8_t>(EventType::kMariaWriteRowsCompressed);
    out.type = static_cast<EventType>(
        v2 ? code - static_cast<uint8_t>(EventType::kMariaWriteRowsCompressed) +
                 static_cast<uint8_t>(EventType::kWriteRowsV2)
           : code - static_cast<uint8_t>(EventType::kMariaWriteRowsCompressedV1) +
                 static_cast<uint8_t>(EventType::kWriteRowsV1));
    if (v2) {
      // table id (6) | flags (2) | extra-data length (2, counting itself)
      // | extra data.
      if (phl < 10) return Malformed(name, "post-header shorter than 10 bytes");
      r.Skip(8);
      const uint16_t extra_len = r.U16();
      if (r.ok() && extra_len < 2) return Malformed(name, "extra-data length below 2");
      r.Skip(phl - 10);
      r.Skip(extra_len - 2u);
    } else {
      r.Skip(phl);
    }
    const uint64_t columns = r.Lenenc();
    if (r.ok() && columns > r.remaining() * 8) {
      return Malformed(name, "column count exceeds the event");
    }
    const size_t bitmap = static_cast<size_t>((columns + 7) / 8);
    r.Skip(bitmap);
    if (out.type == EventType::kUpdateRowsV1 || out.type == EventType::kUpdateRowsV2) {
      r.Skip(bitmap);  // The after-image bitmap.
    }
  } else {
    return Malformed(name, "not a MariaDB compressed event type");
  }
  if (absl::Status s = r.Status(absl::StrCat(name, " event")); !s.ok()) return s;
  const size_t prefix = r.position();
  absl::StatusOr<std::string> record = MariaUncompressRecord(r.Rest());
  if (!record.ok()) {
    return Malformed(name, record.status().message());
  }
  out.body.reserve(prefix + record->size());
  out.body.append(body.data(), prefix);
  out.body.append(*record);
  return out;
}

}  // namespace mysqlwire::binlog
