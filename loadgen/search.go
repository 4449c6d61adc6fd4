package loadgen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// runS4 is the search storm: many concurrent clients search the catalogue
// with Korean queries, closed loop, through the gate.
func runS4(ctx context.Context, e *Env) (*Scenario, error) {
	cfg := e.Cfg.S4
	sc := &Scenario{
		Measures: "Two halves, each client on its own keep-alive connection through the gate. First a closed loop: each " +
			"client sends GET /api/v1/courses?q=…, waits for the answer and sends the next: the most searches per second. " +
			"With that many clients in a closed loop, Little's law ties latency to throughput (mean latency = clients ÷ " +
			"rate), so the latency target is measured in the second half, open loop: searches are due at the target rate " +
			"(10,000/s, or 80% of the closed-loop maximum when lower), handed to idle clients, and each latency counts " +
			"from the instant the search was due (no coordinated omission). Between the two, a shorter closed loop " +
			"straight at the core shows the gate's share. Queries are drawn " +
			"from the catalogue: whole titles, partial words (the first syllables), initial consonants (초성), " +
			"professors' names and course-code prefixes, some with a department or day filter. The baseline is GET " +
			"/healthz at the same concurrency over the same connections, just before.",
		Params: map[string]any{"clients": cfg.Clients, "duration": cfg.Duration.String()},
	}
	if ok, why, err := e.searchAvailable(); err != nil {
		return sc, err
	} else if !ok {
		sc.Status, sc.Note = "skipped", "search is not available yet: "+why
		return sc, nil
	}
	queries := searchQueries(e.Catalogue, e.Cfg.Seed)
	sc.Params["distinct_queries"] = len(queries)
	perSource := (cfg.Clients + e.Src.Len() - 1) / e.Src.Len()
	client, err := NewClient(e.Src, e.Cfg.Gate, perSource)
	if err != nil {
		return sc, err
	}
	coreClient, err := NewClient(e.Src, e.Cfg.Core, perSource)
	if err != nil {
		return sc, err
	}
	base, baseP99 := httpCeiling(ctx, client, "/healthz", cfg.Clients, 3*time.Second)
	e.logf("S4: baseline GET /healthz with %d clients: %s req/s, p99 %.1f ms", cfg.Clients, human(base), baseP99)

	start := time.Now()
	rec := NewRecorder(start)
	ep := rec.Endpoint("search")
	paced := rec.Endpoint("search_paced")
	smp := newSampler(e, start)
	sctx, stopSampler := context.WithCancel(context.Background())
	go smp.run(sctx)
	defer stopSampler()
	var empty, found atomic.Int64
	search := func(c *Client, into *Endpoint, w int, rng *rand.Rand, t0 time.Time) {
		q := queries[rng.IntN(len(queries))]
		r := c.Call(nil, w, "GET", "/api/v1/courses?"+q, "", nil)
		into.Record(t0, r.Status, r.Body)
		if r.Status == 200 {
			if strings.Contains(string(r.Body), `"items":[]`) {
				empty.Add(1)
			} else {
				found.Add(1)
			}
		}
	}

	// Phase 1: closed loop, every client searching back to back: the most
	// searches per second the stack gives, through the gate and then
	// straight at the core (the gate's share).
	half := cfg.Duration / 2
	closedLoop := func(c *Client, into *Endpoint, d time.Duration) {
		rctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		go progress(rctx, e, 2*time.Second, func() string {
			q := into.Latency.Quantiles(0.99)
			return fmt.Sprintf("S4 %5.1fs %s: %d (%s/s) p99 %.1f ms errors %d", time.Since(start).Seconds(), into.Name,
				into.Count(), human(rate(into.Count(), into)), ms(q[0]), into.Count()-into.Status(200))
		})
		var wg sync.WaitGroup
		for w := 0; w < cfg.Clients; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(e.Cfg.Seed, uint64(w)+1<<32))
				for rctx.Err() == nil {
					search(c, into, w, rng, time.Now())
				}
			}()
		}
		wg.Wait()
	}
	closedLoop(client, ep, half)
	coreEp := rec.Endpoint("search_core_direct")
	sc.Events = append(sc.Events, Event{At: round(time.Since(start).Seconds()), Label: "core direct"})
	closedLoop(coreClient, coreEp, half/3)
	var wg sync.WaitGroup
	maxRate := rate(ep.Count(), ep)
	sc.Events = append(sc.Events, Event{At: round(time.Since(start).Seconds()), Label: "paced"})

	// Phase 2: open loop at the target rate (or 80% of the maximum when the
	// stack cannot reach it), spread over the same clients. Latency counts
	// from the instant each search was due, so a backlog shows.
	want := math.Min(float64(cfg.Rate), 0.8*maxRate)
	pctx, cancel2 := context.WithTimeout(ctx, half)
	defer cancel2()
	go progress(pctx, e, 2*time.Second, func() string {
		q := paced.Latency.Quantiles(0.99)
		return fmt.Sprintf("S4 %5.1fs paced at %s/s: searches %d p99 %.1f ms", time.Since(start).Seconds(), human(want),
			paced.Count(), ms(q[0]))
	})
	due := make(chan time.Time, cfg.Clients)
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(e.Cfg.Seed, uint64(w)+2<<32))
			for t0 := range due {
				search(client, paced, w, rng, t0)
			}
		}()
	}
	interval := time.Duration(float64(time.Second) / want)
	next := time.Now()
	for pctx.Err() == nil {
		now := time.Now()
		for !next.After(now) {
			select {
			case due <- next:
			case <-pctx.Done():
			}
			next = next.Add(interval)
		}
		time.Sleep(time.Until(next))
	}
	close(due)
	wg.Wait()
	end := time.Now()
	stopSampler()
	q := ep.Latency.Quantiles(0.5, 0.99)
	pq := paced.Latency.Quantiles(0.5, 0.99)
	errs := ep.Count() - ep.Status(200) + paced.Count() - paced.Status(200) + coreEp.Count() - coreEp.Status(200)
	sc.Params["paced_rate"] = round(want)
	sc.Figures = []Figure{
		figure("rate", "searches/s, closed loop", "searches/s", maxRate, base, fmt.Sprintf("GET /healthz, %d clients", cfg.Clients)).
			original("308 TPS (Elasticsearch, 20,000 concurrent)").target("≥ 10,000", ">=", 10000),
		figure("core_rate", "searches/s straight to the core, closed loop", "searches/s", rate(coreEp.Count(), coreEp),
			e.ceiling("core_healthz"), "core GET /healthz ceiling"),
		figure("paced_p50", fmt.Sprintf("search p50 at %s/s offered", human(want)), "ms", ms(pq[0]), 0, "").lower(),
		figure("paced_p99", fmt.Sprintf("search p99 at %s/s offered", human(want)), "ms", ms(pq[1]), baseP99, "GET /healthz p99, closed loop").lower().
			original("637 ms average").target("≤ 50 ms", "<=", 50),
		figure("paced_rate", "searches/s achieved when paced", "searches/s", rate(paced.Count(), paced), want, "offered"),
		figure("p50", "search p50, closed loop", "ms", ms(q[0]), 0, "").lower(),
		figure("p99", "search p99, closed loop", "ms", ms(q[1]), 0, "").lower(),
		figure("errors", "non-200 answers", "answers", float64(errs), 0, "").lower().target("0", "==", 0),
		figure("hit_rate", "searches with at least one result", "%", 100*float64(found.Load())/float64(max(1, found.Load()+empty.Load())), 0, ""),
	}
	sc.Endpoints = endpointStats(rec)
	sc.Series = buildSeries(rec, smp.Samples(), end)
	sc.Invariants = e.checkInvariants(context.Background(), rec, nil)
	return sc, nil
}

// searchAvailable probes GET /api/v1/courses through the gate: an error
// when the gate does not answer, false when the route is not there yet.
func (e *Env) searchAvailable() (bool, string, error) {
	r := e.Gate.Call(nil, 0, "GET", "/api/v1/courses?q="+url.QueryEscape("자료구조"), "", nil)
	if r.Err != nil {
		return false, "", fmt.Errorf("probe search: %w", r.Err)
	}
	if r.Status != 200 {
		return false, fmt.Sprintf("GET /api/v1/courses?q=자료구조 answered %d %s", r.Status, errorCode(r.Body)), nil
	}
	return true, "", nil
}

// choseong are the initial consonants, in the order of Hangul syllables.
var choseong = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

// initials returns the initial consonants of the Hangul syllables of s
// (자료구조 → ㅈㄹㄱㅈ), keeping other characters.
func initials(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			b.WriteRune(choseong[(r-0xAC00)/588])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// searchQueries builds the query strings (already encoded) of the storm.
func searchQueries(cat []CatalogueCourse, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 4))
	days := []string{"MON", "TUE", "WED", "THU", "FRI"}
	seen := map[string]bool{}
	var out []string
	add := func(q string, extra string) {
		q = strings.TrimSpace(q)
		if q == "" {
			return
		}
		v := "q=" + url.QueryEscape(q) + extra
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, c := range cat {
		words := strings.Fields(c.Title)
		if len(words) == 0 {
			continue
		}
		w := []rune(words[0])
		switch rng.IntN(6) {
		case 0: // whole title
			add(c.Title, "")
		case 1: // partial word
			add(string(w[:min(len(w), 2)]), "")
		case 2: // initial consonants
			add(initials(words[0]), "")
		case 3: // professor
			add(c.Professor, "")
		case 4: // course-code prefix
			code, _, _ := strings.Cut(c.Code, "-")
			add(code, "")
		case 5: // a word and a filter
			add(string(w[:min(len(w), 2)]), "&day="+days[rng.IntN(len(days))])
		}
	}
	return out
}
