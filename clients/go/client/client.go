// Package mysqlgw is a Go client for the mysqlgw gateway (SQL over gRPC,
// proto/mysqlgw/v1/gateway.proto).
//
//	c, err := mysqlgw.Dial("127.0.0.1:50051", mysqlgw.WithToken(token))
//	res, err := c.Query(ctx, "SELECT id, name FROM users WHERE id = ?", 42)
//	for _, row := range res.Rows { fmt.Println(row[0].(int64), row[1].(string)) }
//
// Values convert as FromValue and ToValue describe; failures are *Error,
// classified with errors.Is(err, mysqlgw.ErrIntegrity) and the other Kinds.
package mysqlgw

import (
	"context"
	"errors"

	pb "mysqlgw/v1"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
)

// Client is a connection to a gateway. It is safe for concurrent use.
type Client struct {
	conn     *grpc.ClientConn
	stub     pb.GatewayClient
	token    string
	database string
}

type settings struct {
	token    string
	database string
	creds    credentials.TransportCredentials
	dialOpts []grpc.DialOption
}

// Option configures Dial.
type Option func(*settings)

// WithToken sends "authorization: Bearer <token>" with every call.
func WithToken(token string) Option { return func(s *settings) { s.token = token } }

// WithDatabase sets the default database of every statement and transaction.
func WithDatabase(db string) Option { return func(s *settings) { s.database = db } }

// WithTransportCredentials dials with TLS (default: plaintext).
func WithTransportCredentials(c credentials.TransportCredentials) Option {
	return func(s *settings) { s.creds = c }
}

// WithDialOptions adds gRPC dial options.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(s *settings) { s.dialOpts = append(s.dialOpts, opts...) }
}

// Dial opens a channel to the gateway at target (host:port). It does not
// wait for the connection: an unreachable gateway shows at the first call.
func Dial(target string, opts ...Option) (*Client, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	dial := []grpc.DialOption{grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1 << 30))}
	if s.creds != nil {
		dial = append(dial, grpc.WithTransportCredentials(s.creds))
	} else {
		dial = append(dial, grpc.WithInsecure())
	}
	dial = append(dial, s.dialOpts...)
	conn, err := grpc.Dial(target, dial...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, stub: pb.NewGatewayClient(conn), token: s.token,
		database: s.database}, nil
}

// Close closes the channel.
func (c *Client) Close() error { return c.conn.Close() }

func (c *Client) ctx(ctx context.Context) context.Context {
	if c.token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
}

// Column describes a result column.
type Column struct {
	Name     string
	TypeName string        // readable SQL type, e.g. "BIGINT UNSIGNED"
	Type     pb.ColumnType // the MySQL type code
	Nullable bool
	Unsigned bool
	Binary   bool // binary collation: the values are []byte
	Decimals uint32
}

func columns(cs []*pb.Column) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = Column{Name: c.Name, TypeName: c.TypeName, Type: c.Type, Nullable: c.Nullable,
			Unsigned: c.Unsigned, Binary: c.Binary, Decimals: c.Decimals}
	}
	return out
}

// Outcome is what a statement did (MySQL's OK packet).
type Outcome struct {
	AffectedRows uint64
	LastInsertID uint64
	Warnings     uint32
	Info         string
}

func outcome(o *pb.StatementOutcome) Outcome {
	return Outcome{AffectedRows: o.GetAffectedRows(), LastInsertID: o.GetLastInsertId(),
		Warnings: o.GetWarnings(), Info: o.GetInfo()}
}

// ResultSet is one result set of a query.
type ResultSet struct {
	Columns []Column
	Rows    [][]any
	Outcome Outcome
}

// Result holds every result set of a Query; its embedded ResultSet is the
// first (the usual case of one statement).
type Result struct {
	ResultSet
	Sets []ResultSet
}

type request struct {
	sql    string
	params []*pb.Value
	named  map[string]*pb.Value
	opts   *pb.CallOptions
	txID   string
}

func (c *Client) request(txID, sql string, args []any) (*request, error) {
	p, n, err := params(args)
	if err != nil {
		return nil, invalidArgument(err)
	}
	opts := &pb.CallOptions{}
	if txID == "" {
		opts.Database = c.database
	}
	return &request{sql: sql, params: p, named: n, opts: opts, txID: txID}, nil
}

func (r *request) query() *pb.QueryRequest {
	return &pb.QueryRequest{Sql: r.sql, Params: r.params, NamedParams: r.named,
		Options: r.opts, TransactionId: r.txID}
}

// Query runs a statement and returns every result set, buffered (bounded by
// the gateway's max_rows / max_bytes, beyond which it fails with
// ErrOperational: use Stream for large results). Args are values for ?
// placeholders, or Named values for :name placeholders. The context's
// deadline is the call's; the gateway kills the statement when it passes.
func (c *Client) Query(ctx context.Context, sql string, args ...any) (*Result, error) {
	return c.query(ctx, "", sql, args)
}

func (c *Client) query(ctx context.Context, txID, sql string, args []any) (*Result, error) {
	r, err := c.request(txID, sql, args)
	if err != nil {
		return nil, err
	}
	resp, err := c.stub.Query(c.ctx(ctx), r.query())
	if err != nil {
		return nil, fromRPC(err)
	}
	res := &Result{}
	for _, rs := range resp.Results {
		set := ResultSet{Columns: columns(rs.Columns), Outcome: outcome(rs.Outcome)}
		for _, row := range rs.Rows {
			values, err := rowFromProto(row)
			if err != nil {
				return nil, err
			}
			set.Rows = append(set.Rows, values)
		}
		res.Sets = append(res.Sets, set)
	}
	if len(res.Sets) > 0 {
		res.ResultSet = res.Sets[0]
	}
	return res, nil
}

// Execute runs a statement that returns no rows (DML, DDL).
func (c *Client) Execute(ctx context.Context, sql string, args ...any) (Outcome, error) {
	return c.execute(ctx, "", sql, args)
}

func (c *Client) execute(ctx context.Context, txID, sql string, args []any) (Outcome, error) {
	r, err := c.request(txID, sql, args)
	if err != nil {
		return Outcome{}, err
	}
	resp, err := c.stub.Execute(c.ctx(ctx), &pb.ExecuteRequest{Sql: r.sql, Params: r.params,
		NamedParams: r.named, Options: r.opts, TransactionId: r.txID})
	if err != nil {
		return Outcome{}, fromRPC(err)
	}
	return outcome(resp.Outcome), nil
}

// Stream runs a query with StreamQuery and returns its rows, read lazily
// chunk by chunk. Close the Rows to stop early (that cancels the call and
// kills the statement). Cancelling ctx ends the stream too.
func (c *Client) Stream(ctx context.Context, sql string, args ...any) (*Rows, error) {
	return c.stream(ctx, "", sql, args)
}

func (c *Client) stream(ctx context.Context, txID, sql string, args []any) (*Rows, error) {
	r, err := c.request(txID, sql, args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	call, err := c.stub.StreamQuery(c.ctx(ctx), r.query())
	if err != nil {
		cancel()
		return nil, fromRPC(err)
	}
	rows := &Rows{call: call, cancel: cancel}
	// Read up to the first header so that bad SQL fails here.
	if !rows.advance(true) && rows.err != nil {
		err := rows.err
		rows.Close()
		return nil, err
	}
	return rows, nil
}

// TxOptions are a transaction's settings; the zero value uses the server's.
type TxOptions struct {
	Isolation pb.IsolationLevel // e.g. pb.IsolationLevel_ISOLATION_LEVEL_READ_COMMITTED
	ReadOnly  bool
}

// Begin starts a transaction pinned to one backend connection. End it with
// Commit or Rollback (Rollback after Commit is a no-op, so `defer
// tx.Rollback(ctx)` is safe).
func (c *Client) Begin(ctx context.Context, opts *TxOptions) (*Tx, error) {
	req := &pb.BeginTransactionRequest{Database: c.database}
	if opts != nil {
		req.Isolation, req.ReadOnly = opts.Isolation, opts.ReadOnly
	}
	resp, err := c.stub.BeginTransaction(c.ctx(ctx), req)
	if err != nil {
		return nil, fromRPC(err)
	}
	return &Tx{c: c, id: resp.TransactionId}, nil
}

// Tx is a gateway transaction. Its calls must not overlap: read a Stream to
// its end (or Close it, which then reads the rest and drops it) before the
// next call. Cancelling a transaction's stream, through its context, kills
// the statement, and the gateway then discards the transaction.
type Tx struct {
	c     *Client
	id    string
	ended bool
}

// ID is the gateway's transaction id.
func (t *Tx) ID() string { return t.id }

// ErrTxDone is returned by calls on a transaction after Commit or Rollback.
var ErrTxDone = errors.New("mysqlgw: the transaction has already been committed or rolled back")

func (t *Tx) live() error {
	if t.ended {
		return ErrTxDone
	}
	return nil
}

func (t *Tx) Query(ctx context.Context, sql string, args ...any) (*Result, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	return t.c.query(ctx, t.id, sql, args)
}

func (t *Tx) Execute(ctx context.Context, sql string, args ...any) (Outcome, error) {
	if err := t.live(); err != nil {
		return Outcome{}, err
	}
	return t.c.execute(ctx, t.id, sql, args)
}

func (t *Tx) Stream(ctx context.Context, sql string, args ...any) (*Rows, error) {
	if err := t.live(); err != nil {
		return nil, err
	}
	rows, err := t.c.stream(ctx, t.id, sql, args)
	if rows != nil {
		rows.drainOnClose = true
	}
	return rows, err
}

// Commit commits. If it fails, the gateway has rolled back or will roll
// back on its idle timeout; the transaction has ended either way.
func (t *Tx) Commit(ctx context.Context) error {
	if err := t.live(); err != nil {
		return err
	}
	t.ended = true
	_, err := t.c.stub.Commit(t.c.ctx(ctx), &pb.CommitRequest{TransactionId: t.id})
	if err != nil {
		// Best effort: free the pinned connection now rather than at the idle timeout.
		t.c.stub.Rollback(t.c.ctx(ctx), &pb.RollbackRequest{TransactionId: t.id})
	}
	return fromRPC(err)
}

// Rollback rolls back; after Commit or Rollback it does nothing.
func (t *Tx) Rollback(ctx context.Context) error {
	if t.ended {
		return nil
	}
	t.ended = true
	_, err := t.c.stub.Rollback(t.c.ctx(ctx), &pb.RollbackRequest{TransactionId: t.id})
	return fromRPC(err)
}
