package binlog_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
)

// freshness is how soon a committed change must be searchable.
const freshness = 2 * time.Second

// TestChanges: inserts, updates and deletes in MariaDB each reach the
// embedded index, searchable, within two seconds.
func TestChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.insert(1, "자료구조")
	e.run(e.idx, e.idx) // the snapshot holds course 1

	search := func(q string) []int64 {
		p, err := e.idx.Search(context.Background(), indexer.Query{Q: q})
		require.NoError(t, err)
		var ids []int64
		for _, d := range p.Docs {
			ids = append(ids, d.ID)
		}
		return ids
	}
	require.Equal(t, []int64{1}, search("자료구조"), "snapshot")

	e.insert(2, "운영체제")
	eventually(t, freshness, "insert", func() bool { return len(search("운영체제")) == 1 })

	e.update(2, "컴퓨터네트워크")
	eventually(t, freshness, "update", func() bool {
		d, ok := e.idx.Document(2)
		return ok && d.Title == "컴퓨터네트워크" && d.Version == 2 && len(search("네트워크")) == 1
	})
	assert.Empty(t, search("운영체제"), "the old title is gone")
	d, _ := e.idx.Document(2)
	assert.Equal(t, 39, d.Remaining, "remaining follows enrolled")

	e.delete(2)
	eventually(t, freshness, "delete", func() bool { return len(search("네트워크")) == 0 })
	_, ok := e.idx.Document(2)
	assert.False(t, ok)
	e.converge(freshness)
}

// savepointSink is the bleve index without its atomic Commit, so the
// streamer flushes and then saves the checkpoint in a second step, and the
// test can fail that step: a crash between flush and checkpoint.
type savepointSink struct {
	idx   *cmbleve.Index
	fail  atomic.Bool // fail checkpoints that follow written changes
	wrote atomic.Bool
}

func (s *savepointSink) Write(ctx context.Context, c []indexer.Change) error {
	if len(c) > 0 {
		s.wrote.Store(true)
	}
	return s.idx.Write(ctx, c)
}
func (s *savepointSink) Flush(ctx context.Context) error { return s.idx.Flush(ctx) }
func (s *savepointSink) Versions(ctx context.Context) (map[int64]int64, error) {
	return s.idx.Versions(ctx)
}
func (s *savepointSink) LoadCheckpoint(ctx context.Context) (indexer.Checkpoint, bool, error) {
	return s.idx.LoadCheckpoint(ctx)
}

var errCrash = errors.New("crash before the checkpoint")

func (s *savepointSink) SaveCheckpoint(ctx context.Context, cp indexer.Checkpoint) error {
	if s.fail.Load() && s.wrote.Load() {
		return errCrash
	}
	s.wrote.Store(false)
	return s.idx.SaveCheckpoint(ctx, cp)
}

// TestCrashBetweenFlushAndCheckpoint: changes flushed to the index whose
// checkpoint was never saved are replayed after a restart, and the index
// ends equal to MySQL, document for document.
func TestCrashBetweenFlushAndCheckpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for id := int64(1); id <= 20; id++ {
		e.insert(id, fmt.Sprintf("과목%d", id))
	}
	sink := &savepointSink{idx: e.idx}
	r := e.run(sink, sink)
	e.converge(freshness)

	sink.fail.Store(true)
	for id := int64(1); id <= 10; id++ {
		e.update(id, fmt.Sprintf("개편과목%d", id))
	}
	e.delete(11)
	e.insert(21, "새과목")
	err, ok := r.exited(5 * time.Second)
	require.True(t, ok, "the streamer did not stop at the failed checkpoint")
	require.ErrorIs(t, err, errCrash)
	// The flush reached the index; the checkpoint did not.
	d, _ := e.idx.Document(1)
	require.Equal(t, "개편과목1", d.Title, "the first change was flushed before the crash")

	// Changes while the indexer is down.
	e.update(12, "휴강중개편")
	e.seat(14)
	e.delete(13)
	e.insert(22, "추가과목")

	require.NoError(t, e.idx.Close())
	e.open()
	e.run(e.idx, e.idx)
	e.converge(5 * time.Second)
}

// watchSink checks, after every commit, that no document went back to an
// older version and that no deleted course came back.
type watchSink struct {
	*cmbleve.Index
	deleted map[int64]bool
	mu      sync.Mutex
	seen    map[int64]int64
	errs    []string
	stale   int // replayed changes older than the index
}

func (w *watchSink) Write(ctx context.Context, changes []indexer.Change) error {
	w.mu.Lock()
	for _, c := range changes {
		if c.Version < w.seen[c.ID] || w.deleted[c.ID] {
			w.stale++
		}
	}
	w.mu.Unlock()
	return w.Index.Write(ctx, changes)
}

func (w *watchSink) Commit(ctx context.Context, cp indexer.Checkpoint) error {
	if err := w.Index.Commit(ctx, cp); err != nil {
		return err
	}
	vs, _ := w.Versions(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, v := range vs {
		if v < w.seen[id] {
			w.errs = append(w.errs, fmt.Sprintf("course %d regressed from version %d to %d", id, w.seen[id], v))
		}
		if w.deleted[id] {
			w.errs = append(w.errs, fmt.Sprintf("deleted course %d came back at version %d", id, v))
		}
		w.seen[id] = max(w.seen[id], v)
	}
	return nil
}

// TestReplayFromOlderCheckpoint: resuming from a checkpoint older than the
// index replays old row versions and deletes; none of them regresses a
// document, and deleted courses stay deleted.
func TestReplayFromOlderCheckpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for id := int64(1); id <= 10; id++ {
		e.insert(id, fmt.Sprintf("과목%d", id))
	}
	r := e.run(e.idx, e.idx)
	old, _, err := e.idx.LoadCheckpoint(context.Background())
	require.NoError(t, err)
	for round := 1; round <= 3; round++ {
		for id := int64(1); id <= 6; id++ {
			e.update(id, fmt.Sprintf("과목%d-%d판", id, round))
		}
	}
	for range 3 {
		e.seat(10)
		e.seat(6)
	}
	e.delete(7)
	e.delete(8)
	e.converge(freshness)
	require.NoError(t, r.stop())

	// Rewind the checkpoint and replay everything since.
	require.NoError(t, e.idx.SaveCheckpoint(context.Background(), old))
	w := &watchSink{Index: e.idx, deleted: map[int64]bool{7: true, 8: true}, seen: map[int64]int64{}}
	vs, _ := e.idx.Versions(context.Background())
	for id, v := range vs {
		w.seen[id] = v
	}
	e.run(w, w)
	e.update(9, "표지") // a marker after the replayed range
	eventually(t, freshness, "marker", func() bool { d, _ := e.idx.Document(9); return d.Title == "표지" })
	e.converge(freshness)
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Empty(t, w.errs)
	assert.Greater(t, w.stale, 10, "the old changes were replayed")
}
