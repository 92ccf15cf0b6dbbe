package mysqlgw

// Unit tests of the change stream against an in-process fake ChangeStream
// server that sends scripted events: request building, snapshot rows and
// progress, the stored resume token, status events, Close.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"testing"
	"time"

	pb "mysqlgw/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type fakeChanges struct {
	pb.UnimplementedChangeStreamServer
	requests  chan *pb.StreamBinlogRequest
	cancelled chan struct{}
}

func pos(p uint64) *pb.BinlogPosition {
	return &pb.BinlogPosition{File: "mysql-bin.000001", Position: p}
}

func snapRow(id int64, v string) *pb.ChangeEvent {
	return &pb.ChangeEvent{Event: &pb.ChangeEvent_Row{Row: &pb.RowChange{TableRef: 1,
		Kind: pb.ChangeKind_CHANGE_KIND_SNAPSHOT, After: &pb.RowImage{Values: []*pb.Value{
			{Kind: &pb.Value_Int64{Int64: id}}, {Kind: &pb.Value_String_{String_: v}}}}}}}
}

func progress(phase pb.SnapshotProgress_Phase, rows uint64, token string) *pb.ChangeEvent {
	return &pb.ChangeEvent{Event: &pb.ChangeEvent_Snapshot{Snapshot: &pb.SnapshotProgress{
		Phase: phase, Schema: "shop", Table: "orders", Rows: rows, Position: pos(400),
		GtidState: "0-1-9", ResumeToken: token}}}
}

func statusEvent(state pb.StreamStatus_State, msg string, attempt uint32) *pb.ChangeEvent {
	return &pb.ChangeEvent{Event: &pb.ChangeEvent_Status{Status: &pb.StreamStatus{
		State: state, Message: msg, Attempt: attempt, Position: pos(120)}}}
}

func (f *fakeChanges) StreamBinlog(req *pb.StreamBinlogRequest, s pb.ChangeStream_StreamBinlogServer) error {
	f.requests <- req
	schema := &pb.ChangeEvent{Event: &pb.ChangeEvent_TableSchema{TableSchema: &pb.TableSchema{
		TableRef: 1, Schema: "shop", Table: "orders",
		Columns: []*pb.Column{{Name: "id"}, {Name: "v"}}, PrimaryKey: []uint32{0}}}}
	commit := func(token string) *pb.ChangeEvent {
		return &pb.ChangeEvent{Event: &pb.ChangeEvent_Commit{Commit: &pb.TransactionCommit{
			Gtid: "0-1-10", ResumeToken: token, Position: pos(500)}}}
	}
	begin := &pb.ChangeEvent{Event: &pb.ChangeEvent_Begin{Begin: &pb.TransactionBegin{Gtid: "0-1-10"}}}
	var batches [][]*pb.ChangeEvent
	switch {
	case req.GetSnapshot() != nil:
		batches = [][]*pb.ChangeEvent{
			{progress(pb.SnapshotProgress_PHASE_STARTED, 0, ""), schema,
				progress(pb.SnapshotProgress_PHASE_TABLE_STARTED, 0, "")},
			{snapRow(1, "a"), snapRow(2, "b"), progress(pb.SnapshotProgress_PHASE_CHUNK, 2, "chunk-2"),
				snapRow(3, "c"), progress(pb.SnapshotProgress_PHASE_TABLE_DONE, 3, "table-done")},
			{progress(pb.SnapshotProgress_PHASE_DONE, 0, "done"), begin,
				{Event: &pb.ChangeEvent_Row{Row: &pb.RowChange{TableRef: 1, Kind: pb.ChangeKind_CHANGE_KIND_INSERT,
					After: &pb.RowImage{Values: []*pb.Value{{Kind: &pb.Value_Int64{Int64: 4}},
						{Kind: &pb.Value_String_{String_: "d"}}}}}}},
				commit("commit-1")},
		}
	case req.GetGtidSet() == "status":
		batches = [][]*pb.ChangeEvent{{begin,
			statusEvent(pb.StreamStatus_STATE_RECONNECTING, "connection reset", 1),
			statusEvent(pb.StreamStatus_STATE_RECONNECTING, "connection refused", 2),
			statusEvent(pb.StreamStatus_STATE_RESUMED, "", 0), commit("c")}}
	case req.GetGtidSet() == "purged":
		return status.Error(codes.FailedPrecondition, "the binlog was purged")
	case req.GetGtidSet() == "follow":
		s.Send(&pb.StreamBinlogResponse{Events: []*pb.ChangeEvent{{Event: &pb.ChangeEvent_Heartbeat{
			Heartbeat: &pb.Heartbeat{Position: pos(1)}}}}})
		<-s.Context().Done()
		close(f.cancelled)
		return s.Context().Err()
	}
	for _, b := range batches {
		if err := s.Send(&pb.StreamBinlogResponse{Events: b}); err != nil {
			return err
		}
	}
	return nil
}

func fakeChangesClient(t *testing.T) (*Client, *fakeChanges) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fake := &fakeChanges{requests: make(chan *pb.StreamBinlogRequest, 10), cancelled: make(chan struct{})}
	pb.RegisterChangeStreamServer(srv, fake)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	c, err := Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, fake
}

func describe(ev ChangeEvent) string {
	switch e := ev.(type) {
	case SnapshotProgress:
		return e.Phase
	case RowChange:
		return e.Kind
	case StreamStatus:
		return "status:" + e.State
	}
	return fmt.Sprintf("%T", ev)
}

func TestChangesSnapshot(t *testing.T) {
	c, fake := fakeChangesClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := c.Changes(ctx, ChangesOptions{Snapshot: []string{"shop.*"}, ProgressRows: 500, UntilNow: true,
		IncludeTables: []string{"shop.*"}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds, tokens []string
	var events []ChangeEvent
	for s.Next() {
		events = append(events, s.Event())
		kinds = append(kinds, describe(s.Event()))
		tokens = append(tokens, s.LastResumeToken())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	req := <-fake.requests
	if got := req.GetSnapshot(); got == nil || !reflect.DeepEqual(got.Tables, []string{"shop.*"}) ||
		got.ProgressRows != 500 || req.Mode != pb.StreamBinlogRequest_MODE_UNTIL_NOW {
		t.Errorf("request %v", req)
	}
	want := []string{"started", "table_started", "snapshot", "snapshot", "chunk", "snapshot", "table_done",
		"done", "mysqlgw.Begin", "insert", "mysqlgw.Commit"}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	wantTokens := []string{"", "", "", "", "chunk-2", "chunk-2", "table-done", "done", "done", "done", "commit-1"}
	if !reflect.DeepEqual(tokens, wantTokens) {
		t.Errorf("tokens %v, want %v", tokens, wantTokens)
	}
	row := events[2].(RowChange)
	if !reflect.DeepEqual(row, RowChange{Schema: "shop", Table: "orders", Kind: ChangeSnapshot,
		After: map[string]any{"id": int64(1), "v": "a"}, PrimaryKey: []string{"id"}}) ||
		!reflect.DeepEqual(row.Key(), []any{int64(1)}) {
		t.Errorf("row %#v", row)
	}
	chunk := events[4].(SnapshotProgress)
	if chunk.Rows != 2 || chunk.Position != (Position{"mysql-bin.000001", 400}) || chunk.GTIDState != "0-1-9" {
		t.Errorf("chunk %#v", chunk)
	}
}

func TestChangesRequests(t *testing.T) {
	c, fake := fakeChangesClient(t)
	ctx := context.Background()
	s, err := c.Changes(ctx, ChangesOptions{SnapshotAll: true, UntilNow: true})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	if req := <-fake.requests; req.GetSnapshot() == nil || len(req.GetSnapshot().Tables) != 0 {
		t.Errorf("SnapshotAll: %v", req)
	}
	for _, bad := range []ChangesOptions{
		{Snapshot: []string{"a.*"}, ResumeToken: "t"},
		{GTIDSet: "0-1-1", Earliest: true},
		{ProgressRows: 10},
		{Kinds: []string{"upsert"}},
	} {
		if _, err := c.Changes(ctx, bad); !errors.Is(err, ErrProgramming) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	// Errors of the stream come from Next/Err.
	s, err = c.Changes(ctx, ChangesOptions{GTIDSet: "purged"})
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if s.Next() || !errors.As(s.Err(), &e) || e.Code != codes.FailedPrecondition {
		t.Errorf("purged: %v", s.Err())
	}
}

func TestChangesStatusEvents(t *testing.T) {
	c, _ := fakeChangesClient(t)
	var seen []StreamStatus
	s, err := c.Changes(context.Background(), ChangesOptions{GTIDSet: "status",
		OnStatus: func(st StreamStatus) { seen = append(seen, st) }})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for s.Next() {
		kinds = append(kinds, describe(s.Event()))
	}
	if !reflect.DeepEqual(kinds, []string{"mysqlgw.Begin", "mysqlgw.Commit"}) || s.Err() != nil {
		t.Errorf("without StatusEvents: %v %v", kinds, s.Err())
	}
	if len(seen) != 3 || seen[0] != (StreamStatus{"reconnecting", "connection reset", 1,
		Position{"mysql-bin.000001", 120}}) || seen[2].State != "resumed" || *s.Status() != seen[2] {
		t.Errorf("statuses %+v", seen)
	}
	s, err = c.Changes(context.Background(), ChangesOptions{GTIDSet: "status", StatusEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	kinds = nil
	for s.Next() {
		kinds = append(kinds, describe(s.Event()))
	}
	want := []string{"mysqlgw.Begin", "status:reconnecting", "status:reconnecting", "status:resumed",
		"mysqlgw.Commit"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("with StatusEvents: %v", kinds)
	}
}

func TestChangesCloseFromAnotherGoroutine(t *testing.T) {
	c, fake := fakeChangesClient(t)
	s, err := c.Changes(context.Background(), ChangesOptions{GTIDSet: "follow"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Next() || describe(s.Event()) != "mysqlgw.Heartbeat" {
		t.Fatalf("first event %v %v", s.Event(), s.Err())
	}
	done := make(chan bool)
	go func() { done <- s.Next() }()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	select {
	case more := <-done:
		if more || s.Err() != nil {
			t.Errorf("after Close: %v %v", more, s.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next did not return after Close")
	}
	select {
	case <-fake.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not see the cancellation")
	}
}
