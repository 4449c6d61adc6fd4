package loadgen

import (
	"bufio"
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

// serverHist is one route's latency histogram as a service exports it on
// /metrics (classmate_http_request_duration_seconds), summed over the
// statuses: upper bound (seconds) → cumulative count.
type serverHist map[float64]float64

// scrapeHist reads the histogram of route from the /metrics of the service
// behind c, or nil when it is not there.
func scrapeHist(c *Client, route string) serverHist {
	r := c.Call(nil, 0, "GET", "/metrics", "", nil)
	if r.Status != 200 {
		return nil
	}
	h := serverHist{}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	prefix := "classmate_http_request_duration_seconds_bucket{"
	want := `route="` + route + `"`
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) || !strings.Contains(line, want) {
			continue
		}
		i := strings.Index(line, `le="`)
		j := strings.LastIndexByte(line, ' ')
		if i < 0 || j < i {
			continue
		}
		leS := line[i+4:]
		leS = leS[:strings.IndexByte(leS, '"')]
		le := math.Inf(1)
		if leS != "+Inf" {
			var err error
			if le, err = strconv.ParseFloat(leS, 64); err != nil {
				continue
			}
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(line[j+1:]), 64)
		if err != nil {
			continue
		}
		h[le] += n
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// since returns the counts recorded after before was scraped.
func (h serverHist) since(before serverHist) serverHist {
	out := serverHist{}
	for le, n := range h {
		out[le] = n - before[le]
	}
	return out
}

// quantile estimates the q-quantile in milliseconds the way Prometheus's
// histogram_quantile does: linear within the bucket that holds it. NaN
// when empty.
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
				return prevLE * 1000 // beyond the last finite bound: report it
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
