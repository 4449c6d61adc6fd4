package binlog_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/indexer"
	"classmate/indexer/binlog"
	cmbleve "classmate/indexer/bleve"
	"classmate/internal/dbtest"
)

// env is a test database and an embedded index in a temporary directory.
type env struct {
	t   *testing.T
	db  *dbtest.DB
	dir string
	idx *cmbleve.Index
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, db: dbtest.MustOpenDB(t), dir: t.TempDir()}
	e.open()
	t.Cleanup(func() { e.idx.Close() })
	return e
}

// open (re)opens the index.
func (e *env) open() {
	idx, err := cmbleve.Open(e.dir, "")
	require.NoError(e.t, err)
	e.idx = idx
}

func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

// runner is a streamer running in the background.
type runner struct {
	st     *binlog.Streamer
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// stop stops the streamer and returns Run's error.
func (r *runner) stop() error {
	r.once.Do(func() {
		r.cancel()
		r.err = <-r.done
		r.st.Close()
	})
	return r.err
}

// exited waits up to within for Run to return by itself.
func (r *runner) exited(within time.Duration) (error, bool) {
	select {
	case err := <-r.done:
		r.once.Do(func() { r.err = err; r.cancel(); r.st.Close() })
		return err, true
	case <-time.After(within):
		return nil, false
	}
}

// run starts a streamer on sink and cps and waits until it is ready.
func (e *env) run(sink indexer.Sink, cps indexer.CheckpointStore) *runner {
	e.t.Helper()
	st, err := binlog.New(binlog.Config{DSN: e.db.DSN, Log: testLog(e.t), FlushInterval: 20 * time.Millisecond})
	require.NoError(e.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &runner{st: st, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- st.Run(ctx, sink, cps) }()
	e.t.Cleanup(func() { r.stop() })
	deadline := time.Now().Add(15 * time.Second)
	for !st.Ready() {
		if err, ok := r.exited(0); ok {
			e.t.Fatalf("streamer stopped before it was ready: %v", err)
		}
		require.True(e.t, time.Now().Before(deadline), "streamer not ready after 15 s")
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

// insert adds a course with the given id and title.
func (e *env) insert(id int64, title string) {
	e.t.Helper()
	_, err := e.db.Exec(`INSERT INTO courses (id, code, title, professor, department, credits, capacity, schedule, room, updated_at)
		VALUES (?, ?, ?, '김교수', '컴퓨터공학과', 3, 40, '[{"day":"MON","start":"09:00","end":"10:15"}]', '공학관 101', UTC_TIMESTAMP(6))`,
		id, fmt.Sprintf("TST%04d-01", id), title)
	require.NoError(e.t, err)
}

// update renames a course, bumping its version as the core does.
func (e *env) update(id int64, title string) {
	e.t.Helper()
	_, err := e.db.Exec("UPDATE courses SET title = ?, enrolled = LEAST(enrolled + 1, capacity), version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ?", title, id)
	require.NoError(e.t, err)
}

// seat takes a seat of a course: a change no search matches on.
func (e *env) seat(id int64) {
	e.t.Helper()
	_, err := e.db.Exec("UPDATE courses SET enrolled = enrolled + 1, version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ?", id)
	require.NoError(e.t, err)
}

func (e *env) delete(id int64) {
	e.t.Helper()
	_, err := e.db.Exec("DELETE FROM courses WHERE id = ?", id)
	require.NoError(e.t, err)
}

// mysqlDocs returns the document of every row, as the snapshot reads it.
func mysqlDocs(t testing.TB, db *sql.DB) map[int64]indexer.Document {
	t.Helper()
	rows, err := db.Query("SELECT id, code, title, professor, department, credits, capacity, enrolled, schedule, room, version FROM courses")
	require.NoError(t, err)
	defer rows.Close()
	out := map[int64]indexer.Document{}
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		r := indexer.Row{}
		for i, c := range cols {
			r[c] = string(vals[i])
		}
		d, err := indexer.DocumentFromRow(r)
		require.NoError(t, err)
		out[d.ID] = d
	}
	require.NoError(t, rows.Err())
	return out
}

// indexDocs returns every live document of the index.
func indexDocs(t testing.TB, idx *cmbleve.Index) map[int64]indexer.Document {
	t.Helper()
	vs, err := idx.Versions(context.Background())
	require.NoError(t, err)
	out := map[int64]indexer.Document{}
	for id := range vs {
		d, ok := idx.Document(id)
		require.True(t, ok)
		out[id] = d
	}
	return out
}

// diff describes how the index differs from MySQL, "" when it does not.
func diff(want, got map[int64]indexer.Document) string {
	var out []string
	for id, w := range want {
		g, ok := got[id]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("course %d missing", id))
		case fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w):
			out = append(out, fmt.Sprintf("course %d: index %+v, mysql %+v", id, g, w))
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			out = append(out, fmt.Sprintf("course %d deleted in mysql but in the index", id))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// converge waits until the index equals MySQL document for document.
func (e *env) converge(within time.Duration) {
	e.t.Helper()
	var d string
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if d = diff(mysqlDocs(e.t, e.db.DB), indexDocs(e.t, e.idx)); d == "" {
			return
		}
	}
	e.t.Fatalf("index != mysql after %v:\n%s", within, d)
}

// eventually waits up to within for cond.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within %v", what, within)
}
