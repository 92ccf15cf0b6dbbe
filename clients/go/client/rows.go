package mysqlgw

import (
	"context"
	"errors"
	"io"

	pb "mysqlgw/v1"
)

// Rows is a streamed result (from Stream), used like database/sql's:
//
//	for rows.Next() { values := rows.Values() ... }
//	if err := rows.Err(); err != nil { ... }
//
// Only one chunk of rows (about the gateway's stream_chunk_bytes) is held
// at a time. Rows of every result set come in turn; Columns describes the
// current one.
type Rows struct {
	call   pb.Gateway_StreamQueryClient
	cancel context.CancelFunc
	chunk  []*pb.Row
	pos    int
	values []any
	cols   []Column
	// Outcomes and RowCounts of each finished result set.
	Outcomes  []Outcome
	RowCounts []uint64
	err       error
	done      bool
	// In a transaction: Close reads the rest instead of cancelling, as a
	// killed statement makes the gateway discard the transaction.
	drainOnClose bool
}

// advance reads one message; with untilHeader it keeps reading until a
// header. False at the end of the stream or on an error (in r.err).
func (r *Rows) advance(untilHeader bool) bool {
	for !r.done {
		msg, err := r.call.Recv()
		if err != nil {
			r.done = true
			r.cancel()
			if !errors.Is(err, io.EOF) {
				r.err = fromRPC(err)
			}
			return false
		}
		switch chunk := msg.Chunk.(type) {
		case *pb.StreamQueryResponse_Header_:
			r.cols = columns(chunk.Header.Columns)
			r.chunk, r.pos = nil, 0
			return true
		case *pb.StreamQueryResponse_Rows_:
			r.chunk, r.pos = chunk.Rows.Rows, 0
			if !untilHeader {
				return true
			}
		case *pb.StreamQueryResponse_Footer_:
			r.Outcomes = append(r.Outcomes, outcome(chunk.Footer.Outcome))
			r.RowCounts = append(r.RowCounts, chunk.Footer.RowCount)
		}
	}
	return false
}

// Columns describes the current result set.
func (r *Rows) Columns() []Column { return r.cols }

// Next moves to the next row; false at the end or on an error (see Err).
func (r *Rows) Next() bool {
	for r.pos >= len(r.chunk) {
		if !r.advance(false) {
			return false
		}
	}
	row := r.chunk[r.pos]
	r.pos++
	values, err := rowFromProto(row)
	if err != nil {
		r.err = err
		r.Close()
		return false
	}
	r.values = values
	return true
}

// Values is the current row.
func (r *Rows) Values() []any { return r.values }

// Err is the error that ended the iteration, if any.
func (r *Rows) Err() error { return r.err }

// Close stops the stream early: outside a transaction it cancels the call
// (the gateway kills the statement); inside one it reads the rest and drops
// it. After the last row it does nothing. It returns the stream's error.
func (r *Rows) Close() error {
	if r.drainOnClose {
		for r.advance(false) {
		}
	}
	if !r.done {
		r.done = true
		r.cancel()
	}
	r.chunk, r.pos = nil, 0
	return r.err
}
