package loadgen

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
)

//go:embed report.html.tmpl
var reportSrc string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"human": human,
	"ratio": func(r *float64) string {
		if r == nil {
			return ""
		}
		return fmt.Sprintf("%.2f×", *r)
	},
	"deref": func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	},
	"deref2": func(p *bool) bool { return p != nil && *p },
	"float":  func(n int64) float64 { return float64(n) },
	"lower":  strings.ToLower,
	"join":   strings.Join,
}).Parse(reportSrc))

// reportView is what the template draws.
type reportView struct {
	*Results
	Sections []section
	Ceilings []Figure
	Verdicts []verdict
}

type section struct {
	*Scenario
	Anchor   string
	Cards    []Figure
	Charts   []template.HTML
	Params   []string
	Statuses []string
}

type verdict struct {
	ID, Title, Status string
	Met, Targets      int
	InvOK, InvTotal   int
	Anchor            string
}

// WriteReport writes the self-contained HTML report of res.
func WriteReport(w io.Writer, res *Results) error {
	v := reportView{Results: res}
	if res.Machine.CPUs > 0 {
		machineCPUs = res.Machine.CPUs
	}
	for _, s := range res.Scenarios {
		sec := section{Scenario: s, Anchor: strings.ToLower(s.ID)}
		vd := verdict{ID: s.ID, Title: s.Title, Status: s.Status, Anchor: sec.Anchor}
		for _, f := range s.Figures {
			if f.Met != nil {
				vd.Targets++
				if *f.Met {
					vd.Met++
				}
			}
		}
		for _, c := range s.Invariants {
			vd.InvTotal++
			if c.OK {
				vd.InvOK++
			}
		}
		v.Verdicts = append(v.Verdicts, vd)
		for _, f := range s.Figures {
			if f.Met != nil || f.Original != "" {
				sec.Cards = append(sec.Cards, f)
			}
		}
		if len(sec.Cards) > 6 {
			sec.Cards = sec.Cards[:6]
		}
		keys := make([]string, 0, len(s.Params))
		for k := range s.Params {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sec.Params = append(sec.Params, fmt.Sprintf("%s = %v", k, s.Params[k]))
		}
		sec.Charts = charts(s)
		v.Sections = append(v.Sections, sec)
	}
	keys := make([]string, 0, len(res.Ceilings))
	for k := range res.Ceilings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.Ceilings = append(v.Ceilings, res.Ceilings[k])
	}
	return reportTmpl.Execute(w, v)
}

// derived endpoints are intervals the load generator computes, not calls.
var derived = map[string]bool{
	"ws_frame_gap": true, "join_to_admitted": true, "ws_update_interval": true, "ws_worst_interval_per_client": true,
	"ws_first_frame": true, "change_to_searchable": true, "change_to_replica_read": true,
}

// machineCPUs is the core count charts scale the machine's busy share by.
var machineCPUs = 2

// charts draws a scenario's charts from its series.
func charts(s *Scenario) []template.HTML {
	var out []template.HTML
	if len(s.Endpoints) > 0 {
		var rows []string
		var vals [][]float64
		for _, e := range s.Endpoints {
			rows = append(rows, e.Name)
			vals = append(vals, []float64{e.P50, e.P90, e.P99})
		}
		out = append(out, bars{Title: "Latency percentiles per endpoint (log scale)", Unit: "ms", Rows: rows,
			Measures: []string{"p50", "p90", "p99"}, Values: vals, LogX: true}.svg())
	}
	sr := s.Series
	if sr == nil {
		return out
	}
	secs := make([]float64, sr.Seconds)
	for i := range secs {
		secs[i] = float64(i)
	}
	names := make([]string, 0, len(sr.Endpoints))
	for n := range sr.Endpoints {
		if !derived[n] {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return total(sr.Endpoints[names[i]]) > total(sr.Endpoints[names[j]]) })
	// Throughput.
	tp := chart{Title: "Answers per second", YLabel: "answers/s", Events: s.Events}
	var errs []float64
	anyErr := false
	for k, n := range names {
		es := sr.Endpoints[n]
		y := make([]float64, sr.Seconds)
		for i := range y {
			y[i] = float64(es.OK[i] + es.Client[i] + es.Server[i] + es.Failed[i])
		}
		tp.Lines = append(tp.Lines, line{Name: n, Color: palette[k%len(palette)], X: secs, Y: y, Unit: "/s", Area: k == 0})
		if errs == nil {
			errs = make([]float64, sr.Seconds)
		}
		for i := range y {
			errs[i] += float64(es.Server[i] + es.Failed[i])
			anyErr = anyErr || es.Server[i]+es.Failed[i] > 0
		}
	}
	if es, ok := sr.Endpoints["enroll"]; ok {
		y := make([]float64, sr.Seconds)
		for i := range y {
			y[i] = float64(es.OK[i])
		}
		tp.Lines = append(tp.Lines, line{Name: "enroll 201 (durable)", Color: "#16a34a", X: secs, Y: y, Unit: "/s", Dash: true})
	}
	if anyErr {
		tp.Lines = append(tp.Lines, line{Name: "5xx + unanswered", Color: "#dc2626", X: secs, Y: errs, Unit: "/s"})
	}
	if len(tp.Lines) > 0 {
		out = append(out, tp.svg())
	}
	// Latency over time.
	lat := chart{Title: "p99 latency over time (log scale)", YLabel: "ms", Events: s.Events, LogY: true}
	for k, n := range names {
		if k >= 4 {
			break
		}
		es := sr.Endpoints[n]
		y := make([]float64, sr.Seconds)
		for i := range y {
			y[i] = es.P99[i]
			if es.OK[i]+es.Client[i]+es.Server[i]+es.Failed[i] == 0 {
				y[i] = math.NaN()
			}
		}
		lat.Lines = append(lat.Lines, line{Name: n + " p99", Color: palette[k%len(palette)], X: secs, Y: y, Unit: "ms"})
	}
	if len(lat.Lines) > 0 {
		out = append(out, lat.svg())
	}
	smp := sr.Samples
	if len(smp) == 0 {
		return out
	}
	at := make([]float64, len(smp))
	get := func(f func(Sample) float64) ([]float64, bool) {
		y := make([]float64, len(smp))
		nz := false
		for i, x := range smp {
			y[i] = f(x)
			nz = nz || y[i] != 0
		}
		return y, nz
	}
	for i, x := range smp {
		at[i] = x.At
	}
	waiting, w1 := get(func(x Sample) float64 { return float64(x.Waiting) })
	active, w2 := get(func(x Sample) float64 { return float64(x.Active) })
	admits, w3 := get(func(x Sample) float64 { return x.Admits })
	if w1 || w2 || w3 {
		out = append(out, chart{Title: "Queue length and admissions", YLabel: "students", RightLabel: "admissions/s", Events: s.Events,
			Lines: []line{
				{Name: "waiting", Color: palette[0], X: at, Y: waiting, Area: true},
				{Name: "admitted now", Color: palette[2], X: at, Y: active},
				{Name: "admissions/s", Color: palette[1], X: at, Y: admits, Right: true, Unit: "/s"},
			}}.svg())
	}
	sockets, s1 := get(func(x Sample) float64 { return float64(x.Sockets) })
	conns, _ := get(func(x Sample) float64 { return float64(x.Conns) })
	rss, s2 := get(func(x Sample) float64 { return x.GateRSS })
	if s1 || s2 {
		out = append(out, chart{Title: "Sockets held and gate memory", YLabel: "connections", RightLabel: "gate RSS MiB", Events: s.Events,
			Lines: []line{
				{Name: "WebSockets held", Color: palette[0], X: at, Y: sockets, Area: true},
				{Name: "all load-generator connections", Color: palette[5], X: at, Y: conns, Dash: true},
				{Name: "gate RSS", Color: palette[4], X: at, Y: rss, Right: true, Unit: "MiB"},
			}}.svg())
	}
	cpu, c1 := get(func(x Sample) float64 { return x.CPU })
	if c1 {
		m := chart{Title: "Where the CPU goes (% of one core; the machine has " + fmt.Sprint(machineCPUs) + ")", YLabel: "% of one core",
			Events: s.Events, Lines: []line{{Name: "machine busy", Color: palette[8], X: at, Y: scale(cpu, float64(machineCPUs)), Area: true, Unit: "%"}}}
		for k, name := range []string{"loadgen", "gate", "core", "mysql", "redis"} {
			y, ok := get(func(x Sample) float64 { return x.ProcCPU[name] })
			if ok {
				m.Lines = append(m.Lines, line{Name: name, Color: palette[k%len(palette)], X: at, Y: y, Unit: "%"})
			}
		}
		out = append(out, m.svg())
	}
	redisOps, c2 := get(func(x Sample) float64 { return x.RedisOps })
	commits, c3 := get(func(x Sample) float64 { return x.Commits })
	if c2 || c3 {
		m := chart{Title: "Redis commands and core commits per second", YLabel: "Redis commands/s", RightLabel: "commits/s", Events: s.Events,
			Lines: []line{{Name: "Redis commands/s", Color: palette[3], X: at, Y: redisOps, Area: true, Unit: "/s"}}}
		if c3 {
			m.Lines = append(m.Lines, line{Name: "core commits/s", Color: palette[2], X: at, Y: commits, Right: true, Unit: "/s"})
		}
		out = append(out, m.svg())
	}
	lag, l1 := get(func(x Sample) float64 { return math.Max(0, x.ReplicaLag) })
	if l1 {
		out = append(out, chart{Title: "MySQL replica lag (Seconds_Behind_Master)", YLabel: "seconds", Events: s.Events,
			Lines: []line{{Name: "replica lag", Color: palette[6], X: at, Y: lag, Area: true, Unit: "s"}}}.svg())
	}
	return out
}

// scale multiplies every value by k.
func scale(y []float64, k float64) []float64 {
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = v * k
	}
	return out
}

func total(es *EpSeries) int64 {
	var n int64
	for i := range es.OK {
		n += es.OK[i] + es.Client[i] + es.Server[i] + es.Failed[i]
	}
	return n
}
