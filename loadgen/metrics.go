package loadgen

import (
	"bufio"
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The services export Prometheus histograms of their own latencies on
// /metrics: per route, per MySQL operation, per Redis command, for the
// proxy. Scraped before and after a run, their difference says where the
// time went inside the services, which the client-side figures cannot.

// serverHist is one histogram: upper bound (seconds) → cumulative count.
type serverHist map[float64]float64

// serverSnapshot is every latency histogram of one service, by a key such
// as "http route=enroll" or "mysql op=enroll", summed over the statuses.
type serverSnapshot map[string]serverHist

// histFamilies are the histograms scraped and their short names.
var histFamilies = map[string]string{
	"classmate_http_request_duration_seconds":  "http",
	"classmate_mysql_op_duration_seconds":      "mysql",
	"classmate_redis_command_duration_seconds": "redis",
	"classmate_gate_proxy_duration_seconds":    "proxy",
}

// scrape reads the histograms from the /metrics of the service behind c,
// or nil when it does not answer.
func scrape(c *Client) serverSnapshot {
	r := c.Call(nil, 0, "GET", "/metrics", "", nil)
	if r.Status != 200 {
		return nil
	}
	snap := serverSnapshot{}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "_bucket{")
		if !ok {
			continue
		}
		family, ok := histFamilies[name]
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		key := family
		le := math.NaN()
		for _, kv := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.Trim(v, `"`)
			switch k {
			case "le":
				if v == "+Inf" {
					le = math.Inf(1)
				} else if f, err := strconv.ParseFloat(v, 64); err == nil {
					le = f
				}
			case "status", "service":
			default:
				key += " " + k + "=" + v
			}
		}
		if math.IsNaN(le) {
			continue
		}
		if snap[key] == nil {
			snap[key] = serverHist{}
		}
		snap[key][le] += n
	}
	return snap
}

// since returns the counts recorded after before was taken (before may be
// nil: nothing before).
func (s serverSnapshot) since(before serverSnapshot) serverSnapshot {
	out := serverSnapshot{}
	for k, h := range s {
		d := serverHist{}
		for le, n := range h {
			d[le] = n - before[k][le]
		}
		out[k] = d
	}
	return out
}

// quantile returns the q-quantile of key in milliseconds, NaN when absent.
func (s serverSnapshot) quantile(key string, q float64) float64 {
	h, ok := s[key]
	if !ok {
		return math.NaN()
	}
	return h.quantile(q)
}

// count returns the observations of a histogram.
func (h serverHist) count() float64 {
	return h[math.Inf(1)]
}

// quantile estimates the q-quantile in milliseconds the way Prometheus's
// histogram_quantile does: linear within the bucket that holds it; beyond
// the last finite bound it reports that bound. NaN when empty.
func (h serverHist) quantile(q float64) float64 {
	les := make([]float64, 0, len(h))
	for le := range h {
		les = append(les, le)
	}
	sort.Float64s(les)
	if len(les) == 0 {
		return math.NaN()
	}
	total := h[les[len(les)-1]]
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	prevLE, prevN := 0.0, 0.0
	for _, le := range les {
		n := h[le]
		if n >= rank {
			if math.IsInf(le, 1) {
				return prevLE * 1000
			}
			if n == prevN {
				return le * 1000
			}
			return (prevLE + (le-prevLE)*(rank-prevN)/(n-prevN)) * 1000
		}
		prevLE, prevN = le, n
	}
	return prevLE * 1000
}

// ServerStat is one histogram of a service over a run.
type ServerStat struct {
	Service string  `json:"service"`
	What    string  `json:"what"`
	Count   int64   `json:"count"`
	P50     float64 `json:"p50_ms"`
	P99     float64 `json:"p99_ms"`
}

// serverStats lists the histograms that moved during a run, busiest first
// per service.
func serverStats(service string, d serverSnapshot) []ServerStat {
	var out []ServerStat
	for k, h := range d {
		n := h.count()
		if n < 1 || strings.Contains(k, "route=metrics") || strings.Contains(k, "route=healthz") || strings.Contains(k, "route=readyz") {
			continue
		}
		out = append(out, ServerStat{Service: service, What: k, Count: int64(n), P50: round(h.quantile(0.5)), P99: round(h.quantile(0.99))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// serverWatch scrapes the gate and the core at the start of a run and
// reports what happened inside them at its end.
type serverWatch struct {
	e          *Env
	gate, core serverSnapshot
}

func (e *Env) watchServers() *serverWatch {
	return &serverWatch{e: e, gate: scrape(e.Gate), core: scrape(e.Core)}
}

// done returns the differences since the start.
func (w *serverWatch) done() (gate, core serverSnapshot) {
	if g := scrape(w.e.Gate); g != nil {
		gate = g.since(w.gate)
	}
	if c := scrape(w.e.Core); c != nil {
		core = c.since(w.core)
	}
	return gate, core
}
