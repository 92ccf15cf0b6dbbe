package mysqlgw

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	pb "mysqlgw/v1"

	"google.golang.org/protobuf/proto"
)

func TestValuesRoundTrip(t *testing.T) {
	cases := []any{
		nil, int64(math.MinInt64), uint64(math.MaxUint64), float64(-1.5), Decimal("-0.000100"),
		"héllo", []byte{0, 0xff}, Date{0, 0, 0}, Date{2024, 2, 30},
		DateTime{9999, 12, 31, 23, 59, 59, 999999}, JSON(`{"a": [1, 2.50]}`),
		-(838*time.Hour + 59*time.Minute + 59*time.Second + time.Microsecond),
		25*time.Hour + time.Microsecond,
	}
	for _, want := range cases {
		v, err := ToValue(want)
		if err != nil {
			t.Fatalf("ToValue(%#v): %v", want, err)
		}
		// Through the wire format, as the gateway would send it back.
		wire, err := proto.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back := &pb.Value{}
		if err := proto.Unmarshal(wire, back); err != nil {
			t.Fatal(err)
		}
		got, err := FromValue(back)
		if err != nil {
			t.Fatalf("FromValue(%v): %v", back, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of %#v gave %#v", want, got)
		}
	}
}

func TestParameterConversions(t *testing.T) {
	at := time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.FixedZone("X", 3600))
	cases := []struct {
		in   any
		want *pb.Value
	}{
		{true, &pb.Value{Kind: &pb.Value_Int64{Int64: 1}}},
		{int8(-3), &pb.Value{Kind: &pb.Value_Int64{Int64: -3}}},
		{uint16(7), &pb.Value{Kind: &pb.Value_Uint64{Uint64: 7}}},
		{float32(0.5), &pb.Value{Kind: &pb.Value_Double{Double: 0.5}}},
		{[]byte(nil), &pb.Value{Kind: &pb.Value_Bytes{Bytes: []byte{}}}},
		// The wall clock in the value's own zone; microseconds (nanoseconds dropped).
		{at, &pb.Value{Kind: &pb.Value_Datetime{Datetime: &pb.DateTime{Year: 2024, Month: 2,
			Day: 29, Hour: 13, Minute: 14, Second: 15, Microsecond: 123456}}}},
		{-90 * time.Minute, &pb.Value{Kind: &pb.Value_Time{Time: &pb.Time{Negative: true, Hours: 1,
			Minute: 30}}}},
	}
	for _, c := range cases {
		got, err := ToValue(c.in)
		if err != nil {
			t.Fatalf("ToValue(%#v): %v", c.in, err)
		}
		if !proto.Equal(got, c.want) {
			t.Errorf("ToValue(%#v) = %v, want %v", c.in, got, c.want)
		}
	}
	for _, bad := range []any{math.NaN(), math.Inf(-1), struct{}{}, Date{-1, 1, 1},
		DateTime{Year: 2024, Month: 1, Day: 1, Microsecond: -1}} {
		if _, err := ToValue(bad); err == nil {
			t.Errorf("ToValue(%#v) succeeded", bad)
		}
	}
	if _, err := FromValue(&pb.Value{}); err != nil {
		t.Errorf("an unset value should read as NULL: %v", err)
	}
}

func TestDateToTime(t *testing.T) {
	if got, ok := (Date{2024, 2, 29}).Time(); !ok || !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("2024-02-29: %v %v", got, ok)
	}
	for _, d := range []Date{{0, 0, 0}, {2024, 0, 0}, {2023, 2, 29}, {2024, 13, 1}} {
		if _, ok := d.Time(); ok {
			t.Errorf("%v converted to a time.Time", d)
		}
	}
	dt := DateTime{2001, 2, 3, 4, 5, 6, 7}
	if got, ok := dt.Time(); !ok || got.Nanosecond() != 7000 || got.Hour() != 4 {
		t.Errorf("%v: %v %v", dt, got, ok)
	}
	if dt.String() != "2001-02-03 04:05:06.000007" || (Date{}).String() != "0000-00-00" {
		t.Errorf("strings: %q %q", dt.String(), Date{}.String())
	}
}

func TestParams(t *testing.T) {
	pos, named, err := params([]any{1, "a", nil})
	if err != nil || len(pos) != 3 || named != nil {
		t.Fatalf("positional: %v %v %v", pos, named, err)
	}
	pos, named, err = params([]any{Named("id", 5), Named(":name", "x")})
	if err != nil || pos != nil || len(named) != 2 || named["name"].GetString_() != "x" ||
		named["id"].GetInt64() != 5 {
		t.Fatalf("named: %v %v %v", pos, named, err)
	}
	for _, mixed := range [][]any{{1, Named("a", 1)}, {Named("a", 1), 2}} {
		if _, _, err := params(mixed); err == nil || !strings.Contains(err.Error(), "mixed") {
			t.Errorf("params(%v) = %v", mixed, err)
		}
	}
	if _, _, err := params([]any{1, struct{}{}}); err == nil || !strings.Contains(err.Error(), "parameter 2") {
		t.Errorf("bad parameter: %v", err)
	}
}
