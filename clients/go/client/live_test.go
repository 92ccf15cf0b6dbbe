package mysqlgw

// Live tests: the client against the real gateway binary and a sandbox
// MariaDB (scripts/mysql-sandbox), both started by TestMain and stopped at
// the end. run_tests.sh sets MYSQLGW_ROOT (the repository) and
// MYSQLGW_BINARY (the gateway); MYSQLGW_GO_LIVE=0 skips these tests.

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	pb "mysqlgw/v1"

	"google.golang.org/grpc/codes"
)

var live struct {
	target, token, database string
	skip                    string
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func readSandboxEnv(path string) (map[string]string, error) {
	out, err := exec.Command("bash", "-c", `set -a; . "$1"; env`, "bash", path).Output()
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && strings.HasPrefix(k, "MYSQLGW_SANDBOX_") {
			env[strings.TrimPrefix(k, "MYSQLGW_SANDBOX_")] = v
		}
	}
	return env, nil
}

// startLive starts MariaDB and the gateway; the returned func stops both.
func startLive() (func(), error) {
	root, binary := os.Getenv("MYSQLGW_ROOT"), os.Getenv("MYSQLGW_BINARY")
	if root == "" || binary == "" {
		return nil, errors.New("MYSQLGW_ROOT and MYSQLGW_BINARY must be set (use run_tests.sh)")
	}
	work, err := os.MkdirTemp("", "mysqlgw-golive.")
	if err != nil {
		return nil, err
	}
	var gateway *exec.Cmd
	sandboxDir := filepath.Join(work, "sandbox")
	sandbox := filepath.Join(root, "scripts", "mysql-sandbox")
	stop := func() {
		if gateway != nil && gateway.Process != nil {
			gateway.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { gateway.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				gateway.Process.Kill()
				<-done
			}
		}
		exec.Command(sandbox, "stop", "--dir", sandboxDir).Run()
		os.RemoveAll(work)
	}
	start := exec.Command(sandbox, "start", "--dir", sandboxDir, "--no-state",
		"--watch-pid", strconv.Itoa(os.Getpid()))
	start.Stderr = os.Stderr
	if err := start.Run(); err != nil {
		stop()
		return nil, fmt.Errorf("mysql-sandbox start: %w", err)
	}
	env, err := readSandboxEnv(filepath.Join(sandboxDir, "sandbox.env"))
	if err != nil {
		stop()
		return nil, err
	}
	live.token = "go-client-test-" + randomHex(16)
	live.database = env["DATABASE"]
	sum := sha256.Sum256([]byte(live.token))
	config := filepath.Join(work, "gateway.yaml")
	err = os.WriteFile(config, []byte(fmt.Sprintf(`io_threads: 2
limits:
  stream_chunk_bytes: 65536
auth:
  principals:
    - name: go-tests
      token_sha256: ["%s"]
      databases: ["*"]
      operations: [read, write, ddl, binlog, admin]
`, hex.EncodeToString(sum[:]))), 0o600)
	if err != nil {
		stop()
		return nil, err
	}
	portFile := filepath.Join(work, "gateway.port")
	logPath := filepath.Join(work, "gateway.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		stop()
		return nil, err
	}
	defer logFile.Close()
	gateway = exec.Command(binary, "--config="+config,
		fmt.Sprintf("--backend_dsn=mysql://%s@%s:%s/%s?ssl-mode=disabled", env["USER"],
			env["HOST"], env["PORT"], env["DATABASE"]),
		"--backend_password_env=MYSQLGW_GOTEST_BACKEND_PASSWORD", "--listen=127.0.0.1:0",
		"--port_file="+portFile)
	gateway.Env = append(os.Environ(), "MYSQLGW_GOTEST_BACKEND_PASSWORD="+env["PASSWORD"])
	gateway.Stdout, gateway.Stderr = logFile, logFile
	if err := gateway.Start(); err != nil {
		stop()
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- gateway.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			gateway = nil
			text, _ := os.ReadFile(logPath)
			stop()
			return nil, fmt.Errorf("the gateway exited (%v):\n%s", err, text)
		default:
		}
		if text, err := os.ReadFile(portFile); err == nil && strings.HasSuffix(string(text), "\n") {
			live.target = "127.0.0.1:" + strings.TrimSpace(string(text))
			// Wait() now belongs to the goroutine above.
			proc := gateway.Process
			gateway = nil
			return func() {
				proc.Signal(syscall.SIGTERM)
				select {
				case <-exited:
				case <-time.After(30 * time.Second):
					proc.Kill()
					<-exited
				}
				stop()
			}, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, errors.New("the gateway did not start within 60 s")
}

func TestMain(m *testing.M) {
	if os.Getenv("MYSQLGW_GO_LIVE") == "0" {
		live.skip = "MYSQLGW_GO_LIVE=0"
		os.Exit(m.Run())
	}
	stop, err := startLive()
	if err != nil {
		fmt.Fprintln(os.Stderr, "live_test: cannot start the gateway:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func liveClient(t *testing.T, opts ...Option) *Client {
	t.Helper()
	if live.skip != "" {
		t.Skip(live.skip)
	}
	c, err := Dial(live.target, append([]Option{WithToken(live.token)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func table(t *testing.T, c *Client, definition string) string {
	t.Helper()
	name := "go_" + randomHex(6)
	if _, err := c.Execute(ctx(t), "CREATE TABLE "+name+" ("+definition+")"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Execute(context.Background(), "DROP TABLE IF EXISTS "+name) })
	return name
}

func count(t *testing.T, c *Client, name string) int64 {
	t.Helper()
	res, err := c.Query(ctx(t), "SELECT COUNT(*) FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(int64)
}

func TestLiveQueryAndExecute(t *testing.T) {
	c := liveClient(t)
	name := table(t, c, "id INT AUTO_INCREMENT PRIMARY KEY, ubi BIGINT UNSIGNED, dec6 DECIMAL(20,6), "+
		"txt VARCHAR(20), bin VARBINARY(8), d DATE, dt DATETIME(6), tm TIME(6), y YEAR")
	at := DateTime{2024, 2, 29, 13, 14, 15, 123456}
	tm := -(838*time.Hour + 59*time.Minute + 59*time.Second)
	out, err := c.Execute(ctx(t), "INSERT INTO "+name+" (ubi, dec6, txt, bin, d, dt, tm, y) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?)", uint64(1<<64-1), Decimal("-0.000001"), "héllo",
		[]byte{0, 0xff}, Date{0, 0, 0}, at, tm, 2024)
	if err != nil {
		t.Fatal(err)
	}
	if out.AffectedRows != 1 || out.LastInsertID != 1 {
		t.Errorf("outcome %+v", out)
	}
	if _, err := c.Execute(ctx(t), "INSERT INTO "+name+" (txt) VALUES (:t)", Named("t", "two")); err != nil {
		t.Fatal(err)
	}
	res, err := c.Query(ctx(t), "SELECT ubi, dec6, txt, bin, d, dt, tm, y FROM "+name+
		" WHERE id = ?", 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{uint64(1<<64 - 1), Decimal("-0.000001"), "héllo", []byte{0, 0xff},
		Date{0, 0, 0}, at, tm, uint64(2024)}
	if len(res.Rows) != 1 || fmt.Sprintf("%#v", res.Rows[0]) != fmt.Sprintf("%#v", want) {
		t.Errorf("row %#v, want %#v", res.Rows, want)
	}
	if res.Columns[0].Name != "ubi" || !res.Columns[0].Unsigned || res.Columns[0].TypeName != "BIGINT UNSIGNED" ||
		!res.Columns[3].Binary || res.Columns[0].Type != pb.ColumnType_COLUMN_TYPE_LONGLONG {
		t.Errorf("columns %+v", res.Columns)
	}
	res, err = c.Query(ctx(t), "SELECT txt, bin IS NULL FROM "+name+" WHERE txt = :t", Named("t", "two"))
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "two" || res.Rows[0][1] != int64(1) {
		t.Errorf("named: %v %v", res, err)
	}
	out, err = c.Execute(ctx(t), "UPDATE "+name+" SET y = 2000")
	if err != nil || out.AffectedRows != 2 || !strings.Contains(out.Info, "Rows matched: 2") {
		t.Errorf("update: %+v %v", out, err)
	}
}

func TestLiveStream(t *testing.T) {
	c := liveClient(t)
	rows, err := c.Stream(ctx(t), "SELECT seq, REPEAT('x', 20) FROM seq_1_to_200000")
	if err != nil {
		t.Fatal(err)
	}
	var n, sum uint64
	largest := 0
	for rows.Next() {
		n++
		sum += rows.Values()[0].(uint64)
		if len(rows.chunk) > largest {
			largest = len(rows.chunk)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 200000 || sum != 200000*200001/2 || rows.RowCounts[0] != 200000 {
		t.Errorf("n=%d sum=%d counts=%v", n, sum, rows.RowCounts)
	}
	if largest >= 10000 {
		t.Errorf("a chunk held %d rows: not streamed", largest)
	}
	if rows.Columns()[0].Name != "seq" {
		t.Errorf("columns %+v", rows.Columns())
	}

	// Closed early: the statement is killed and the gateway stays usable.
	rows, err = c.Stream(ctx(t), "SELECT seq FROM seq_1_to_50000000")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3 && rows.Next(); i++ {
	}
	if err := rows.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if rows.Next() {
		t.Error("Next after Close")
	}
	if res, err := c.Query(ctx(t), "SELECT 1"); err != nil || res.Rows[0][0] != int64(1) {
		t.Errorf("after close: %v %v", res, err)
	}

	// Errors in the SQL come from Stream itself.
	_, err = c.Stream(ctx(t), "SELECT * FROM go_no_such_table")
	var e *Error
	if !errors.As(err, &e) || e.Errno != 1146 || !errors.Is(err, ErrProgramming) {
		t.Errorf("stream error: %v", err)
	}
}

func TestLiveTransactions(t *testing.T) {
	c := liveClient(t)
	name := table(t, c, "id INT PRIMARY KEY")
	tx, err := c.Begin(ctx(t), &TxOptions{Isolation: pb.IsolationLevel_ISOLATION_LEVEL_READ_COMMITTED})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx(t))
	for i := 1; i <= 3; i++ {
		if _, err := tx.Execute(ctx(t), "INSERT INTO "+name+" VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := tx.Query(ctx(t), "SELECT COUNT(*) FROM "+name); err != nil || res.Rows[0][0] != int64(3) {
		t.Errorf("inside: %v %v", res, err)
	}
	if got := count(t, c, name); got != 0 {
		t.Errorf("visible before commit: %d", got)
	}
	// A stream closed early inside the transaction leaves it usable.
	rows, err := tx.Stream(ctx(t), "SELECT seq FROM seq_1_to_100000")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Execute(ctx(t), "INSERT INTO "+name+" VALUES (4)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c, name); got != 4 {
		t.Errorf("after commit: %d", got)
	}
	if _, err := tx.Execute(ctx(t), "INSERT INTO "+name+" VALUES (5)"); !errors.Is(err, ErrTxDone) {
		t.Errorf("after commit: %v", err)
	}

	tx, err = c.Begin(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Execute(ctx(t), "INSERT INTO "+name+" VALUES (6)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx(t)); err != nil {
		t.Errorf("second rollback: %v", err)
	}
	if got := count(t, c, name); got != 4 {
		t.Errorf("after rollback: %d", got)
	}
}

func TestLiveErrors(t *testing.T) {
	c := liveClient(t)
	name := table(t, c, "id INT PRIMARY KEY, s VARCHAR(2)")
	if _, err := c.Execute(ctx(t), "INSERT INTO "+name+" VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sql   string
		kind  Kind
		errno uint32
		code  codes.Code
	}{
		{"INSERT INTO " + name + " VALUES (1, 'b')", ErrIntegrity, 1062, codes.AlreadyExists},
		{"SELECT 1 +", ErrProgramming, 1064, codes.InvalidArgument},
		{"SELECT * FROM go_no_such_table", ErrProgramming, 1146, codes.NotFound},
		{"INSERT INTO " + name + " VALUES (2, 'too long')", ErrData, 1406, codes.InvalidArgument},
	}
	for _, tc := range cases {
		_, err := c.Execute(ctx(t), tc.sql)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tc.kind) || e.Errno != tc.errno || e.Code != tc.code {
			t.Errorf("%s: %v (%#v)", tc.sql, err, e)
		}
	}
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Query(short, "SELECT SLEEP(5)"); !errors.Is(err, ErrOperational) {
		t.Errorf("deadline: %v", err)
	}
	anon := liveClient(t, WithToken("wrong"))
	if _, err := anon.Query(ctx(t), "SELECT 1"); !errors.Is(err, ErrNotAuthorized) {
		t.Errorf("bad token: %v", err)
	}
	if _, err := c.Query(ctx(t), "SELECT ?", struct{}{}); !errors.Is(err, ErrProgramming) {
		t.Errorf("bad parameter: %v", err)
	}
}

// The README's change stream lines, run inside the first example's main
// (after Dial) in place of its body.
func TestLiveReadmeChangesExample(t *testing.T) {
	c := liveClient(t)
	text, err := os.ReadFile(filepath.Join(os.Getenv("MYSQLGW_ROOT"), "clients", "go", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(text), "```go\n")
	if len(blocks) < 3 {
		t.Fatal("no second ```go block in README.md")
	}
	main := strings.SplitN(blocks[1], "```", 2)[0]
	lines := strings.SplitN(blocks[2], "```", 2)[0]
	if n := len(strings.Split(strings.TrimSpace(lines), "\n")); n > 5 {
		t.Errorf("the change stream example has %d lines", n)
	}
	// Keep the example's program up to and including `defer db.Close()`.
	cut := strings.Index(main, "defer db.Close()\n")
	if cut < 0 {
		t.Fatal("the example has no `defer db.Close()`")
	}
	program := main[:cut] + "defer db.Close()\n" + lines + "}\n"
	if _, err := c.Execute(ctx(t), "CREATE TABLE IF NOT EXISTS cdc_demo (id INT PRIMARY KEY, note VARCHAR(100))"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Execute(context.Background(), "DROP TABLE IF EXISTS cdc_demo") })
	if _, err := c.Execute(ctx(t), "INSERT INTO cdc_demo VALUES (1, 'hi'), (2, 'there')"); err != nil {
		t.Fatal(err)
	}
	out := runProgram(t, program)
	for _, want := range []string{"mysqlgw.RowChange {" + live.database + " cdc_demo snapshot map[] map[id:1 note:hi] [id]}",
		"map[id:2 note:there]", "mysqlgw.SnapshotProgress {done", "resume from "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// runProgram builds and runs a main package in a GOPATH of its own (plus the
// client's); it returns the combined output.
func runProgram(t *testing.T, code string) string {
	t.Helper()
	gopath := t.TempDir()
	dir := filepath.Join(gopath, "src", "readme_example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command("go", "run", "readme_example")
	run.Dir = dir
	run.Env = append(os.Environ(), "GOPATH="+gopath+string(os.PathListSeparator)+os.Getenv("GOPATH"),
		"MYSQLGW_TARGET="+live.target, "MYSQLGW_TOKEN="+live.token)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s\n%s", err, out, code)
	}
	return string(out)
}

// The README's example, compiled and run as a program.
func TestLiveReadmeExample(t *testing.T) {
	c := liveClient(t)
	text, err := os.ReadFile(filepath.Join(os.Getenv("MYSQLGW_ROOT"), "clients", "go", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(text), "```go\n", 2)
	if len(parts) != 2 {
		t.Fatal("no ```go block in README.md")
	}
	code := strings.SplitN(parts[1], "```", 2)[0]
	gopath := t.TempDir()
	dir := filepath.Join(gopath, "src", "readme_example")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Execute(context.Background(), "DROP TABLE IF EXISTS greetings") })
	run := exec.Command("go", "run", "readme_example")
	run.Dir = dir
	run.Env = append(os.Environ(), "GOPATH="+gopath+string(os.PathListSeparator)+os.Getenv("GOPATH"),
		"MYSQLGW_TARGET="+live.target, "MYSQLGW_TOKEN="+live.token)
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "1 hello") {
		t.Errorf("output:\n%s", out)
	}
}

// strictReplica applies change events to rows keyed by the primary key
// strictly: a snapshot row or insert of a key it has, or an update or delete
// of a key it lacks, fails the test.
type strictReplica struct {
	t    *testing.T
	rows map[string]map[string]any
}

func keyOf(pk []string, image map[string]any) string {
	key := make([]any, len(pk))
	for i, c := range pk {
		key[i] = image[c]
	}
	return fmt.Sprint(key...)
}

func (r *strictReplica) apply(ev ChangeEvent) {
	r.t.Helper()
	if p, ok := ev.(SnapshotProgress); ok && p.Phase == "table_started" && p.Restarted {
		r.rows = map[string]map[string]any{}
	}
	row, ok := ev.(RowChange)
	if !ok {
		return
	}
	if row.Kind == ChangeUpdate || row.Kind == ChangeDelete {
		k := keyOf(row.PrimaryKey, row.Before)
		if _, ok := r.rows[k]; !ok {
			r.t.Fatalf("%s of a missing row %s", row.Kind, k)
		}
		delete(r.rows, k)
	}
	if row.Kind != ChangeDelete {
		k := keyOf(row.PrimaryKey, row.After)
		if _, ok := r.rows[k]; ok {
			r.t.Fatalf("%s of a present row %s", row.Kind, k)
		}
		r.rows[k] = row.After
	}
}

// contents reads the table through the gateway, keyed like strictReplica.
func contents(t *testing.T, c *Client, name string) map[string]map[string]any {
	t.Helper()
	res, err := c.Query(ctx(t), "SELECT * FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, row := range res.Rows {
		m := map[string]any{}
		for i, col := range res.Columns {
			m[col.Name] = row[i]
		}
		out[fmt.Sprint(row[0])] = m
	}
	return out
}

func snapshotTable(t *testing.T, c *Client, n int) (name, qualified string) {
	t.Helper()
	name = table(t, c, "id INT PRIMARY KEY, v VARCHAR(20), n INT")
	if _, err := c.Execute(ctx(t), fmt.Sprintf("INSERT INTO %s SELECT seq * 10, CONCAT('v', seq), seq "+
		"FROM seq_1_to_%d", name, n)); err != nil {
		t.Fatal(err)
	}
	return name, live.database + "." + name
}

func TestLiveChangesSnapshotThenInsert(t *testing.T) {
	c := liveClient(t)
	const n = 250
	name, qualified := snapshotTable(t, c, n)
	s, err := c.Changes(ctx(t), ChangesOptions{Snapshot: []string{qualified}, IncludeTables: []string{qualified},
		ProgressRows: 100, HeartbeatInterval: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	replica := &strictReplica{t: t, rows: map[string]map[string]any{}}
	var phases []string
	var snapshotIDs []int64
	var changes []RowChange
	var commit Commit
loop:
	for s.Next() {
		replica.apply(s.Event())
		switch ev := s.Event().(type) {
		case SnapshotProgress:
			phases = append(phases, fmt.Sprintf("%s:%d", ev.Phase, ev.Rows))
			if ev.ResumeToken != "" && s.LastResumeToken() != ev.ResumeToken {
				t.Errorf("stored token %q after %+v", s.LastResumeToken(), ev)
			}
			if ev.Phase == "done" {
				if _, err := c.Execute(ctx(t), "INSERT INTO "+name+" VALUES (?, ?, ?)", 5, "new", -1); err != nil {
					t.Fatal(err)
				}
			}
		case RowChange:
			if ev.Kind == ChangeSnapshot {
				snapshotIDs = append(snapshotIDs, ev.After["id"].(int64))
			} else {
				changes = append(changes, ev)
			}
		case Commit:
			if len(changes) > 0 {
				commit = ev
				break loop
			}
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	wantPhases := []string{"started:0", "table_started:0", "chunk:100", "chunk:200", "table_done:250", "done:0"}
	if !reflect.DeepEqual(phases, wantPhases) {
		t.Errorf("phases %v, want %v", phases, wantPhases)
	}
	if len(snapshotIDs) != n || snapshotIDs[0] != 10 || snapshotIDs[n-1] != 10*n {
		t.Errorf("%d snapshot rows, first %v", len(snapshotIDs), snapshotIDs[:1])
	}
	for i := 1; i < len(snapshotIDs); i++ {
		if snapshotIDs[i] != snapshotIDs[i-1]+10 {
			t.Fatalf("snapshot rows out of key order at %d: %v", i, snapshotIDs[i-1:i+1])
		}
	}
	if len(changes) != 1 || changes[0].Kind != ChangeInsert ||
		!reflect.DeepEqual(changes[0].After, map[string]any{"id": int64(5), "v": "new", "n": int64(-1)}) {
		t.Errorf("changes after the snapshot: %+v", changes)
	}
	if s.LastResumeToken() != commit.ResumeToken || commit.ResumeToken == "" {
		t.Errorf("stored token %q, commit %q", s.LastResumeToken(), commit.ResumeToken)
	}
	if got := contents(t, c, name); !reflect.DeepEqual(replica.rows, got) || len(got) != n+1 {
		t.Errorf("replica differs from the table (%d vs %d rows)", len(replica.rows), len(got))
	}
}

func TestLiveChangesSnapshotResumedFromChunkToken(t *testing.T) {
	c := liveClient(t)
	name, qualified := snapshotTable(t, c, 300)
	replica := &strictReplica{t: t, rows: map[string]map[string]any{}}
	s, err := c.Changes(ctx(t), ChangesOptions{Snapshot: []string{qualified}, IncludeTables: []string{qualified},
		ProgressRows: 50})
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	for token == "" && s.Next() {
		replica.apply(s.Event())
		if p, ok := s.Event().(SnapshotProgress); ok && p.Phase == "chunk" && p.Rows == 100 {
			token = s.LastResumeToken()
		}
	}
	s.Close()
	if token == "" || len(replica.rows) != 100 {
		t.Fatalf("token %q with %d rows (%v)", token, len(replica.rows), s.Err())
	}
	for _, sql := range []string{
		"UPDATE " + name + " SET v = 'upd-below' WHERE id = 50", "DELETE FROM " + name + " WHERE id = 70",
		"INSERT INTO " + name + " VALUES (55, 'ins-below', 0)", "UPDATE " + name + " SET v = 'upd-above' WHERE id = 2000",
		"DELETE FROM " + name + " WHERE id = 2500", "INSERT INTO " + name + " VALUES (3005, 'ins-above', 0)",
		"UPDATE " + name + " SET id = 2999 WHERE id = 20", "UPDATE " + name + " SET id = 15 WHERE id = 2800",
	} {
		if _, err := c.Execute(ctx(t), sql); err != nil {
			t.Fatal(err)
		}
	}
	s, err = c.Changes(ctx(t), ChangesOptions{ResumeToken: token, IncludeTables: []string{qualified}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	minCopied := int64(-1)
	done := false
	for !done && s.Next() {
		replica.apply(s.Event())
		switch ev := s.Event().(type) {
		case RowChange:
			if ev.Kind == ChangeSnapshot {
				if id := ev.After["id"].(int64); minCopied < 0 || id < minCopied {
					minCopied = id
				}
			}
		case SnapshotProgress:
			done = ev.Phase == "done"
		}
	}
	if !done {
		t.Fatalf("no done event: %v", s.Err())
	}
	if minCopied <= 1000 {
		t.Errorf("the resumed copy started at key %d, not after 1000", minCopied)
	}
	if got := contents(t, c, name); !reflect.DeepEqual(replica.rows, got) {
		t.Errorf("replica differs from the table:\n%v\n%v", replica.rows, got)
	}
}

func TestLiveChangesStatusWhenTheServerDropsTheStream(t *testing.T) {
	c := liveClient(t)
	name := table(t, c, "id INT PRIMARY KEY, v VARCHAR(20)")
	var seen []StreamStatus
	s, err := c.Changes(ctx(t), ChangesOptions{IncludeTables: []string{live.database + "." + name},
		HeartbeatInterval: 200 * time.Millisecond, StatusEvents: true,
		OnStatus: func(st StreamStatus) { seen = append(seen, st) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !s.Next() {
		t.Fatal(s.Err())
	}
	if _, ok := s.Event().(Heartbeat); !ok {
		t.Fatalf("first event %#v", s.Event())
	}
	res, err := c.Query(ctx(t), "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
	if err != nil || len(res.Rows) == 0 {
		t.Fatalf("dump threads: %v %v", res, err)
	}
	for _, row := range res.Rows {
		var e *Error
		if _, err := c.Execute(ctx(t), fmt.Sprintf("KILL CONNECTION %v", row[0])); err != nil &&
			!(errors.As(err, &e) && e.Errno == 1094) {
			t.Fatal(err)
		}
	}
	var yielded []StreamStatus
	var rows []map[string]any
loop:
	for s.Next() {
		switch ev := s.Event().(type) {
		case StreamStatus:
			yielded = append(yielded, ev)
			if ev.State == "resumed" {
				if _, err := c.Execute(ctx(t), "INSERT INTO "+name+" VALUES (1, 'after')"); err != nil {
					t.Fatal(err)
				}
			}
		case RowChange:
			rows = append(rows, ev.After)
		case Commit:
			if len(rows) > 0 {
				break loop
			}
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(yielded) < 2 || yielded[0].State != "reconnecting" || yielded[0].Message == "" ||
		yielded[0].Attempt != 1 || yielded[len(yielded)-1].State != "resumed" {
		t.Errorf("statuses %+v", yielded)
	}
	if !reflect.DeepEqual(seen, yielded) {
		t.Errorf("OnStatus saw %+v, Next %+v", seen, yielded)
	}
	if !reflect.DeepEqual(rows, []map[string]any{{"id": int64(1), "v": "after"}}) {
		t.Errorf("rows after the outage: %v", rows)
	}
}
