package mysqlgw

import (
	"fmt"
	"math"
	"time"

	pb "mysqlgw/v1"

	"google.golang.org/protobuf/types/known/structpb"
)

// Decimal is a DECIMAL value's exact text ("-12.3400"), never a float.
type Decimal string

// JSON is a JSON document's text, exactly as the server sent it.
type JSON string

// Date is a DATE as stored. MySQL's zero date ('0000-00-00') and partial
// dates ('2024-00-00') are ordinary values here, distinct from NULL (nil).
type Date struct {
	Year, Month, Day int
}

// Time returns the date at midnight UTC; ok is false for a zero or
// invalid date, which time.Time cannot hold.
func (d Date) Time() (t time.Time, ok bool) {
	return civil(d.Year, d.Month, d.Day, 0, 0, 0, 0)
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// DateTime is a DATETIME or TIMESTAMP as stored: the gateway applies no
// time zone.
type DateTime struct {
	Year, Month, Day, Hour, Minute, Second, Microsecond int
}

// Time returns the value as a UTC time.Time; ok is false for a zero or
// invalid date.
func (d DateTime) Time() (t time.Time, ok bool) {
	return civil(d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second, d.Microsecond)
}

func (d DateTime) String() string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d", d.Year, d.Month, d.Day, d.Hour,
		d.Minute, d.Second, d.Microsecond)
}

func civil(y, mo, d, h, mi, s, us int) (time.Time, bool) {
	t := time.Date(y, time.Month(mo), d, h, mi, s, us*1000, time.UTC)
	// time.Date normalises 2024-02-30 to March 1st; such a date is invalid.
	if y < 1 || t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// NamedArg is a parameter for a :name placeholder; see Named.
type NamedArg struct {
	Name  string
	Value any
}

// Named binds value to the :name placeholder. A statement takes either
// positional (?) or named parameters, not both.
func Named(name string, value any) NamedArg { return NamedArg{Name: name, Value: value} }

// FromValue converts a result value to Go:
//
//	NULL                        nil
//	signed integers             int64
//	UNSIGNED integers, YEAR, BIT uint64
//	DOUBLE / FLOAT              float64 / float32
//	DECIMAL                     Decimal
//	text                        string
//	binary strings              []byte
//	DATE                        Date
//	DATETIME, TIMESTAMP         DateTime
//	TIME                        time.Duration (may be negative or over 24 h)
//	JSON                        JSON
func FromValue(v *pb.Value) (any, error) {
	switch k := v.GetKind().(type) {
	case nil, *pb.Value_Null:
		return nil, nil
	case *pb.Value_Int64:
		return k.Int64, nil
	case *pb.Value_Uint64:
		return k.Uint64, nil
	case *pb.Value_Double:
		return k.Double, nil
	case *pb.Value_Float:
		return k.Float, nil
	case *pb.Value_Decimal:
		return Decimal(k.Decimal), nil
	case *pb.Value_String_:
		return k.String_, nil
	case *pb.Value_Bytes:
		return k.Bytes, nil
	case *pb.Value_Date:
		return Date{int(k.Date.Year), int(k.Date.Month), int(k.Date.Day)}, nil
	case *pb.Value_Datetime:
		d := k.Datetime
		return DateTime{int(d.Year), int(d.Month), int(d.Day), int(d.Hour), int(d.Minute),
			int(d.Second), int(d.Microsecond)}, nil
	case *pb.Value_Time:
		t := k.Time
		us := (int64(t.Hours)*3600+int64(t.Minute)*60+int64(t.Second))*1e6 + int64(t.Microsecond)
		if t.Negative {
			us = -us
		}
		return time.Duration(us) * time.Microsecond, nil
	case *pb.Value_Json:
		return JSON(k.Json), nil
	default:
		return nil, fmt.Errorf("mysqlgw: unknown value kind %T", k)
	}
}

// ToValue converts a parameter: nil, bool, the integer and float types,
// Decimal, string, []byte, JSON, Date, DateTime, time.Time (its wall clock
// in its own location, sent as DATETIME) and time.Duration (TIME).
func ToValue(x any) (*pb.Value, error) {
	switch v := x.(type) {
	case nil:
		return &pb.Value{Kind: &pb.Value_Null{Null: structpb.NullValue_NULL_VALUE}}, nil
	case bool:
		if v {
			return ToValue(int64(1))
		}
		return ToValue(int64(0))
	case int:
		return ToValue(int64(v))
	case int8:
		return ToValue(int64(v))
	case int16:
		return ToValue(int64(v))
	case int32:
		return ToValue(int64(v))
	case int64:
		return &pb.Value{Kind: &pb.Value_Int64{Int64: v}}, nil
	case uint:
		return ToValue(uint64(v))
	case uint8:
		return ToValue(uint64(v))
	case uint16:
		return ToValue(uint64(v))
	case uint32:
		return ToValue(uint64(v))
	case uint64:
		return &pb.Value{Kind: &pb.Value_Uint64{Uint64: v}}, nil
	case float32:
		return ToValue(float64(v))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%v cannot be stored by MySQL", v)
		}
		return &pb.Value{Kind: &pb.Value_Double{Double: v}}, nil
	case Decimal:
		return &pb.Value{Kind: &pb.Value_Decimal{Decimal: string(v)}}, nil
	case string:
		return &pb.Value{Kind: &pb.Value_String_{String_: v}}, nil
	case []byte:
		if v == nil {
			v = []byte{}
		}
		return &pb.Value{Kind: &pb.Value_Bytes{Bytes: v}}, nil
	case JSON:
		return &pb.Value{Kind: &pb.Value_Json{Json: string(v)}}, nil
	case Date:
		if v.Year < 0 || v.Month < 0 || v.Day < 0 {
			return nil, fmt.Errorf("date %v has a negative field", v)
		}
		return &pb.Value{Kind: &pb.Value_Date{Date: &pb.Date{
			Year: uint32(v.Year), Month: uint32(v.Month), Day: uint32(v.Day)}}}, nil
	case DateTime:
		if v.Year < 0 || v.Month < 0 || v.Day < 0 || v.Hour < 0 || v.Minute < 0 ||
			v.Second < 0 || v.Microsecond < 0 {
			return nil, fmt.Errorf("datetime %v has a negative field", v)
		}
		return &pb.Value{Kind: &pb.Value_Datetime{Datetime: &pb.DateTime{
			Year: uint32(v.Year), Month: uint32(v.Month), Day: uint32(v.Day),
			Hour: uint32(v.Hour), Minute: uint32(v.Minute), Second: uint32(v.Second),
			Microsecond: uint32(v.Microsecond)}}}, nil
	case time.Time:
		return ToValue(DateTime{v.Year(), int(v.Month()), v.Day(), v.Hour(), v.Minute(),
			v.Second(), v.Nanosecond() / 1000})
	case time.Duration:
		t := &pb.Time{}
		us := v.Microseconds()
		if us < 0 {
			t.Negative, us = true, -us
		}
		t.Hours = uint32(us / 3600e6)
		t.Minute = uint32(us / 60e6 % 60)
		t.Second = uint32(us / 1e6 % 60)
		t.Microsecond = uint32(us % 1e6)
		return &pb.Value{Kind: &pb.Value_Time{Time: t}}, nil
	default:
		return nil, fmt.Errorf("unsupported parameter type %T", x)
	}
}

// params splits args into positional values or named values (NamedArg).
func params(args []any) ([]*pb.Value, map[string]*pb.Value, error) {
	var positional []*pb.Value
	var named map[string]*pb.Value
	for i, a := range args {
		if n, ok := a.(NamedArg); ok {
			if positional != nil {
				return nil, nil, fmt.Errorf("mysqlgw: parameter %d: positional and named parameters cannot be mixed", i+1)
			}
			v, err := ToValue(n.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("mysqlgw: parameter :%s: %w", n.Name, err)
			}
			if named == nil {
				named = map[string]*pb.Value{}
			}
			name := n.Name
			if len(name) > 0 && name[0] == ':' {
				name = name[1:]
			}
			named[name] = v
			continue
		}
		if named != nil {
			return nil, nil, fmt.Errorf("mysqlgw: parameter %d: positional and named parameters cannot be mixed", i+1)
		}
		v, err := ToValue(a)
		if err != nil {
			return nil, nil, fmt.Errorf("mysqlgw: parameter %d: %w", i+1, err)
		}
		positional = append(positional, v)
	}
	return positional, named, nil
}

func rowFromProto(r *pb.Row) ([]any, error) {
	out := make([]any, len(r.Values))
	for i, v := range r.Values {
		x, err := FromValue(v)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}
