package binlog_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/core/demo"
	"classmate/indexer"
	"classmate/indexer/binlog"
	cmbleve "classmate/indexer/bleve"
	"classmate/internal/dbtest"
)

var (
	s5Rate     = flag.Int("s5.rate", 1000, "S5: course updates per second")
	s5Duration = flag.Duration("s5.duration", 30*time.Second, "S5: how long to update")
	s5Titles   = flag.Bool("s5.titles", false, "S5: every update also renames the course (a full re-index)")
)

// BenchmarkS5Freshness is S5 of BENCHMARKS.md: course updates at a fixed
// rate (-s5.rate, default 1,000/s) for -s5.duration (30 s) on the 3,000
// course demo catalogue, each its own durable transaction from 32
// connections (seats only, the common change during registration; with
// -s5.titles every update also renames its course), while the change data capture feeds the embedded index. It
// reports the change→searchable lag at p50/p99/max, from the row's
// updated_at (set by the UPDATE, so it includes the durable commit) to the
// flush that made the change searchable, and the same from the moment the
// writer's commit returned (commit-p50/p99), the update rate reached, and
// checks that the final index equals MySQL. Run it with
//
//	go test -run '^$' -bench S5 -benchtime 1x ./indexer/binlog/
func BenchmarkS5Freshness(b *testing.B) {
	for range b.N {
		s5(b)
	}
}

func s5(b *testing.B) {
	db := dbtest.MustOpenDB(b)
	_, err := demo.Load(context.Background(), db.DB, 0, demo.DefaultCourses)
	require.NoError(b, err)
	idx, err := cmbleve.Open(b.TempDir(), "")
	require.NoError(b, err)
	defer idx.Close()

	// Each writer updates its own courses (id % writers), so it knows the
	// version each UPDATE made and when its commit returned.
	const writers = 32
	var mu sync.Mutex
	var lags, fromCommit []time.Duration
	type rowVersion struct{ id, version int64 }
	committed := map[rowVersion]time.Time{}
	searchable := map[rowVersion]time.Time{}
	st, err := binlog.New(binlog.Config{DSN: db.DSN, Log: testLog(b), Observe: func(c indexer.Change, d time.Duration) {
		now := time.Now()
		mu.Lock()
		lags = append(lags, d)
		searchable[rowVersion{c.ID, c.Version}] = now
		mu.Unlock()
	}})
	require.NoError(b, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx, idx, idx) }()
	defer func() { cancel(); <-done; st.Close() }()
	for !st.Ready() {
		time.Sleep(10 * time.Millisecond)
	}

	// Writers take ticks from a pacer: rate updates per second in total.
	ticks := make(chan struct{}, writers)
	var updates, late atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			version := map[int64]int64{}
			for range ticks {
				id := int64(w + 1 + writers*rng.IntN(demo.DefaultCourses/writers))
				rename := ""
				if *s5Titles {
					rename = " title = CONCAT(SUBSTRING_INDEX(title, ' ', 1), ' ', version),"
				}
				_, err := db.Exec("UPDATE courses SET enrolled = (enrolled + 1) % (capacity + 1), version = version + 1,"+
					rename+" updated_at = UTC_TIMESTAMP(6) WHERE id = ?", id)
				if err != nil {
					b.Error(err)
					return
				}
				now := time.Now()
				version[id] = max(version[id], 1) + 1
				mu.Lock()
				committed[rowVersion{id, version[id]}] = now
				mu.Unlock()
				updates.Add(1)
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	interval := time.Second / time.Duration(*s5Rate)
	for next := start; time.Since(start) < *s5Duration; next = next.Add(interval) {
		time.Sleep(time.Until(next))
		select {
		case ticks <- struct{}{}:
		default:
			late.Add(1) // every writer busy: the database is slower than the rate
			ticks <- struct{}{}
		}
	}
	close(ticks)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()

	deadline := time.Now().Add(30 * time.Second)
	var d string
	for ; time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if d = diff(mysqlDocs(b, db.DB), indexDocs(b, idx)); d == "" {
			break
		}
	}
	require.Empty(b, d, "final index != MySQL")

	mu.Lock()
	defer mu.Unlock()
	for k, at := range committed {
		if done, ok := searchable[k]; ok {
			// The binlog reaches the indexer before the client has its OK.
			fromCommit = append(fromCommit, max(done.Sub(at), 0))
		}
	}
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return ds[min(int(p*float64(len(ds))), len(ds)-1)].Seconds() * 1000
	}
	b.ReportMetric(float64(updates.Load())/elapsed.Seconds(), "updates/s")
	b.ReportMetric(pct(lags, 0.50), "p50-ms")
	b.ReportMetric(pct(lags, 0.99), "p99-ms")
	b.ReportMetric(pct(lags, 1), "max-ms")
	b.ReportMetric(pct(fromCommit, 0.50), "commit-p50-ms")
	b.ReportMetric(pct(fromCommit, 0.99), "commit-p99-ms")
	b.ReportMetric(float64(len(lags)), "changes")
	b.ReportMetric(float64(late.Load()), "late-ticks")
}
