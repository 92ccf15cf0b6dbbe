#include "mysqlwire/protocol/column_type.h"

namespace mysqlwire {

absl::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
      return "DECIMAL";
    case ColumnType::kTiny:
      return "TINYINT";
    case ColumnType::kShort:
      return "SMALLINT";
    case ColumnType::kLong:
      return "INT";
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kNull:
      return "NULL";
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      return "TIMESTAMP";
    case ColumnType::kLongLong:
      return "BIGINT";
    case ColumnType::kInt24:
      return "MEDIUMINT";
    case ColumnType::kDate:
    case ColumnType::kNewDate:
      return "DATE";
    case ColumnType::kTime:
    case ColumnType::kTime2:
      return "TIME";
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
      return "DATETIME";
    case ColumnType::kYear:
      return "YEAR";
    case ColumnType::kVarChar:
    case ColumnType::kVarString:
      return "VARCHAR";
    case ColumnType::kBit:
      return "BIT";
    case ColumnType::kTypedArray:
      return "TYPED_ARRAY";
    case ColumnType::kVector:
      return "VECTOR";
    case ColumnType::kJson:
      return "JSON";
    case ColumnType::kEnum:
      return "ENUM";
    case ColumnType::kSet:
      return "SET";
    case ColumnType::kTinyBlob:
      return "TINYBLOB";
    case ColumnType::kMediumBlob:
      return "MEDIUMBLOB";
    case ColumnType::kLongBlob:
      return "LONGBLOB";
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kString:
      return "CHAR";
    case ColumnType::kGeometry:
      return "GEOMETRY";
  }
  return "UNKNOWN";
}

}  // namespace mysqlwire
