// Reads the raw events of a binlog file (or of relay logs, which share the
// format): the 4-byte magic, then events back to back, each framed by the
// event_size in its common header.
#ifndef MYSQLWIRE_BINLOG_BINLOG_FILE_READER_H_
#define MYSQLWIRE_BINLOG_BINLOG_FILE_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mysqlwire::binlog {

// "\xfe" "bin": the first four bytes of every binlog file.
inline constexpr absl::string_view kBinlogMagic =
    "\xfe"
    "bin";

class BinlogFileReader {
 public:
  // Maps the file read-only (it stays mapped, so views from Next() remain
  // valid, while the reader lives) and checks the magic. Bytes a server
  // appends after Open are not seen; a file truncated while mapped is not
  // supported (servers only append to and delete binlogs).
  static absl::StatusOr<BinlogFileReader> Open(const std::string& path);
  // The same over bytes in memory; `name` is used in error messages.
  static absl::StatusOr<BinlogFileReader> FromBytes(std::string name, std::string bytes);

  BinlogFileReader(BinlogFileReader&&) noexcept;
  BinlogFileReader& operator=(BinlogFileReader&&) noexcept;
  ~BinlogFileReader();

  // The next raw event: header, body and checksum (if any), exactly
  // event_size bytes, valid while the reader lives. nullopt at a clean end
  // of file. An event cut short by the end of the file (a server still
  // writing, or a damaged copy) is an error naming the file and the offset;
  // after any error the reader stays at that event.
  absl::StatusOr<std::optional<absl::string_view>> Next();

  // Offset of the next event in the file (4 right after Open).
  uint64_t position() const { return position_; }
  const std::string& name() const { return name_; }
  uint64_t size() const;

 private:
  class Storage;
  BinlogFileReader(std::string name, std::unique_ptr<Storage> storage);
  static absl::StatusOr<BinlogFileReader> Make(std::string name, std::unique_ptr<Storage> storage);

  std::string name_;
  std::unique_ptr<Storage> storage_;
  uint64_t position_ = 0;
};

}  // namespace mysqlwire::binlog

#endif  // MYSQLWIRE_BINLOG_BINLOG_FILE_READER_H_
