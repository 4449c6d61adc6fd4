package loadgen

import (
	"context"
	"fmt"
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
		Measures: "Closed loop: each of the clients sends GET /api/v1/courses?q=… through the gate, waits for the " +
			"answer and sends the next, for the duration, each client on its own keep-alive connection. Queries are drawn " +
			"from the catalogue: whole titles, partial words (the first syllables), initial consonants (초성), " +
			"professors' names and course-code prefixes, some with a department or day filter. The baseline is GET " +
			"/healthz at the same concurrency over the same connections, just before.",
		Params: map[string]any{"clients": cfg.Clients, "duration": cfg.Duration.String()},
	}
	if ok, why := e.searchAvailable(); !ok {
		sc.Status, sc.Note = "skipped", "search is not available yet: "+why
		return sc, nil
	}
	queries := searchQueries(e.Catalogue, e.Cfg.Seed)
	sc.Params["distinct_queries"] = len(queries)
	client, err := NewClient(e.Src, e.Cfg.Gate, (cfg.Clients+e.Src.Len()-1)/e.Src.Len())
	if err != nil {
		return sc, err
	}
	base, baseP99 := httpCeiling(ctx, client, "/healthz", cfg.Clients, 3*time.Second)
	e.logf("S4: baseline GET /healthz with %d clients: %s req/s, p99 %.1f ms", cfg.Clients, human(base), baseP99)

	start := time.Now()
	rec := NewRecorder(start)
	ep := rec.Endpoint("search")
	smp := newSampler(e, start)
	sctx, stopSampler := context.WithCancel(context.Background())
	go smp.run(sctx)
	defer stopSampler()
	rctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	go progress(rctx, e, 2*time.Second, func() string {
		q := ep.Latency.Quantiles(0.99)
		return fmt.Sprintf("S4 %5.1fs searches %d (%s/s) p99 %.1f ms errors %d", time.Since(start).Seconds(),
			ep.Count(), human(rate(ep.Count(), ep)), ms(q[0]), ep.Count()-ep.Status(200))
	})
	var empty, found atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(e.Cfg.Seed, uint64(w)+1<<32))
			for rctx.Err() == nil {
				q := queries[rng.IntN(len(queries))]
				r := client.Call(ep, w, "GET", "/api/v1/courses?"+q, "", nil)
				if r.Status == 200 {
					if strings.Contains(string(r.Body), `"items":[]`) {
						empty.Add(1)
					} else {
						found.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	end := time.Now()
	stopSampler()
	q := ep.Latency.Quantiles(0.5, 0.99)
	rps := rate(ep.Count(), ep)
	errs := ep.Count() - ep.Status(200)
	sc.Figures = []Figure{
		figure("rate", "searches/s", "searches/s", rps, base, fmt.Sprintf("GET /healthz, %d clients", cfg.Clients)).
			original("308 TPS (Elasticsearch, 20,000 concurrent)").target("≥ 10,000", ">=", 10000),
		figure("p50", "search p50", "ms", ms(q[0]), 0, "").lower(),
		figure("p99", "search p99", "ms", ms(q[1]), baseP99, "GET /healthz p99").lower().
			original("637 ms average").target("≤ 50 ms", "<=", 50),
		figure("errors", "non-200 answers", "answers", float64(errs), 0, "").lower().target("0", "==", 0),
		figure("hit_rate", "searches with at least one result", "%", 100*float64(found.Load())/float64(max(1, found.Load()+empty.Load())), 0, ""),
	}
	sc.Endpoints = endpointStats(rec)
	sc.Series = buildSeries(rec, smp.Samples(), end)
	sc.Invariants = e.checkInvariants(context.Background(), rec, nil)
	return sc, nil
}

// searchAvailable probes GET /api/v1/courses through the gate.
func (e *Env) searchAvailable() (bool, string) {
	r := e.Gate.Call(nil, 0, "GET", "/api/v1/courses?q="+url.QueryEscape("자료구조"), "", nil)
	if r.Err != nil {
		return false, r.Err.Error()
	}
	if r.Status != 200 {
		return false, fmt.Sprintf("GET /api/v1/courses?q=자료구조 answered %d %s", r.Status, errorCode(r.Body))
	}
	return true, ""
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
