package http_test

import (
	"context"
	"database/sql"
	"flag"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
)

var (
	s4Clients = flag.Int("s4.clients", 2000, "S4: concurrent clients")
	s4Rate    = flag.Int("s4.rate", 10000, "S4: searches offered per second in total (0: as fast as possible)")
)

// s4Query is one search of the S4 mix: q and filters.
type s4Query struct{ q, department, day, credits string }

var s4Queries = []s4Query{
	{q: "자료구조"}, {q: "운영체제"}, {q: "데이터베이스"}, {q: "경영학원론"}, {q: "알고리즘"},
	{q: "자료"}, {q: "운영"}, {q: "데이터"}, {q: "경영"}, {q: "프로그래밍"}, {q: "회로"},
	{q: "ㅈㄹㄱㅈ"}, {q: "ㅇㅇㅊㅈ"}, {q: "ㄷㅇㅌㅂㅇㅅ"}, {q: "ㅇㄱㄹㅈ"},
	{q: "김"}, {q: "이수아"}, {q: "CSE2010"}, {q: "CSE2010-01"}, {q: "English"},
	{q: "자료구조 실습"}, {q: "공학", day: "MON"}, {q: "개론", credits: "3"},
	{department: "컴퓨터공학과"}, {q: "수학", department: "수학과", day: "TUE"},
}

// BenchmarkS4 is S4 of BENCHMARKS.md through the core: -s4.clients (2,000)
// concurrent HTTP clients share -s4.rate searches/s (10,000; 0: as fast
// as they can) of GET /api/v1/courses over the 3,000-course demo
// catalogue, served from the embedded index the change data capture fills
// (Index), and, as the baseline in the same run, the same queries as MySQL
// LIKE scans on the primary (MySQLLike; it cannot do initial consonants).
// Run it with
//
//	go test ./core/http/ -run '^$' -bench S4 -benchtime 100000x [-s4.rate=0]
func BenchmarkS4(b *testing.B) {
	e := newSearchEnv(b, "bleve")
	b.Run("Index", func(b *testing.B) {
		runS4(b, func(i int) error {
			q := s4Queries[i%len(s4Queries)]
			v := url.Values{}
			for k, x := range map[string]string{"q": q.q, "department": q.department, "day": q.day, "credits": q.credits} {
				if x != "" {
					v.Set(k, x)
				}
			}
			req := fasthttp.AcquireRequest()
			resp := fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://core/api/v1/courses?" + v.Encode())
			if err := e.client.Do(req, resp); err != nil {
				return err
			}
			if resp.StatusCode() != 200 {
				b.Fatalf("status %d: %s", resp.StatusCode(), resp.Body())
			}
			return nil
		})
	})
	b.Run("MySQLLike", func(b *testing.B) {
		runS4(b, func(i int) error { return likeSearch(e.db.DB, s4Queries[i%len(s4Queries)]) })
	})
}

// likeSearch is the naive search: every word as a LIKE over title,
// professor and code, exact titles first.
func likeSearch(db *sql.DB, q s4Query) error {
	var where []string
	var args []any
	for _, w := range strings.Fields(q.q) {
		where = append(where, "(title LIKE ? OR professor LIKE ? OR code LIKE ?)")
		p := "%" + w + "%"
		args = append(args, p, p, p)
	}
	if q.department != "" {
		where, args = append(where, "department = ?"), append(args, q.department)
	}
	if q.credits != "" {
		n, _ := strconv.Atoi(q.credits)
		where, args = append(where, "credits = ?"), append(args, n)
	}
	if q.day != "" {
		where, args = append(where, "schedule LIKE ?"), append(args, `%"day":"`+q.day+`"%`)
	}
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	args = append(args, q.q)
	// No deadline: an overloaded baseline queues, and its latency shows it.
	rows, err := db.QueryContext(context.Background(), "SELECT id, code, title, professor, department, credits, capacity, enrolled, schedule, room"+
		" FROM courses WHERE "+strings.Join(where, " AND ")+" ORDER BY title = ? DESC, id LIMIT 20", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// runS4 runs b.N calls of search from -s4.clients goroutines and reports
// searches/s, p50 and p99; with a rate, latencies count from when each call
// was due (no coordinated omission).
func runS4(b *testing.B, search func(i int) error) {
	clients := *s4Clients
	for i := range s4Queries {
		require.NoError(b, search(i))
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
				if err := search(cl.i); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(cl.due))
			}
		}()
	}
	var interval time.Duration
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
