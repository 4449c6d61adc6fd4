package bleve_test

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
)

var (
	rushCourses = flag.Int("rush.courses", 300, "rush: courses receiving enrollments")
	rushBatch   = flag.Int("rush.batch", 20, "rush: changes per batch")
	rushRate    = flag.Int("rush.rate", 20, "rush: batches per second (Paced, and under S4's *-updating)")
	rushRenames = flag.Int("rush.renames", 0, "rush: changes per batch that also rename their course (a re-index)")
)

// BenchmarkRushUpdates is the indexing side of an enrollment rush: every
// committed enrollment changes its course's seats and version, and the
// binlog tailer commits them in batches with the checkpoint. Each op is one
// batch of -rush.batch (20) seat-only changes (-rush.renames of them also
// rename their course) spread over -rush.courses (300) of the demo
// catalogue, committed with a checkpoint like the tailer's; Paced offers
// -rush.rate (20) batches/s, Flat-out as many as it can. It reports the
// process CPU (user + system of every goroutine, scorch's introducer,
// persister and merger included) per 1,000 changes, the batches/s reached,
// and the p50/p99 time of a Commit (its changes are searchable when it
// returns). The CPU window ends after Close, which waits until every batch
// is persisted, so no persisting escapes it. Run it with
//
//	go test ./indexer/bleve/ -run '^$' -bench Rush/Paced -benchtime 400x
//	go test ./indexer/bleve/ -run '^$' -bench Rush/Flat -benchtime 20000x
func BenchmarkRushUpdates(b *testing.B) {
	for _, rate := range []int{*rushRate, 0} {
		name := "Paced"
		if rate == 0 {
			name = "Flat-out"
		}
		b.Run(name, func(b *testing.B) { rushUpdates(b, rate) })
	}
}

func rushUpdates(b *testing.B, rate int) {
	// The catalogue, then every rushed course once (the state of a rush in
	// progress), persisted: Close waits for that.
	dir := b.TempDir()
	x, err := cmbleve.Open(dir, "rush")
	require.NoError(b, err)
	r := newRush(b, x)
	require.NoError(b, x.Close())
	x, err = cmbleve.Open(dir, "rush")
	require.NoError(b, err)
	r.x = x

	lat := make([]time.Duration, 0, b.N)
	before := cpuTime(b)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if rate > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		}
		t := time.Now()
		require.NoError(b, r.commit())
		lat = append(lat, time.Since(t))
	}
	elapsed := time.Since(start)
	require.NoError(b, x.Close())
	used := cpuTime(b) - before
	b.StopTimer()

	// What was committed is what a reopen finds.
	x, err = cmbleve.Open(dir, "rush")
	require.NoError(b, err)
	defer x.Close()
	for _, want := range r.docs {
		got, ok := x.Document(want.ID)
		require.True(b, ok)
		require.Equal(b, want, got, fmt.Sprintf("course %d after the reopen", want.ID))
	}

	slices.Sort(lat)
	ms := func(p float64) float64 { return lat[min(int(p*float64(len(lat))), len(lat)-1)].Seconds() * 1000 }
	b.ReportMetric(used.Seconds()*1000/float64(b.N**rushBatch), "cpu-s/1k-changes")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "batches/s")
	b.ReportMetric(ms(0.50), "commit-p50-ms")
	b.ReportMetric(ms(0.99), "commit-p99-ms")
	b.ReportMetric(0, "ns/op")
}

// rush writes the changes of an enrollment rush to an index, like the
// binlog tailer: batches of changes, each committed with a checkpoint.
type rush struct {
	x    *cmbleve.Index
	docs []indexer.Document // the rushed courses as last written
	next int                // the course the next change is for
	pos  uint32             // the checkpoint position of the last batch
}

// newRush writes the demo catalogue to x, then every rushed course once.
func newRush(tb testing.TB, x *cmbleve.Index) *rush {
	tb.Helper()
	r := &rush{x: x, docs: slices.Clone(catalogue()[:min(*rushCourses, len(catalogue()))])}
	var all []indexer.Change
	for _, d := range catalogue() {
		all = append(all, indexer.Upsert(d, time.Time{}))
	}
	ctx := context.Background()
	require.NoError(tb, x.Write(ctx, all))
	require.NoError(tb, x.Flush(ctx))
	for range (len(r.docs) + *rushBatch - 1) / *rushBatch {
		require.NoError(tb, r.commit())
	}
	return r
}

// commit writes one batch: -rush.batch changes of the next courses, each
// taking a seat, the first -rush.renames of them also renaming the course.
// Not safe for concurrent use.
func (r *rush) commit() error {
	changes := make([]indexer.Change, 0, *rushBatch)
	for i := range *rushBatch {
		k := r.next % len(r.docs)
		r.next++
		d := &r.docs[k]
		d.Version++
		d.Remaining = (d.Remaining + d.Capacity) % (d.Capacity + 1)
		if i < *rushRenames {
			d.Title = catalogue()[k].Title + " " + strconv.FormatInt(d.Version%10, 10)
			d.Derive()
		}
		changes = append(changes, indexer.Upsert(*d, time.Now()))
	}
	ctx := context.Background()
	if err := r.x.Write(ctx, changes); err != nil {
		return err
	}
	r.pos++
	return r.x.Commit(ctx, indexer.Checkpoint{Source: "rush", File: "mariadb-bin.000001", Pos: r.pos})
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
