package bleve_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
)

func doc(id, version int64, title string) indexer.Document {
	d := indexer.Document{ID: id, Code: fmt.Sprintf("TST%04d-01", id), Title: title, Professor: "김교수",
		Department: "컴퓨터공학과", Credits: 3, Capacity: 40, Remaining: 40, Room: "공학관 101", Version: version,
		Schedule: []indexer.Slot{{Day: "MON", Start: "09:00", End: "10:15"}}}
	d.Derive()
	return d
}

func titles(t *testing.T, x *cmbleve.Index, q string) []string {
	t.Helper()
	p, err := x.Search(context.Background(), indexer.Query{Q: q})
	require.NoError(t, err)
	var out []string
	for _, d := range p.Docs {
		out = append(out, d.Title)
	}
	return out
}

// TestVersions: a change applies only over a lower rank; tombstones keep
// deleted rows deleted against late replays, across a reopen; the
// checkpoint is stored with the documents.
func TestVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	x, err := cmbleve.Open(dir, "src")
	require.NoError(t, err)
	write := func(cs ...indexer.Change) {
		t.Helper()
		require.NoError(t, x.Write(ctx, cs))
		require.NoError(t, x.Flush(ctx))
	}
	now := time.Now()

	write(indexer.Upsert(doc(1, 3, "자료구조"), now), indexer.Upsert(doc(1, 2, "옛자료구조"), now))
	assert.Equal(t, []string{"자료구조"}, titles(t, x, "자료구조"), "an older version arriving later is dropped")
	write(indexer.Upsert(doc(1, 2, "옛자료구조"), now))
	assert.Empty(t, titles(t, x, "옛자료구조"))

	write(indexer.Delete(1, 3, now))
	assert.Empty(t, titles(t, x, "자료구조"), "deleted")
	write(indexer.Upsert(doc(1, 3, "자료구조"), now), indexer.Upsert(doc(1, 1, "자료구조"), now))
	assert.Empty(t, titles(t, x, "자료구조"), "a replay of the deleted row stays deleted")

	write(indexer.Upsert(doc(2, 1, "운영체제"), now))
	cp := indexer.Checkpoint{Source: "src", GTID: "0-1-42", File: "mariadb-bin.000001", Pos: 42}
	require.NoError(t, x.Write(ctx, []indexer.Change{indexer.Upsert(doc(2, 2, "운영체제론"), now)}))
	require.NoError(t, x.Commit(ctx, cp))
	require.NoError(t, x.Close())

	x, err = cmbleve.Open(dir, "src")
	require.NoError(t, err)
	defer x.Close()
	got, ok, err := x.LoadCheckpoint(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, cp.GTID, got.GTID)
	assert.Equal(t, []string{"운영체제론"}, titles(t, x, "운영체제"), "committed with the checkpoint")
	write(indexer.Upsert(doc(1, 3, "자료구조"), now), indexer.Upsert(doc(2, 1, "운영체제"), now))
	assert.Empty(t, titles(t, x, "자료구조"), "the tombstone survived the reopen")
	assert.Equal(t, []string{"운영체제론"}, titles(t, x, "운영체제"))
	vs, err := x.Versions(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int64{2: 2}, vs)
}

// TestOtherSource: an index built from another source is rebuilt.
func TestOtherSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	x, err := cmbleve.Open(dir, "a")
	require.NoError(t, err)
	require.NoError(t, x.Write(ctx, []indexer.Change{indexer.Upsert(doc(1, 9, "자료구조"), time.Now())}))
	require.NoError(t, x.Commit(ctx, indexer.Checkpoint{Source: "a"}))
	require.NoError(t, x.Close())

	x, err = cmbleve.Open(dir, "b")
	require.NoError(t, err)
	defer x.Close()
	_, ok, err := x.LoadCheckpoint(ctx)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, titles(t, x, "자료구조"))
}

// TestSearchWhileWriting: searches run concurrently with writes (-race).
func TestSearchWhileWriting(t *testing.T) {
	t.Parallel()
	x := openCatalogue(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p, err := x.Search(ctx, indexer.Query{Q: "자료"})
				if err == nil && len(p.Docs) == 0 {
					t.Error("no hits while writing")
				}
			}
		}()
	}
	for v := int64(2); ctx.Err() == nil; v++ {
		d := catalogue()[0]
		d.Version, d.Remaining = v, int(v%40)
		require.NoError(t, x.Write(ctx, []indexer.Change{indexer.Upsert(d, time.Now())}))
		require.NoError(t, x.Flush(ctx))
	}
	wg.Wait()
}

// TestSeatsOnly: a change of seats alone skips re-analysis but is
// searchable, durable across a reopen, and ordered like any change.
func TestSeatsOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	x, err := cmbleve.Open(dir, "")
	require.NoError(t, err)
	seats := func(version int64, remaining int) indexer.Change {
		d := doc(1, version, "자료구조")
		d.Remaining = remaining
		return indexer.Upsert(d, time.Now())
	}
	remaining := func() int {
		t.Helper()
		p, err := x.Search(ctx, indexer.Query{Q: "자료구조"})
		require.NoError(t, err)
		require.Len(t, p.Docs, 1)
		return p.Docs[0].Remaining
	}
	require.NoError(t, x.Write(ctx, []indexer.Change{seats(1, 40)}))
	require.NoError(t, x.Commit(ctx, indexer.Checkpoint{Source: "s"}))
	require.NoError(t, x.Write(ctx, []indexer.Change{seats(2, 39), seats(3, 38)}))
	require.NoError(t, x.Commit(ctx, indexer.Checkpoint{Source: "s"}))
	assert.Equal(t, 38, remaining())
	require.NoError(t, x.Write(ctx, []indexer.Change{seats(2, 39)}))
	require.NoError(t, x.Flush(ctx))
	assert.Equal(t, 38, remaining(), "a replay does not regress the seats")
	require.NoError(t, x.Close())

	x, err = cmbleve.Open(dir, "")
	require.NoError(t, err)
	defer x.Close()
	assert.Equal(t, 38, remaining(), "the overlay survived the reopen")
	d, _ := x.Document(1)
	assert.Equal(t, int64(3), d.Version)

	renamed := doc(1, 4, "자료구조론")
	renamed.Remaining = 30
	require.NoError(t, x.Write(ctx, []indexer.Change{indexer.Upsert(renamed, time.Now())}))
	require.NoError(t, x.Flush(ctx))
	p, err := x.Search(ctx, indexer.Query{Q: "자료구조론"})
	require.NoError(t, err)
	require.Len(t, p.Docs, 1)
	assert.Equal(t, 30, p.Docs[0].Remaining)
}
