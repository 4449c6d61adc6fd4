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
	"classmate/indexer/binlog"
	cmbleve "classmate/indexer/bleve"
	"classmate/internal/dbtest"
)

var (
	s5Rate     = flag.Int("s5.rate", 1000, "S5: course updates per second")
	s5Duration = flag.Duration("s5.duration", 30*time.Second, "S5: how long to update")
)

// BenchmarkS5Freshness is S5 of BENCHMARKS.md: course updates at a fixed
// rate (-s5.rate, default 1,000/s) for -s5.duration (30 s) on the 3,000
// course demo catalogue, each its own durable transaction from 32
// connections, while the change data capture feeds the embedded index. It
// reports the change→searchable lag (from the row's updated_at, set by the
// UPDATE, to the flush that made it searchable) at p50/p99/max, the update
// rate reached, and checks that the final index equals MySQL. Run it with
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

	var mu sync.Mutex
	var lags []time.Duration
	st, err := binlog.New(binlog.Config{DSN: db.DSN, Log: testLog(b), Observe: func(d time.Duration) {
		mu.Lock()
		lags = append(lags, d)
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
	const writers = 32
	ticks := make(chan struct{}, writers)
	var updates, late atomic.Int64
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 5))
			for range ticks {
				id := 1 + rng.IntN(demo.DefaultCourses)
				_, err := db.Exec("UPDATE courses SET enrolled = (enrolled + 1) % (capacity + 1), version = version + 1,"+
					" updated_at = UTC_TIMESTAMP(6) WHERE id = ?", id)
				if err != nil {
					b.Error(err)
					return
				}
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
	slices.Sort(lags)
	pct := func(p float64) float64 { return lags[min(int(p*float64(len(lags))), len(lags)-1)].Seconds() * 1000 }
	b.ReportMetric(float64(updates.Load())/elapsed.Seconds(), "updates/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(lags[len(lags)-1].Seconds()*1000, "max-ms")
	b.ReportMetric(float64(len(lags)), "changes")
	b.ReportMetric(float64(late.Load()), "late-ticks")
}
