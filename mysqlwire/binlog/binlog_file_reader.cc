#include "mysqlwire/binlog/binlog_file_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mysqlwire/binlog/event_header.h"
#include "mysqlwire/error.h"

namespace mysqlwire::binlog {

// The file's bytes: a read-only mapping, or a string for FromBytes (and for
// an empty file, which cannot be mapped).
class BinlogFileReader::Storage {
 public:
  explicit Storage(std::string bytes) : bytes_(std::move(bytes)) {}
  Storage(void* map, size_t size) : map_(map), map_size_(size) {}
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (map_ != nullptr) munmap(map_, map_size_);
  }
  absl::string_view data() const {
    if (map_ != nullptr) return {static_cast<const char*>(map_), map_size_};
    return bytes_;
  }

 private:
  std::string bytes_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

BinlogFileReader::BinlogFileReader(std::string name, std::unique_ptr<Storage> storage)
    : name_(std::move(name)), storage_(std::move(storage)) {}
BinlogFileReader::BinlogFileReader(BinlogFileReader&&) noexcept = default;
BinlogFileReader& BinlogFileReader::operator=(BinlogFileReader&&) noexcept = default;
BinlogFileReader::~BinlogFileReader() = default;

uint64_t BinlogFileReader::size() const { return storage_->data().size(); }

absl::StatusOr<BinlogFileReader> BinlogFileReader::Make(std::string name,
                                                        std::unique_ptr<Storage> storage) {
  absl::string_view data = storage->data();
  if (data.size() < kBinlogMagic.size() || data.substr(0, kBinlogMagic.size()) != kBinlogMagic) {
    return ProtocolError(absl::StrCat(name, ": not a binlog file (no \\xfe\"bin\" magic)"));
  }
  BinlogFileReader reader(std::move(name), std::move(storage));
  reader.position_ = kBinlogMagic.size();
  return reader;
}

absl::StatusOr<BinlogFileReader> BinlogFileReader::FromBytes(std::string name, std::string bytes) {
  return Make(std::move(name), std::make_unique<Storage>(std::move(bytes)));
}

absl::StatusOr<BinlogFileReader> BinlogFileReader::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string msg = absl::StrCat("open ", path, ": ", std::strerror(err));
    return err == ENOENT ? absl::NotFoundError(msg) : absl::UnavailableError(msg);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("stat ", path, ": ", std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return Make(path, std::make_unique<Storage>(std::string()));
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  close(fd);  // The mapping keeps the file's pages reachable.
  if (map == MAP_FAILED) {
    return absl::UnavailableError(absl::StrCat("mmap ", path, ": ", std::strerror(err)));
  }
  return Make(path, std::make_unique<Storage>(map, size));
}

absl::StatusOr<std::optional<absl::string_view>> BinlogFileReader::Next() {
  absl::string_view data = storage_->data();
  if (position_ == data.size()) return std::optional<absl::string_view>();
  const uint64_t remaining = data.size() - position_;
  if (remaining < kEventHeaderLength) {
    return ProtocolError(absl::StrCat(name_, ": truncated event header at offset ", position_, " (",
                                      remaining, " of ", kEventHeaderLength, " bytes)"));
  }
  absl::StatusOr<EventHeader> header = ParseEventHeader(data.substr(position_, kEventHeaderLength));
  if (!header.ok()) {
    return ProtocolError(
        absl::StrCat(name_, ": event at offset ", position_, ": ", header.status().message()));
  }
  if (header->event_size > remaining) {
    return ProtocolError(absl::StrCat(name_, ": truncated ", EventTypeName(header->type),
                                      " event at offset ", position_, ": its header says ",
                                      header->event_size, " bytes, the file has ", remaining));
  }
  absl::string_view event = data.substr(position_, header->event_size);
  position_ += header->event_size;
  return std::optional<absl::string_view>(event);
}

}  // namespace mysqlwire::binlog
