package binlog_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAlterTable: columns added (first, in the middle) and dropped while
// the streamer runs do not shift the decoding of the others, which goes by
// column name.
func TestAlterTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.insert(1, "자료구조")
	e.insert(2, "운영체제")
	e.run(e.idx, e.idx)

	for _, stmt := range []string{
		"ALTER TABLE courses ADD COLUMN note VARCHAR(32) NULL FIRST",
		"ALTER TABLE courses ADD COLUMN extra INT NOT NULL DEFAULT 7 AFTER title",
		"ALTER TABLE courses DROP COLUMN note",
		"ALTER TABLE courses MODIFY COLUMN room VARCHAR(64) NOT NULL AFTER id",
	} {
		_, err := e.db.Exec(stmt)
		require.NoError(t, err, stmt)
		e.update(1, "자료구조 "+stmt[len(stmt)-8:])
		e.insert(e.nextID(), "알고리즘")
		e.converge(freshness)
	}
}

// TestResnapshot: rows that vanish without row events (here deleted with
// the binlog off, then a RENAME TABLE that makes the streamer re-snapshot)
// are deleted from the index; rows changed meanwhile are right.
func TestResnapshot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for id := int64(1); id <= 5; id++ {
		e.insert(id, "과목")
	}
	e.run(e.idx, e.idx)
	e.converge(freshness)

	conn, err := e.db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	for _, stmt := range []string{
		"SET SESSION sql_log_bin = 0",
		"DELETE FROM courses WHERE id = 2",
		"UPDATE courses SET title = '몰래바뀐과목', version = version + 1 WHERE id = 3",
		"SET SESSION sql_log_bin = 1",
		"RENAME TABLE courses TO courses_tmp, courses_tmp TO courses",
	} {
		_, err := conn.ExecContext(t.Context(), stmt)
		require.NoError(t, err, stmt)
	}
	e.converge(5 * time.Second)
	e.update(4, "다시바뀐과목")
	e.converge(freshness)
}

// nextID returns an unused course id.
func (e *env) nextID() int64 {
	e.t.Helper()
	var id int64
	require.NoError(e.t, e.db.QueryRow("SELECT COALESCE(MAX(id), 0) + 1 FROM courses").Scan(&id))
	return id
}

// TestLostPosition: a checkpoint the primary has no binlog for (purged,
// or from another primary) leads to a re-snapshot, not a stuck indexer.
func TestLostPosition(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.insert(1, "과목")
	r := e.run(e.idx, e.idx)
	require.NoError(t, r.stop())
	cp, ok, err := e.idx.LoadCheckpoint(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
	cp.File, cp.Pos = "mariadb-bin.999999", 4 // purged, or never written
	cp.GTID = "0-1-999999999"                 // far ahead of the primary
	require.NoError(t, e.idx.SaveCheckpoint(t.Context(), cp))
	e.delete(1)
	e.insert(2, "새과목")
	e.run(e.idx, e.idx)
	e.converge(5 * time.Second)
}
