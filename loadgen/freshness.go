package loadgen

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// runS5 is CDC freshness: a stream of course updates through the core's
// admin API, and the time until each change can be found by search.
func runS5(ctx context.Context, e *Env) (*Scenario, error) {
	cfg := e.Cfg.S5
	probeCourses := max(50, cfg.Rate/cfg.SampleEvery*5) // each probe course changes at most every ~5 s
	sc := &Scenario{
		Measures: "Updates are PUT /admin/v1/courses/{id} on the core (each a durable MySQL commit), paced at the rate. " +
			"Most rotate over the bulk courses; one in -s5-sample goes to a probe course that nothing else changes for " +
			"several seconds, and from its 200 answer the load generator polls GET /api/v1/courses?q=<the new title's " +
			"unique word> every 20 ms until the new title is found: change→searchable. Baseline: for one probe in four, " +
			"the same change read back by GET /api/v1/courses/{id} (served from the MySQL replica), polled every 100 ms. " +
			"Changes not seen within 5 s are recorded as 5 s. At the end every course touched is compared between MySQL " +
			"and search.",
		Params: map[string]any{"rate": cfg.Rate, "duration": cfg.Duration.String(), "bulk_courses": cfg.Courses,
			"probe_courses": probeCourses, "sample_every": cfg.SampleEvery},
	}
	if ok, why, err := e.searchAvailable(); err != nil {
		return sc, err
	} else if !ok {
		sc.Status, sc.Note = "skipped", "search is not available yet: "+why
		return sc, nil
	}
	start := time.Now()
	rec := NewRecorder(start)
	put := rec.Endpoint("admin_course_put")
	fresh := rec.Endpoint("change_to_searchable")
	replica := rec.Endpoint("change_to_replica_read")
	search := rec.Endpoint("search_probe")
	read := rec.Endpoint("course_read_probe")

	// The courses: bulk ones, then probe ones.
	total := cfg.Courses + probeCourses
	courses := make([]Course, total)
	for k := range courses {
		courses[k] = Course{
			ID: cdcCourseBase + int64(k) + 1, Code: fmt.Sprintf("LG-CDC-%04d", k+1), Title: "변경추적 시험 초기",
			Professor: "이변경", Department: "교양학부", Credits: 1, Capacity: 50,
			Schedule: []Slot{{"SAT", "18:00", "18:50"}}, Room: "부하관 201",
		}
	}
	e.logf("S5: creating %d courses", total)
	forEach(ctx, total, 16, func(k int) {
		if _, err := e.putCourse(nil, courses[k]); err != nil {
			e.logf("S5: create %s: %v", courses[k].Code, err)
		}
	})
	// The indexer must have caught up before the clock starts.
	if !e.waitSearchable(ctx, courses[total-1], 30*time.Second) {
		return sc, fmt.Errorf("course %s not searchable 30 s after its creation: is the indexer running?", courses[total-1].Code)
	}
	smp := newSampler(e, start)
	sctx, stopSampler := context.WithCancel(context.Background())
	go smp.run(sctx)
	defer stopSampler()

	var seq atomic.Int64
	var superseded, lost atomic.Int64
	var probes sync.WaitGroup
	var mu sync.Mutex
	latest := map[int64]int64{} // course id → seq of its latest update sent
	tick := time.Second / time.Duration(cfg.Rate)
	rctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	go progress(rctx, e, 2*time.Second, func() string {
		fq := fresh.Latency.Quantiles(0.99)
		return fmt.Sprintf("S5 %5.1fs updates %d (%s/s) probes %d p99 %.0f ms", time.Since(start).Seconds(),
			put.Count(), human(rate(put.Count(), put)), fresh.Count(), ms(fq[0]))
	})
	jobs := make(chan int64, 1024)
	var workers sync.WaitGroup
	// Enough writers that a slow commit (100–300 ms on a busy disk) does
	// not hold the rate back.
	for w := 0; w < min(512, max(64, cfg.Rate/4)); w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for n := range jobs {
				var k int
				probe := n%int64(cfg.SampleEvery) == 0
				if probe {
					k = cfg.Courses + int(n/int64(cfg.SampleEvery))%probeCourses
				} else {
					k = int(n) % cfg.Courses
				}
				c := courses[k]
				c.Title = "변경추적 시험 " + marker(n)
				mu.Lock()
				latest[c.ID] = n
				mu.Unlock()
				if _, err := e.putCourse(put, c); err != nil {
					continue
				}
				if probe {
					done := time.Now()
					probes.Add(1)
					go func() {
						defer probes.Done()
						e.probe(fresh, search, done, c, n, &mu, latest, &superseded, &lost, true)
					}()
					// The replica baseline polls more gently, for one probe
					// in four, so that it does not load the core itself.
					if (n/int64(cfg.SampleEvery))%4 == 0 {
						probes.Add(1)
						go func() {
							defer probes.Done()
							e.probe(replica, read, done, c, n, &mu, latest, nil, nil, false)
						}()
					}
				}
			}
		}()
	}
	next := time.Now()
	for rctx.Err() == nil {
		jobs <- seq.Add(1) - 1
		next = next.Add(tick)
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
	}
	close(jobs)
	workers.Wait()
	sent := put.Count()
	probes.Wait()

	// Final state: every course as MySQL has it must be what search finds.
	e.logf("S5: comparing %d courses between MySQL and search", total)
	mismatch := e.convergence(ctx, courses, 15*time.Second)
	end := time.Now()
	stopSampler()

	fq := fresh.Latency.Quantiles(0.5, 0.99)
	rq := replica.Latency.Quantiles(0.5, 0.99)
	sc.Figures = []Figure{
		figure("update_rate", "course updates/s", "updates/s", rate(sent, put), float64(cfg.Rate), "planned rate"),
		figure("fresh_p50", "change→searchable p50", "ms", ms(fq[0]), ms(rq[0]), "change→replica read p50").lower(),
		figure("fresh_p99", "change→searchable p99", "ms", ms(fq[1]), ms(rq[1]), "change→replica read p99").lower().target("≤ 1 s", "<=", 1000),
		figure("probes", "changes measured", "changes", float64(fresh.Count()), 0, ""),
		figure("never_seen", "measured changes not searchable within 5 s", "changes", float64(lost.Load()), 0, "").lower().target("0", "==", 0),
		figure("mismatch", "courses where search ≠ MySQL at the end", "courses", float64(len(mismatch)), 0, "").lower().target("0", "==", 0),
	}
	if superseded.Load() > 0 {
		sc.Note = fmt.Sprintf("%d probed changes were overwritten before they were seen.", superseded.Load())
	}
	sc.Endpoints = endpointStats(rec)
	sc.Series = buildSeries(rec, smp.Samples(), end)
	sc.Invariants = e.checkInvariants(context.Background(), rec, nil)
	sc.Invariants = append(sc.Invariants, Check{Name: "search == MySQL (no lost or regressed update)", OK: len(mismatch) == 0,
		Detail: fmt.Sprintf("%d courses compared; differing: %s", total, list(mismatch))})
	return sc, nil
}

// marker is the unique word of update n's title: letters only, so that a
// tokenizer keeps it whole.
func marker(n int64) string {
	s := strconv.FormatInt(n, 26)
	b := []byte("lgq")
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' {
			b = append(b, 'a'+c-'0')
		} else {
			b = append(b, 'k'+c-'a')
		}
	}
	return string(b)
}

// probe polls until course c shows title (through search when bySearch,
// else through GET /api/v1/courses/{id}) and records the time since done.
func (e *Env) probe(into, calls *Endpoint, done time.Time, c Course, n int64, mu *sync.Mutex, latest map[int64]int64,
	superseded, lost *atomic.Int64, bySearch bool) {
	deadline := done.Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if e.shows(calls, c, bySearch) {
			into.Observe(time.Since(done))
			return
		}
		mu.Lock()
		newer := latest[c.ID] != n
		mu.Unlock()
		if newer && superseded != nil {
			superseded.Add(1)
			return
		}
		if bySearch {
			time.Sleep(20 * time.Millisecond)
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if lost != nil {
		lost.Add(1)
	}
	// Not seen within the bound: record the bound, so that the
	// percentiles do not leave the slowest changes out.
	into.Observe(5 * time.Second)
}

// shows reports whether course c is seen with c's title.
func (e *Env) shows(ep *Endpoint, c Course, bySearch bool) bool {
	if !bySearch {
		r := e.Core.Call(ep, int(c.ID), "GET", "/api/v1/courses/"+strconv.FormatInt(c.ID, 10), "", nil)
		var got Course
		return decode(r, 200, &got) == nil && got.Title == c.Title
	}
	word := c.Title[len("변경추적 시험 "):]
	r := e.Core.Call(ep, int(c.ID), "GET", "/api/v1/courses?q="+url.QueryEscape(word), "", nil)
	var page SearchPage
	if decode(r, 200, &page) != nil {
		return false
	}
	for _, it := range page.Items {
		if it.ID == c.ID && it.Title == c.Title {
			return true
		}
	}
	return false
}

// waitSearchable waits until search finds c by its code.
func (e *Env) waitSearchable(ctx context.Context, c Course, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r := e.Core.Call(nil, 0, "GET", "/api/v1/courses?q="+url.QueryEscape(c.Code), "", nil)
		var page SearchPage
		if decode(r, 200, &page) == nil {
			for _, it := range page.Items {
				if it.ID == c.ID {
					return true
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// convergence compares each course's title in MySQL with what search
// returns for its code, retrying the differing ones until limit, and
// returns the codes still differing.
func (e *Env) convergence(ctx context.Context, courses []Course, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	pending := courses
	for {
		var still []Course
		for _, c := range pending {
			var title string
			if err := e.DB.QueryRowContext(ctx, "SELECT title FROM courses WHERE id = ?", c.ID).Scan(&title); err != nil {
				still = append(still, c)
				continue
			}
			r := e.Core.Call(nil, 0, "GET", "/api/v1/courses?q="+url.QueryEscape(c.Code), "", nil)
			var page SearchPage
			ok := false
			if decode(r, 200, &page) == nil {
				for _, it := range page.Items {
					if it.ID == c.ID && it.Title == title {
						ok = true
					}
				}
			}
			if !ok {
				still = append(still, c)
			}
		}
		if len(still) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			out := make([]string, len(still))
			for i, c := range still {
				out[i] = c.Code
			}
			return out
		}
		pending = still
		time.Sleep(500 * time.Millisecond)
	}
}
