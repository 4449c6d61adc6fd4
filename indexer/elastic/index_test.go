package elastic_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core/demo"
	"classmate/indexer"
	"classmate/indexer/elastic"
	"classmate/indexer/internal/searchtest"
)

// catalogue is the demo catalogue of 3,000 courses as documents.
var catalogue = sync.OnceValue(func() []indexer.Document {
	var out []indexer.Document
	for _, c := range demo.Courses(demo.DefaultCourses) {
		d := indexer.Document{ID: c.ID, Code: c.Code, Title: c.Title, Professor: c.Professor,
			Department: c.Department, Credits: c.Credits, Capacity: c.Capacity, Remaining: c.Capacity,
			Room: c.Room, Version: 1}
		for _, s := range c.Schedule {
			d.Schedule = append(d.Schedule, indexer.Slot{Day: s.Day, Start: s.Start, End: s.End})
		}
		d.Derive()
		out = append(out, d)
	}
	return out
})

// newIndex returns an Index under an alias of its own, set up; everything
// it creates is deleted when the test ends.
func newIndex(tb testing.TB, alias string, version int) *elastic.Index {
	tb.Helper()
	url := searchtest.ElasticURL(tb)
	if alias == "" {
		b := make([]byte, 6)
		rand.Read(b)
		alias = "t" + hex.EncodeToString(b) + "-courses"
	}
	x, err := elastic.New(elastic.Config{URL: url, Alias: alias, Version: version, Log: slog.New(slog.DiscardHandler)})
	require.NoError(tb, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(tb, x.Ping(ctx), "Elasticsearch at %s", url)
	require.NoError(tb, x.Setup(ctx))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		x.Close(ctx)
		if version <= 1 {
			assert.NoError(tb, x.Destroy(ctx))
		}
	})
	return x
}

// fill writes docs and publishes the index under its alias.
func fill(tb testing.TB, x *elastic.Index, docs []indexer.Document) {
	tb.Helper()
	ctx := context.Background()
	var cs []indexer.Change
	for _, d := range docs {
		cs = append(cs, indexer.Upsert(d, time.Time{}))
	}
	require.NoError(tb, x.Write(ctx, cs))
	require.NoError(tb, x.Flush(ctx))
	require.NoError(tb, x.Publish(ctx))
}

func TestRelevance(t *testing.T) {
	t.Parallel()
	x := newIndex(t, "", 0)
	fill(t, x, catalogue())
	searchtest.Relevance(t, x, catalogue())
}

func TestContract(t *testing.T) {
	t.Parallel()
	x := newIndex(t, "", 0)
	fill(t, x, catalogue())
	searchtest.Contract(t, x, catalogue())
}

func doc(id, version int64, title string) indexer.Document {
	d := indexer.Document{ID: id, Code: fmt.Sprintf("TST%04d-01", id), Title: title, Professor: "김교수",
		Department: "컴퓨터공학과", Credits: 3, Capacity: 40, Remaining: 40, Room: "공학관 101", Version: version,
		Schedule: []indexer.Slot{{Day: "MON", Start: "09:00", End: "10:15"}}}
	d.Derive()
	return d
}

func titles(t *testing.T, s indexer.Searcher, q string) []string {
	t.Helper()
	p, err := s.Search(context.Background(), indexer.Query{Q: q})
	require.NoError(t, err)
	var out []string
	for _, d := range p.Docs {
		out = append(out, d.Title)
	}
	return out
}

// TestVersions: external versions make stale writes (409) harmless,
// tombstones keep deleted courses deleted against late replays, and the
// checkpoint is stored beside the index.
func TestVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	x := newIndex(t, "", 0)
	write := func(cs ...indexer.Change) {
		t.Helper()
		require.NoError(t, x.Write(ctx, cs))
		require.NoError(t, x.Flush(ctx), "409s count as success")
	}
	now := time.Now()
	write(indexer.Upsert(doc(1, 3, "자료구조"), now), indexer.Upsert(doc(2, 1, "운영체제"), now))
	require.NoError(t, x.Publish(ctx))
	write(indexer.Upsert(doc(1, 2, "옛자료구조"), now))
	assert.Equal(t, []string{"자료구조"}, titles(t, x, "자료구조"))

	write(indexer.Delete(1, 3, now))
	assert.Empty(t, titles(t, x, "자료구조"))
	write(indexer.Upsert(doc(1, 3, "자료구조"), now), indexer.Upsert(doc(1, 1, "자료구조"), now))
	assert.Empty(t, titles(t, x, "자료구조"), "a replay of the deleted row stays deleted")
	write(indexer.Upsert(doc(2, 2, "운영체제론"), now), indexer.Upsert(doc(2, 1, "운영체제"), now))
	assert.Equal(t, []string{"운영체제론"}, titles(t, x, "운영체제"))

	vs, err := x.Versions(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int64{2: 2}, vs)

	_, ok, err := x.LoadCheckpoint(ctx)
	require.NoError(t, err)
	assert.False(t, ok)
	cp := indexer.Checkpoint{Source: "src", GTID: "0-1-42", File: "mariadb-bin.000001", Pos: 42}
	require.NoError(t, x.SaveCheckpoint(ctx, cp))
	got, ok, err := x.LoadCheckpoint(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, cp.GTID, got.GTID)
}

// TestAliasSwitch: a new index version is built beside the published one
// and replaces it atomically; searches never fail meanwhile.
func TestAliasSwitch(t *testing.T) {
	t.Parallel()
	v1 := newIndex(t, "", 0)
	fill(t, v1, []indexer.Document{doc(1, 1, "자료구조")})
	v2 := newIndex(t, v1.Alias(), 2)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var failures, searches int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			_, err := v1.Search(context.Background(), indexer.Query{Q: "자료구조"})
			searches++
			if err != nil {
				failures++
			}
		}
	}()
	var cs []indexer.Change
	for _, d := range []indexer.Document{doc(1, 1, "자료구조"), doc(2, 1, "자료구조실습")} {
		cs = append(cs, indexer.Upsert(d, time.Time{}))
	}
	require.NoError(t, v2.Write(ctx, cs))
	require.NoError(t, v2.Flush(ctx))
	assert.Equal(t, []string{"자료구조"}, titles(t, v1, "자료구조"), "still the old index")
	require.NoError(t, v2.Publish(ctx))
	assert.ElementsMatch(t, []string{"자료구조", "자료구조실습"}, titles(t, v1, "자료구조"), "the new index")
	cancel()
	wg.Wait()
	assert.Zero(t, failures, "of %d searches", searches)
}
