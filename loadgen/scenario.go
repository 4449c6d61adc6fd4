package loadgen

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// scenarioFunc runs a scenario once and returns its outcome. It may return
// a partial outcome with an error.
type scenarioFunc func(ctx context.Context, e *Env) (*Scenario, error)

// scenarioDef is one of S1…S6.
type scenarioDef struct {
	id, title string
	fn        scenarioFunc
}

// scenarioDefs lists the scenarios in the order `all` runs them: S6 first,
// since its one-enrollment-per-transaction figure is the baseline of S1's
// durable commits.
func scenarioDefs() []scenarioDef {
	return []scenarioDef{
		{"S6", "Commit path: one enrollment per transaction vs group commit", runS6},
		{"S1", "Opening rush", runS1},
		{"S2", "Hot course", runS2},
		{"S3", "Waiting crowd", runS3},
		{"S4", "Search storm", runS4},
		{"S5", "CDC freshness", runS5},
	}
}

// runRepeated runs a scenario Repeat times, each bounded by Timeout, and
// merges the runs: medians of the figures, the last good run's charts, and
// every run's invariant checks.
func runRepeated(ctx context.Context, e *Env, d scenarioDef) *Scenario {
	var runs []*Scenario
	for r := 0; r < e.Cfg.Repeat && ctx.Err() == nil; r++ {
		if e.Cfg.Repeat > 1 {
			e.logf("%s: run %d of %d", d.id, r+1, e.Cfg.Repeat)
		}
		start := time.Now()
		// Connections left idle by the previous scenario start afresh.
		e.Gate.CloseIdle()
		e.Core.CloseIdle()
		rctx, cancel := context.WithTimeout(ctx, e.Cfg.Timeout)
		s, err := d.fn(rctx, e)
		cancel()
		if s == nil {
			s = &Scenario{}
		}
		s.ID, s.Title, s.Runs = d.id, d.title, 1
		s.Duration = round(time.Since(start).Seconds())
		if s.Status == "" {
			s.Status = "ok"
		}
		if err != nil {
			s.Status, s.Note = "failed", strings.TrimSpace(s.Note+" "+err.Error())
			e.logf("%s: FAILED: %v", d.id, err)
		}
		runs = append(runs, s)
		if s.Status == "skipped" {
			e.logf("%s: skipped: %s", d.id, s.Note)
			break
		}
	}
	return mergeRuns(runs)
}

// mergeRuns folds several runs of one scenario into one outcome.
func mergeRuns(runs []*Scenario) *Scenario {
	if len(runs) == 1 {
		return runs[0]
	}
	base := runs[len(runs)-1]
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Status == "ok" {
			base = runs[i]
			break
		}
	}
	out := *base
	out.Runs = len(runs)
	out.Figures = nil
	for _, f := range base.Figures {
		var vals, bases []float64
		for _, r := range runs {
			for _, g := range r.Figures {
				if g.Key == f.Key && !g.NA {
					vals = append(vals, g.Value)
					if g.Baseline != nil {
						bases = append(bases, *g.Baseline)
					}
				}
			}
		}
		m := f
		if len(vals) == 0 {
			out.Figures = append(out.Figures, m)
			continue
		}
		m.NA = false
		m.Value = round(median(vals))
		m.Runs = vals
		if len(bases) > 0 {
			b := median(bases)
			m.Baseline = ptr(round(b))
			if b > 0 {
				m.Ratio = ptr(round(m.Value / b))
			}
		}
		m.judge()
		out.Figures = append(out.Figures, m)
	}
	out.Invariants = nil
	byName := map[string]*Check{}
	for k, r := range runs {
		for _, c := range r.Invariants {
			x, ok := byName[c.Name]
			if !ok {
				x = &Check{Name: c.Name, OK: true}
				byName[c.Name] = x
				out.Invariants = append(out.Invariants, Check{Name: c.Name})
			}
			x.OK = x.OK && c.OK
			if !c.OK || k == len(runs)-1 {
				x.Detail = strings.TrimSpace(x.Detail + fmt.Sprintf(" [run %d] %s", k+1, c.Detail))
			}
		}
	}
	for i := range out.Invariants {
		out.Invariants[i] = *byName[out.Invariants[i].Name]
	}
	for _, r := range runs {
		if r.Status == "failed" {
			out.Status = "failed"
			out.Note = strings.TrimSpace(out.Note + " " + r.Note)
		}
	}
	return &out
}

// buildSeries turns a recorder and the samples into the report's series.
func buildSeries(rec *Recorder, samples []Sample, end time.Time) *Series {
	n := int(end.Sub(rec.Start)/time.Second) + 1
	n = max(1, min(n, maxSeconds))
	s := &Series{Seconds: n, Endpoints: map[string]*EpSeries{}, Samples: samples}
	for _, ep := range rec.Endpoints() {
		es := &EpSeries{
			OK: make([]int64, n), Client: make([]int64, n), Server: make([]int64, n), Failed: make([]int64, n),
			P50: make([]float64, n), P99: make([]float64, n),
		}
		for i := 0; i < n; i++ {
			sec := ep.secs[i].Load()
			if sec == nil {
				continue
			}
			es.OK[i], es.Client[i], es.Server[i], es.Failed[i] = sec.ok.Load(), sec.client.Load(), sec.server.Load(), sec.failed.Load()
			q := sec.lat.Quantiles(0.5, 0.99)
			es.P50[i], es.P99[i] = ms(q[0]), ms(q[1])
		}
		s.Endpoints[ep.Name] = es
	}
	return s
}

// endpointStats summarizes every endpoint with calls, busiest first.
func endpointStats(rec *Recorder) []EndpointStats {
	var out []EndpointStats
	for _, ep := range rec.Endpoints() {
		if ep.Count() > 0 {
			out = append(out, stats(ep))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// progress prints a line every interval until ctx ends.
func progress(ctx context.Context, e *Env, every time.Duration, line func() string) {
	if e.Cfg.Quiet {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.logf("%s", line())
		}
	}
}

// rate returns n per second over the span of an endpoint, or 0.
func rate(n int64, ep *Endpoint) float64 {
	f, l := ep.Span()
	if d := l.Sub(f).Seconds(); d > 0 {
		return float64(n) / d
	}
	return 0
}
