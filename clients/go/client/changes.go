package mysqlgw

// Change data capture: the ChangeStream service's StreamBinlog call
// (proto/mysqlgw/v1/binlog.proto, docs/cdc.md) as a Go iterator.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	pb "mysqlgw/v1"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ChangesOptions say where a change stream starts and what it carries.
// The zero value follows changes committed from now on, every table.
type ChangesOptions struct {
	// Where to start: at most one of ResumeToken, GTIDSet, Position,
	// Earliest and a snapshot (Snapshot or SnapshotAll). None: now.

	// ResumeToken resumes right after the point a Commit or a
	// SnapshotProgress token marks.
	ResumeToken string
	// GTIDSet: MariaDB "0-1-42,..." (start after these) or MySQL
	// "uuid:1-5,..." (everything not in the set).
	GTIDSet string
	// Position: a binlog file and offset.
	Position *Position
	// Earliest: the oldest binlog the server still has.
	Earliest bool
	// Snapshot copies the current rows of the tables matching these
	// "schema.table" globs first (RowChange of kind ChangeSnapshot, framed
	// by SnapshotProgress events), then streams the changes made after the
	// copy. SnapshotAll copies every table the filter selects.
	Snapshot    []string
	SnapshotAll bool
	// ProgressRows: rows between "chunk" SnapshotProgress events (0: the
	// gateway's default, 10,000).
	ProgressRows uint32

	// UntilNow ends the stream at the end of the log as it was when it
	// began; otherwise it follows new changes until ctx ends or Close.
	UntilNow bool
	// IncludeTables / ExcludeTables: "schema.table" globs; exclusion wins.
	IncludeTables, ExcludeTables []string
	// Kinds: a subset of ChangeInsert, ChangeUpdate, ChangeDelete (empty: all).
	Kinds            []string
	IncludeDDL       bool
	OmitBeforeImages bool
	// HeartbeatInterval: a Heartbeat after this long without events (0: 1 s).
	HeartbeatInterval time.Duration

	// OnStatus is called (in the goroutine calling Next) with each
	// StreamStatus the gateway sends while it reconnects to the database.
	OnStatus func(StreamStatus)
	// StatusEvents makes Next deliver StreamStatus events too. Without it
	// they reach only OnStatus and ChangeStream.Status, so loops written
	// for the other events see nothing new.
	StatusEvents bool
}

// Row change kinds (RowChange.Kind).
const (
	ChangeInsert   = "insert"
	ChangeUpdate   = "update"
	ChangeDelete   = "delete"
	ChangeSnapshot = "snapshot" // a row copied by a snapshot start, in After
)

var kindNames = map[pb.ChangeKind]string{
	pb.ChangeKind_CHANGE_KIND_INSERT:   ChangeInsert,
	pb.ChangeKind_CHANGE_KIND_UPDATE:   ChangeUpdate,
	pb.ChangeKind_CHANGE_KIND_DELETE:   ChangeDelete,
	pb.ChangeKind_CHANGE_KIND_SNAPSHOT: ChangeSnapshot,
}

var phaseNames = map[pb.SnapshotProgress_Phase]string{
	pb.SnapshotProgress_PHASE_STARTED:       "started",
	pb.SnapshotProgress_PHASE_TABLE_STARTED: "table_started",
	pb.SnapshotProgress_PHASE_CHUNK:         "chunk",
	pb.SnapshotProgress_PHASE_TABLE_DONE:    "table_done",
	pb.SnapshotProgress_PHASE_DONE:          "done",
}

var stateNames = map[pb.StreamStatus_State]string{
	pb.StreamStatus_STATE_RECONNECTING: "reconnecting",
	pb.StreamStatus_STATE_RESUMED:      "resumed",
}

// Position is a binlog coordinate.
type Position struct {
	File     string
	Position uint64
}

func positionOf(p *pb.BinlogPosition) Position {
	return Position{File: p.GetFile(), Position: p.GetPosition()}
}

// ChangeEvent is one of Begin, RowChange, DDL, Commit, Heartbeat,
// SnapshotProgress and StreamStatus.
type ChangeEvent interface{ isChangeEvent() }

// Begin starts a transaction. GTID may be empty; Timestamp is UTC (zero
// when the server sent none).
type Begin struct {
	GTID      string
	Timestamp time.Time
}

// RowChange is one changed row. Before (updates, deletes) and After
// (inserts, updates, snapshot rows) map column names to values (as
// FromValue converts them), without the columns the server did not log;
// nil when absent. PrimaryKey names the key's columns.
type RowChange struct {
	Schema, Table string
	Kind          string // ChangeInsert, ChangeUpdate, ChangeDelete, ChangeSnapshot
	Before, After map[string]any
	PrimaryKey    []string
}

// Key is the primary key's values, from After, else Before.
func (r RowChange) Key() []any {
	image := r.After
	if image == nil {
		image = r.Before
	}
	key := make([]any, len(r.PrimaryKey))
	for i, c := range r.PrimaryKey {
		key[i] = image[c]
	}
	return key
}

// DDL is a DDL statement (with IncludeDDL).
type DDL struct {
	Schema, Statement string
}

// Commit ends a transaction. Store ResumeToken with its effects; a stream
// started from it resumes right after this transaction.
type Commit struct {
	GTID        string
	Timestamp   time.Time
	ResumeToken string
	Position    Position
}

// Heartbeat comes after a quiet period; Lag is how far behind the server's
// clock the stream is.
type Heartbeat struct {
	Position Position
	Lag      time.Duration
}

// SnapshotProgress frames a snapshot start's copy. Phase is "started"
// (Position is the binlog point the copy corresponds to), "table_started",
// "chunk", "table_done" or "done" (the binlog's changes follow). "chunk",
// "table_done" and "done" carry a ResumeToken (empty for a chunk of a table
// without a primary key). Restarted (on "table_started" after a resume)
// means the table's copy starts over: drop its rows received before.
type SnapshotProgress struct {
	Phase         string
	Schema, Table string
	Rows          uint64 // the table's rows sent so far in this stream
	Position      Position
	GTIDState     string
	ResumeToken   string
	Restarted     bool
}

// StreamStatus reports the gateway's connection to the database: State
// "reconnecting" (it broke; Message says why, Attempt counts this outage's
// attempts) or "resumed" (reading again where the stream stood: nothing is
// lost or repeated).
type StreamStatus struct {
	State    string
	Message  string
	Attempt  uint32
	Position Position
}

func (Begin) isChangeEvent()            {}
func (RowChange) isChangeEvent()        {}
func (DDL) isChangeEvent()              {}
func (Commit) isChangeEvent()           {}
func (Heartbeat) isChangeEvent()        {}
func (SnapshotProgress) isChangeEvent() {}
func (StreamStatus) isChangeEvent()     {}

// TableSchema is a table as the stream announced it.
type TableSchema struct {
	Schema, Table string
	Columns       []Column
	PrimaryKey    []string
}

// ChangeStream is a running StreamBinlog call, used like Rows:
//
//	for s.Next() {
//		switch ev := s.Event().(type) {
//		case mysqlgw.RowChange: ...
//		case mysqlgw.Commit: store ev.ResumeToken with the effects
//		}
//	}
//	if err := s.Err(); err != nil { ... }
//
// One response message (a batch of events) is held at a time. A ChangeStream
// is used from one goroutine; Close may be called from another.
type ChangeStream struct {
	call         pb.ChangeStream_StreamBinlogClient
	cancel       context.CancelFunc
	batch        []*pb.ChangeEvent
	pos          int
	event        ChangeEvent
	tables       map[uint32]TableSchema
	onStatus     func(StreamStatus)
	statusEvents bool
	lastToken    string
	status       *StreamStatus
	err          error
	done         bool
	closed       chan struct{}
}

// Changes starts a change stream (the principal needs the binlog
// operation). Errors of the request itself (a bad token, purged binlogs)
// come from Next/Err, as the gateway reports them when the stream starts.
func (c *Client) Changes(ctx context.Context, opts ChangesOptions) (*ChangeStream, error) {
	req, err := changesRequest(opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	call, err := pb.NewChangeStreamClient(c.conn).StreamBinlog(c.ctx(ctx), req)
	if err != nil {
		cancel()
		return nil, fromRPC(err)
	}
	return &ChangeStream{call: call, cancel: cancel, tables: map[uint32]TableSchema{},
		onStatus: opts.OnStatus, statusEvents: opts.StatusEvents, closed: make(chan struct{})}, nil
}

func changesRequest(o ChangesOptions) (*pb.StreamBinlogRequest, error) {
	req := &pb.StreamBinlogRequest{Filter: &pb.BinlogFilter{IncludeTables: o.IncludeTables,
		ExcludeTables: o.ExcludeTables, IncludeDdl: o.IncludeDDL},
		OmitBeforeImages: o.OmitBeforeImages}
	var starts []string
	if o.ResumeToken != "" {
		starts = append(starts, "ResumeToken")
		req.Start = &pb.StreamBinlogRequest_ResumeToken{ResumeToken: o.ResumeToken}
	}
	if o.GTIDSet != "" {
		starts = append(starts, "GTIDSet")
		req.Start = &pb.StreamBinlogRequest_GtidSet{GtidSet: o.GTIDSet}
	}
	if o.Position != nil {
		starts = append(starts, "Position")
		req.Start = &pb.StreamBinlogRequest_Position{Position: &pb.BinlogPosition{
			File: o.Position.File, Position: o.Position.Position}}
	}
	if o.Earliest {
		starts = append(starts, "Earliest")
		req.Start = &pb.StreamBinlogRequest_Earliest{Earliest: true}
	}
	if len(o.Snapshot) > 0 || o.SnapshotAll {
		starts = append(starts, "Snapshot")
		tables := o.Snapshot
		if o.SnapshotAll {
			tables = nil
		}
		req.Start = &pb.StreamBinlogRequest_Snapshot{Snapshot: &pb.SnapshotOptions{
			Tables: tables, ProgressRows: o.ProgressRows}}
	} else if o.ProgressRows != 0 {
		return nil, invalidArgument(errors.New("ProgressRows applies only to a snapshot start"))
	}
	if len(o.Snapshot) > 0 && o.SnapshotAll {
		return nil, invalidArgument(errors.New("give Snapshot or SnapshotAll, not both"))
	}
	if len(starts) > 1 {
		return nil, invalidArgument(fmt.Errorf("give at most one starting point, not %v", starts))
	}
	if req.Start == nil {
		req.Start = &pb.StreamBinlogRequest_Now{Now: true}
	}
	if o.UntilNow {
		req.Mode = pb.StreamBinlogRequest_MODE_UNTIL_NOW
	}
	for _, k := range o.Kinds {
		switch k {
		case ChangeInsert:
			req.Filter.Kinds = append(req.Filter.Kinds, pb.ChangeKind_CHANGE_KIND_INSERT)
		case ChangeUpdate:
			req.Filter.Kinds = append(req.Filter.Kinds, pb.ChangeKind_CHANGE_KIND_UPDATE)
		case ChangeDelete:
			req.Filter.Kinds = append(req.Filter.Kinds, pb.ChangeKind_CHANGE_KIND_DELETE)
		default:
			return nil, invalidArgument(fmt.Errorf("unknown change kind %q", k))
		}
	}
	if o.HeartbeatInterval > 0 {
		req.HeartbeatInterval = durationpb.New(o.HeartbeatInterval)
	}
	return req, nil
}

// Next moves to the next event; false at the end of the stream (UntilNow),
// after Close, or on an error (see Err).
func (s *ChangeStream) Next() bool {
	for !s.done {
		for s.pos >= len(s.batch) {
			if !s.read() {
				return false
			}
		}
		ev := s.batch[s.pos]
		s.pos++
		out, err := s.convert(ev)
		if err != nil {
			s.fail(err)
			return false
		}
		switch e := out.(type) {
		case nil:
			continue
		case Commit:
			s.lastToken = e.ResumeToken
		case SnapshotProgress:
			// "chunk", "table_done" and "done" mark a point to resume
			// from, like a commit; a chunk of a table without a key has none.
			if e.ResumeToken != "" {
				s.lastToken = e.ResumeToken
			}
		case StreamStatus:
			s.status = &e
			if s.onStatus != nil {
				s.onStatus(e)
			}
			if !s.statusEvents {
				continue
			}
		}
		s.event = out
		return true
	}
	return false
}

func (s *ChangeStream) read() bool {
	msg, err := s.call.Recv()
	if err != nil {
		select {
		case <-s.closed:
			err = io.EOF // ended by Close: not an error
		default:
		}
		if errors.Is(err, io.EOF) {
			s.done = true
			s.cancel()
			return false
		}
		s.fail(fromRPC(err))
		return false
	}
	s.batch, s.pos = msg.Events, 0
	return true
}

func (s *ChangeStream) fail(err error) {
	s.err = err
	s.done = true
	s.cancel()
}

// Event is the current event: a Begin, RowChange, DDL, Commit, Heartbeat,
// SnapshotProgress or (with StatusEvents) StreamStatus value.
func (s *ChangeStream) Event() ChangeEvent { return s.event }

// Err is the error that ended the stream, if any.
func (s *ChangeStream) Err() error { return s.err }

// LastResumeToken is the token of the last Commit or SnapshotProgress with
// a token that Next delivered ("" before the first): store it with the
// effects applied so far, and start a new stream from it to go on.
func (s *ChangeStream) LastResumeToken() string { return s.lastToken }

// Status is the last StreamStatus the gateway sent, or nil.
func (s *ChangeStream) Status() *StreamStatus { return s.status }

// Tables are the tables announced so far, by the stream's table_ref.
func (s *ChangeStream) Tables() map[uint32]TableSchema { return s.tables }

// Close cancels the call; a Next blocked in another goroutine then returns
// false with no error. Safe to call more than once.
func (s *ChangeStream) Close() error {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.cancel()
	return nil
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func (s *ChangeStream) image(t TableSchema, img *pb.RowImage) (map[string]any, error) {
	if img == nil {
		return nil, nil
	}
	if len(img.Values) != len(t.Columns) {
		return nil, fmt.Errorf("mysqlgw: a row of %s.%s has %d values for %d columns",
			t.Schema, t.Table, len(img.Values), len(t.Columns))
	}
	absent := map[uint32]bool{}
	for _, i := range img.Absent {
		absent[i] = true
	}
	out := make(map[string]any, len(img.Values))
	for i, v := range img.Values {
		if absent[uint32(i)] {
			continue
		}
		x, err := FromValue(v)
		if err != nil {
			return nil, err
		}
		out[t.Columns[i].Name] = x
	}
	return out, nil
}

// convert returns nil for events that are not delivered (table schemas,
// kinds newer than this client).
func (s *ChangeStream) convert(ev *pb.ChangeEvent) (ChangeEvent, error) {
	switch e := ev.Event.(type) {
	case *pb.ChangeEvent_TableSchema:
		t := e.TableSchema
		ts := TableSchema{Schema: t.Schema, Table: t.Table, Columns: columns(t.Columns)}
		for _, i := range t.PrimaryKey {
			if int(i) >= len(ts.Columns) {
				return nil, fmt.Errorf("mysqlgw: table %s.%s has primary key column %d of %d",
					t.Schema, t.Table, i, len(ts.Columns))
			}
			ts.PrimaryKey = append(ts.PrimaryKey, ts.Columns[i].Name)
		}
		s.tables[t.TableRef] = ts
		return nil, nil
	case *pb.ChangeEvent_Row:
		r := e.Row
		t, ok := s.tables[r.TableRef]
		if !ok {
			return nil, fmt.Errorf("mysqlgw: a row change of table_ref %d before its schema", r.TableRef)
		}
		kind, ok := kindNames[r.Kind]
		if !ok {
			return nil, fmt.Errorf("mysqlgw: a row change of kind %v", r.Kind)
		}
		before, err := s.image(t, r.Before)
		if err != nil {
			return nil, err
		}
		after, err := s.image(t, r.After)
		if err != nil {
			return nil, err
		}
		return RowChange{Schema: t.Schema, Table: t.Table, Kind: kind, Before: before, After: after,
			PrimaryKey: t.PrimaryKey}, nil
	case *pb.ChangeEvent_Begin:
		return Begin{GTID: e.Begin.Gtid, Timestamp: timeOf(e.Begin.Timestamp)}, nil
	case *pb.ChangeEvent_Commit:
		c := e.Commit
		return Commit{GTID: c.Gtid, Timestamp: timeOf(c.Timestamp), ResumeToken: c.ResumeToken,
			Position: positionOf(c.Position)}, nil
	case *pb.ChangeEvent_Ddl:
		return DDL{Schema: e.Ddl.Schema, Statement: e.Ddl.Statement}, nil
	case *pb.ChangeEvent_Heartbeat:
		return Heartbeat{Position: positionOf(e.Heartbeat.Position),
			Lag: e.Heartbeat.GetLag().AsDuration()}, nil
	case *pb.ChangeEvent_Snapshot:
		p := e.Snapshot
		phase, ok := phaseNames[p.Phase]
		if !ok {
			return nil, nil
		}
		return SnapshotProgress{Phase: phase, Schema: p.Schema, Table: p.Table, Rows: p.Rows,
			Position: positionOf(p.Position), GTIDState: p.GtidState, ResumeToken: p.ResumeToken,
			Restarted: p.Restarted}, nil
	case *pb.ChangeEvent_Status:
		st := e.Status
		state, ok := stateNames[st.State]
		if !ok {
			return nil, nil
		}
		return StreamStatus{State: state, Message: st.Message, Attempt: st.Attempt,
			Position: positionOf(st.Position)}, nil
	}
	return nil, nil
}
