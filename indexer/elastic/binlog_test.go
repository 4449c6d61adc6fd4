package elastic_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
	"classmate/indexer/binlog"
	"classmate/indexer/elastic"
	"classmate/internal/dbtest"
)

// run starts a streamer from db into x and waits until it is ready; the
// returned function stops it.
func run(t *testing.T, db *dbtest.DB, x *elastic.Index) func() {
	t.Helper()
	st, err := binlog.New(binlog.Config{DSN: db.DSN, Log: slog.New(slog.DiscardHandler), FlushInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx, x, x) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			assert.NoError(t, <-done)
			st.Close()
		}
	}
	t.Cleanup(stop)
	for deadline := time.Now().Add(30 * time.Second); !st.Ready(); time.Sleep(10 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "streamer not ready")
	}
	return stop
}

func exec(t *testing.T, db *dbtest.DB, q string, args ...any) {
	t.Helper()
	_, err := db.Exec(q, args...)
	require.NoError(t, err, q)
}

func insert(t *testing.T, db *dbtest.DB, id int64, title string) {
	t.Helper()
	exec(t, db, `INSERT INTO courses (id, code, title, professor, department, credits, capacity, schedule, room)
		VALUES (?, ?, ?, '김교수', '컴퓨터공학과', 3, 40, '[{"day":"TUE","start":"09:00","end":"10:15"}]', '공학관 101')`,
		id, fmt.Sprintf("TST%04d-01", id), title)
}

func update(t *testing.T, db *dbtest.DB, id int64, title string) {
	t.Helper()
	exec(t, db, "UPDATE courses SET title = ?, version = version + 1 WHERE id = ?", title, id)
}

// mysqlVersions returns every row's version.
func mysqlVersions(t *testing.T, db *dbtest.DB) map[int64]int64 {
	t.Helper()
	rows, err := db.Query("SELECT id, version FROM courses")
	require.NoError(t, err)
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, v int64
		require.NoError(t, rows.Scan(&id, &v))
		out[id] = v
	}
	return out
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "%s: not within %v", what, within)
	}
}

// TestBinlogIntoElastic: the change data capture keeps Elasticsearch equal
// to MySQL: changes are searchable within 2 s (the index refreshes every
// second, and a flush waits for the refresh), and a restart from an older
// checkpoint (as after a crash between flush and checkpoint) replays old
// versions without regressing any document or reviving a deleted one.
func TestBinlogIntoElastic(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	x := newIndex(t, "", 0)
	for id := int64(1); id <= 5; id++ {
		insert(t, db, id, fmt.Sprintf("과목%d", id))
	}
	stop := run(t, db, x)
	require.NoError(t, x.Publish(context.Background()))
	start, ok, err := x.LoadCheckpoint(context.Background())
	require.NoError(t, err)
	require.True(t, ok)

	insert(t, db, 6, "자료구조")
	eventually(t, 2*time.Second, "insert", func() bool { return len(titles(t, x, "자료구조")) == 1 })
	update(t, db, 6, "운영체제")
	eventually(t, 2*time.Second, "update", func() bool {
		return len(titles(t, x, "운영체제")) == 1 && len(titles(t, x, "자료구조")) == 0
	})
	exec(t, db, "DELETE FROM courses WHERE id = 6")
	eventually(t, 2*time.Second, "delete", func() bool { return len(titles(t, x, "운영체제")) == 0 })
	for round := 0; round < 3; round++ {
		update(t, db, 1, fmt.Sprintf("개편%d", round))
	}
	exec(t, db, "DELETE FROM courses WHERE id = 2")
	eventually(t, 5*time.Second, "converged", func() bool {
		vs, err := x.Versions(context.Background())
		return err == nil && fmt.Sprint(vs) == fmt.Sprint(mysqlVersions(t, db))
	})
	stop()

	// Restart from the snapshot's checkpoint: everything since replays.
	require.NoError(t, x.SaveCheckpoint(context.Background(), start))
	update(t, db, 3, "휴강중개편")
	run(t, db, x)
	update(t, db, 4, "표지")
	eventually(t, 5*time.Second, "replayed", func() bool {
		vs, err := x.Versions(context.Background())
		return err == nil && fmt.Sprint(vs) == fmt.Sprint(mysqlVersions(t, db)) && len(titles(t, x, "표지")) == 1
	})
	assert.Equal(t, []string{"개편2"}, titles(t, x, "개편2"))
	p, err := x.Search(context.Background(), indexer.Query{Q: "과목2"})
	require.NoError(t, err)
	assert.Empty(t, p.Docs, "deleted course 2 stays deleted")
}
