package bleve_test

import (
	"context"
	"flag"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
)

var (
	s4Clients = flag.Int("s4.clients", 2000, "S4: concurrent clients")
	s4Rate    = flag.Int("s4.rate", 10000, "S4: searches offered per second in total (0: as fast as possible)")
)

// s4Queries is the query mix of S4: whole words, partial words, initial
// consonants, professors, codes, English, two words, and filters.
var s4Queries = []indexer.Query{
	{Q: "자료구조"}, {Q: "운영체제"}, {Q: "데이터베이스"}, {Q: "경영학원론"}, {Q: "알고리즘"},
	{Q: "자료"}, {Q: "운영"}, {Q: "데이터"}, {Q: "경영"}, {Q: "프로그래밍"}, {Q: "회로"},
	{Q: "ㅈㄹㄱㅈ"}, {Q: "ㅇㅇㅊㅈ"}, {Q: "ㄷㅇㅌㅂㅇㅅ"}, {Q: "ㅇㄱㄹㅈ"},
	{Q: "김"}, {Q: "이수아"}, {Q: "CSE2010"}, {Q: "CSE2010-01"}, {Q: "English"},
	{Q: "자료구조 실습"}, {Q: "공학", Day: "MON"}, {Q: "개론", Credits: 3},
	{Department: "컴퓨터공학과"}, {Q: "수학", Department: "수학과", Day: "TUE"},
}

// BenchmarkS4Search is S4 of BENCHMARKS.md on the embedded engine itself
// (no HTTP): -s4.clients goroutines (2,000) share -s4.rate searches/s
// (10,000; 0 for as many as they can) over the 3,000-course demo
// catalogue with the S4 query mix, with the page cache (Cached, the
// default) and without (Uncached: every search runs the bleve query), on a
// settled index and on one receiving an enrollment rush (*-updating: the
// batches of BenchmarkRushUpdates, -rush.rate a second, committed while the
// searches run). It reports searches/s and the p50/p99 latency each client
// saw. Run it with
//
//	go test ./indexer/bleve/ -run '^$' -bench S4 -benchtime 200000x [-s4.rate=0]
//
// core/http's BenchmarkS4 measures the same through the HTTP handler, with
// MySQL LIKE as the baseline.
func BenchmarkS4Search(b *testing.B) {
	for _, updating := range []bool{false, true} {
		for _, cache := range []int{DefaultCacheSizeForBench, 0} {
			name := "Cached"
			if cache == 0 {
				name = "Uncached"
			}
			if updating {
				name += "-updating"
			}
			b.Run(name, func(b *testing.B) {
				x := openCatalogue(b)
				x.SetCacheSize(cache)
				if updating {
					stop := updateWhile(b, x)
					defer stop()
				}
				runS4(b, *s4Clients, func(ctx context.Context, i int) error {
					_, err := x.Search(ctx, s4Queries[i%len(s4Queries)])
					return err
				})
			})
		}
	}
}

// updateWhile commits the batches of an enrollment rush to x, -rush.rate a
// second, until the returned function is called.
func updateWhile(b *testing.B, x *cmbleve.Index) (stop func()) {
	r := newRush(b, x)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second / time.Duration(max(*rushRate, 1)))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if err := r.commit(); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// DefaultCacheSizeForBench is the page cache of the "Cached" run.
const DefaultCacheSizeForBench = cmbleve.DefaultCacheSize

// runS4 runs b.N calls of search (call numbers 0…N-1) from clients
// goroutines and reports searches/s, p50 and p99. With -s4.rate > 0 the
// calls are offered at that total rate and each latency counts from the
// moment its call was due, so a slow server cannot hide its queue
// (no coordinated omission); with 0 the clients search back to back.
func runS4(b *testing.B, clients int, search func(ctx context.Context, i int) error) {
	ctx := context.Background()
	for i := range s4Queries { // warm up: every query once
		require.NoError(b, search(ctx, i))
	}
	type call struct {
		i   int
		due time.Time
	}
	calls := make(chan call, clients)
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cl := range calls {
				if cl.due.IsZero() {
					cl.due = time.Now()
				}
				if err := search(ctx, cl.i); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(cl.due))
			}
		}()
	}
	interval := time.Duration(0)
	if *s4Rate > 0 {
		interval = time.Second / time.Duration(*s4Rate)
	}
	// The pacer wakes every millisecond and hands out the calls due by then.
	for i := 0; i < b.N; {
		n := b.N
		if interval > 0 {
			n = min(n, int(time.Since(start)/interval)+1)
		}
		for ; i < n; i++ {
			var due time.Time
			if interval > 0 {
				due = start.Add(time.Duration(i) * interval)
			}
			calls <- call{i, due}
		}
		if i < b.N {
			time.Sleep(time.Millisecond)
		}
	}
	close(calls)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	ms := func(p float64) float64 { return all[min(int(p*float64(len(all))), len(all)-1)].Seconds() * 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "searches/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSearchCost is the CPU cost of one uncached search of the S4
// mix, one at a time: less sensitive to a busy machine than S4 itself.
func BenchmarkSearchCost(b *testing.B) {
	x := openCatalogue(b)
	x.SetCacheSize(0)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := x.Search(ctx, s4Queries[i%len(s4Queries)]); err != nil {
			b.Fatal(err)
		}
	}
}
