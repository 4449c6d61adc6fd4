package loadgen

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Results is everything one invocation measured: the JSON file the report
// is drawn from.
type Results struct {
	Version   int               `json:"version"`
	Started   time.Time         `json:"started"`
	Finished  time.Time         `json:"finished"`
	Size      string            `json:"size"`
	Command   string            `json:"command"`
	Machine   Machine           `json:"machine"`
	Ceilings  map[string]Figure `json:"ceilings,omitempty"`
	Scenarios []*Scenario       `json:"scenarios"`
}

// Machine describes where the figures were measured.
type Machine struct {
	Host      string  `json:"host"`
	CPUs      int     `json:"cpus"`
	CPUModel  string  `json:"cpu_model"`
	MemoryGiB float64 `json:"memory_gib"`
	Kernel    string  `json:"kernel"`
	GoVersion string  `json:"go_version"`
	LoadAvg   string  `json:"load_avg_at_start"`
	FileLimit uint64  `json:"file_limit"`
	Note      string  `json:"note,omitempty"`
}

// Scenario is the outcome of one scenario (S1…S6), possibly the median of
// several runs.
type Scenario struct {
	ID        string          `json:"id"`
	Title     string          `json:"title"`
	Status    string          `json:"status"` // ok, failed, skipped
	Note      string          `json:"note,omitempty"`
	Measures  string          `json:"measures"` // what the figures really measure
	Params    map[string]any  `json:"params"`
	Runs      int             `json:"runs"`
	Figures   []Figure        `json:"figures"`
	Endpoints []EndpointStats `json:"endpoints,omitempty"`
	// Server is what the gate and the core measured inside themselves
	// during the run (their /metrics histograms).
	Server     []ServerStat      `json:"server,omitempty"`
	Series     *Series           `json:"series,omitempty"`
	Invariants []Check           `json:"invariants,omitempty"`
	Events     []Event           `json:"events,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
	Duration   float64           `json:"duration_s"`
}

// Figure is one reported number with its in-run baseline, the original
// system's figure and the target of BENCHMARKS.md.
type Figure struct {
	Key           string    `json:"key"`
	Name          string    `json:"name"`
	Unit          string    `json:"unit"`
	Value         float64   `json:"value"`
	Runs          []float64 `json:"runs,omitempty"` // every run's value when Value is a median
	Baseline      *float64  `json:"baseline,omitempty"`
	BaselineLabel string    `json:"baseline_label,omitempty"`
	Ratio         *float64  `json:"ratio,omitempty"` // Value / Baseline
	Original      string    `json:"original,omitempty"`
	Target        string    `json:"target,omitempty"`
	TargetOp      string    `json:"target_op,omitempty"` // ">=", "<=", "==" or "ratio>="
	TargetValue   float64   `json:"target_value,omitempty"`
	Met           *bool     `json:"met,omitempty"`
	LowerIsBetter bool      `json:"lower_is_better,omitempty"`
	// NA is set when the figure could not be measured (Value is then 0).
	NA bool `json:"na,omitempty"`
}

// Check is one invariant verified after a run.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Event marks an instant on the time axis of the charts.
type Event struct {
	At    float64 `json:"at_s"`
	Label string  `json:"label"`
}

// EndpointStats summarizes one endpoint.
type EndpointStats struct {
	Name     string           `json:"name"`
	Count    int64            `json:"count"`
	Rate     float64          `json:"rate_per_s"` // over the endpoint's own span
	P50      float64          `json:"p50_ms"`
	P90      float64          `json:"p90_ms"`
	P99      float64          `json:"p99_ms"`
	P999     float64          `json:"p999_ms"`
	Max      float64          `json:"max_ms"`
	Statuses map[string]int64 `json:"statuses"`
	Codes    map[string]int64 `json:"codes,omitempty"`
}

// Series are the per-second (or per-sample) time series of one run.
type Series struct {
	// Per endpoint, per second: completed calls, and by class.
	Seconds   int                  `json:"seconds"`
	Endpoints map[string]*EpSeries `json:"endpoints"`
	Samples   []Sample             `json:"samples"`
	Extra     map[string][]float64 `json:"extra,omitempty"`
}

// EpSeries is one endpoint's per-second series.
type EpSeries struct {
	OK     []int64   `json:"ok"`
	Client []int64   `json:"client_4xx"`
	Server []int64   `json:"server_5xx"`
	Failed []int64   `json:"failed"`
	P50    []float64 `json:"p50_ms"`
	P99    []float64 `json:"p99_ms"`
}

// Sample is what the sampler saw at one instant.
type Sample struct {
	At        float64 `json:"t"`
	Waiting   int64   `json:"waiting"`
	Active    int64   `json:"active"`
	Admitted  int64   `json:"admitted_total"`
	AdmitRate float64 `json:"admit_rate"` // configured/effective, as the gate reports it
	Admits    float64 `json:"admits_per_s"`
	Sockets   int64   `json:"sockets"`
	Conns     int64   `json:"conns"`
	GateRSS   float64 `json:"gate_rss_mib"`
	CoreRSS   float64 `json:"core_rss_mib"`
	RedisOps  float64 `json:"redis_ops_per_s"`
	Commits   float64 `json:"core_commits_per_s"`
	CPU       float64 `json:"cpu_busy_pct"`
	// ProcCPU is the CPU use of each process of the stack, in % of one
	// core: loadgen, gate, core, mysql, redis (those found).
	ProcCPU map[string]float64 `json:"proc_cpu_pct,omitempty"`
	// ReplicaLag is the replica's Seconds_Behind_Master (-1 unknown).
	ReplicaLag float64 `json:"replica_lag_s"`
}

// figure builds a figure; baseline ≤ 0 means none.
func figure(key, name, unit string, v, baseline float64, baselineLabel string) Figure {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Figure{Key: key, Name: name, Unit: unit, NA: true}
	}
	f := Figure{Key: key, Name: name, Unit: unit, Value: round(v)}
	if baseline > 0 && !math.IsNaN(baseline) {
		f.Baseline = ptr(round(baseline))
		f.BaselineLabel = baselineLabel
		f.Ratio = ptr(math.Round(v/baseline*1000) / 1000)
	}
	return f
}

// target sets the figure's target: text for people, op and value to
// decide whether it is met.
func (f Figure) target(text, op string, value float64) Figure {
	f.Target, f.TargetOp, f.TargetValue = text, op, value
	f.judge()
	return f
}

// judge sets Met from the target.
func (f *Figure) judge() {
	if f.NA {
		f.Met = nil
		return
	}
	var met bool
	switch f.TargetOp {
	case ">=":
		met = f.Value >= f.TargetValue
	case "<=":
		met = f.Value <= f.TargetValue
	case "==":
		met = f.Value == f.TargetValue
	case "ratio>=":
		met = f.Ratio != nil && *f.Ratio >= f.TargetValue
	default:
		return
	}
	f.Met = &met
}

func (f Figure) original(text string) Figure {
	f.Original = text
	return f
}

func (f Figure) lower() Figure {
	f.LowerIsBetter = true
	return f
}

func round(v float64) float64 {
	switch a := math.Abs(v); {
	case a >= 100:
		return math.Round(v)
	case a >= 1:
		return math.Round(v*100) / 100
	}
	return math.Round(v*10000) / 10000
}

// human formats a figure's value with thousands separators.
func human(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if math.Abs(v) >= 100 || v == math.Trunc(v) {
		s := fmt.Sprintf("%.0f", v)
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		var b strings.Builder
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(c)
		}
		if neg {
			return "-" + b.String()
		}
		return b.String()
	}
	if math.Abs(v) >= 1 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// WriteSummary prints the summary table: every figure with its baseline,
// ratio, the original's figure and the target.
func (r *Results) WriteSummary(w io.Writer) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\tfigure\tvalue\tbaseline (same run)\tratio\toriginal\ttarget\tmet\n")
	fmt.Fprintf(tw, "--------\t------\t-----\t-------------------\t-----\t--------\t------\t---\n")
	for _, s := range r.Scenarios {
		if s.Status != "ok" {
			fmt.Fprintf(tw, "%s\t%s: %s\t\t\t\t\t\t\n", s.ID, strings.ToUpper(s.Status), oneLine(s.Note, 90))
		}
		for _, f := range s.Figures {
			base, ratio, met := "", "", ""
			if f.Baseline != nil {
				base = human(*f.Baseline) + " " + f.BaselineLabel
			}
			if f.Ratio != nil {
				ratio = fmt.Sprintf("%.2f×", *f.Ratio)
			}
			if f.Met != nil {
				met = map[bool]string{true: "yes", false: "NO"}[*f.Met]
			}
			value := human(f.Value) + " " + f.Unit
			if f.NA {
				value = "n/a"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, f.Name, value,
				base, ratio, f.Original, f.Target, met)
		}
		if len(s.Invariants) > 0 {
			bad := []string{}
			for _, c := range s.Invariants {
				if !c.OK {
					bad = append(bad, c.Name)
				}
			}
			verdict := fmt.Sprintf("all %d hold", len(s.Invariants))
			if len(bad) > 0 {
				verdict = "VIOLATED: " + strings.Join(bad, ", ")
			}
			fmt.Fprintf(tw, "%s\tinvariants\t%s\t\t\t\t\t\n", s.ID, verdict)
		}
	}
	tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// stats summarizes an endpoint.
func stats(e *Endpoint) EndpointStats {
	q := e.Latency.Quantiles(0.5, 0.9, 0.99, 0.999)
	first, last := e.Span()
	st := EndpointStats{
		Name: e.Name, Count: e.Count(),
		P50: ms(q[0]), P90: ms(q[1]), P99: ms(q[2]), P999: ms(q[3]), Max: ms(e.Latency.Max()),
		Statuses: map[string]int64{}, Codes: e.Codes(),
	}
	if span := last.Sub(first).Seconds(); span > 0 {
		st.Rate = round(float64(st.Count) / span)
	}
	for s, n := range e.Statuses() {
		k := fmt.Sprint(s)
		if s == 0 {
			k = "no answer"
		}
		st.Statuses[k] = n
	}
	if len(st.Codes) == 0 {
		st.Codes = nil
	}
	return st
}

func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

// median returns the median of vs (the mean of the middle two when even).
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
