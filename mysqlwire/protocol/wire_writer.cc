#include "mysqlwire/protocol/wire_writer.h"

namespace mysqlwire {

void WireWriter::Lenenc(uint64_t v) {
  if (v < 0xfb) {
    U8(static_cast<uint8_t>(v));
  } else if (v <= 0xffff) {
    U8(0xfc);
    U16(static_cast<uint16_t>(v));
  } else if (v <= 0xffffff) {
    U8(0xfd);
    U24(static_cast<uint32_t>(v));
  } else {
    U8(0xfe);
    U64(v);
  }
}

}  // namespace mysqlwire
