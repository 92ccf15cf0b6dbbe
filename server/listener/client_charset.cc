#include "server/listener/client_charset.h"

namespace mysqlgw {
namespace {

// Character sets by collation id (MySQL's and MariaDB's numbering agree
// below 256 for these).
const char* CharsetOf(uint8_t id) {
  switch (id) {
    case 1: case 84:
      return "big5";
    case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94:
      return "latin1";
    case 7: case 74:
      return "koi8r";
    case 9: case 21: case 27: case 77:
      return "latin2";
    case 11: case 65:
      return "ascii";
    case 12: case 91:
      return "ujis";
    case 13: case 88:
      return "sjis";
    case 16: case 71:
      return "hebrew";
    case 19: case 85:
      return "euckr";
    case 24: case 86:
      return "gb2312";
    case 25: case 70:
      return "greek";
    case 26: case 34: case 44: case 66: case 99:
      return "cp1250";
    case 28: case 87:
      return "gbk";
    case 30: case 78:
      return "latin5";
    case 41: case 42: case 79: case 20:
      return "latin7";
    case 14: case 23: case 50: case 51: case 52:
      return "cp1251";
    case 57: case 67:
      return "cp1256";
    case 29: case 58: case 59:
      return "cp1257";
    case 63:
      return "binary";
    case 95: case 96:
      return "cp932";
    case 33: case 83:
      return "utf8mb3";
    default:
      if (id >= 192 && id <= 215) return "utf8mb3";
      return nullptr;
  }
}

}  // namespace

std::optional<std::string> SetNamesFor(uint8_t collation_id) {
  const char* charset = CharsetOf(collation_id);
  if (charset == nullptr) return std::nullopt;
  return std::string("SET NAMES ") + charset;
}

}  // namespace mysqlgw
