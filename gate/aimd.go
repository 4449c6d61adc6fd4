package gate

import (
	"sync"
	"time"
)

// LatencyBounds are the upper bounds of Load's latency buckets; a last
// bucket counts everything slower.
var LatencyBounds = [...]time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
	2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// Load is what the gates saw of the core through the proxy: requests,
// errors (5xx answers and failed upstream calls) and a latency histogram.
type Load struct {
	Requests int64
	Errors   int64
	Buckets  [len(LatencyBounds) + 1]int64
}

// Add adds o to l.
func (l *Load) Add(o Load) {
	l.Requests += o.Requests
	l.Errors += o.Errors
	for i := range l.Buckets {
		l.Buckets[i] += o.Buckets[i]
	}
}

// ErrorRate is Errors / Requests, 0 without requests.
func (l Load) ErrorRate() float64 {
	if l.Requests == 0 {
		return 0
	}
	return float64(l.Errors) / float64(l.Requests)
}

// P99 is the upper bound of the bucket holding the 99th percentile; slower
// than the last bound reads as twice it.
func (l Load) P99() time.Duration {
	var total int64
	for _, n := range l.Buckets {
		total += n
	}
	if total == 0 {
		return 0
	}
	need := (total*99 + 99) / 100
	var seen int64
	for i, n := range l.Buckets {
		seen += n
		if seen >= need {
			if i < len(LatencyBounds) {
				return LatencyBounds[i]
			}
			break
		}
	}
	return 2 * LatencyBounds[len(LatencyBounds)-1]
}

// LoadMeter accumulates one gate's Load between flushes. Safe for
// concurrent use.
type LoadMeter struct {
	mu   sync.Mutex
	load Load
}

// Record counts one proxied request.
func (m *LoadMeter) Record(d time.Duration, failed bool) {
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	m.mu.Lock()
	m.load.Requests++
	if failed {
		m.load.Errors++
	}
	m.load.Buckets[i]++
	m.mu.Unlock()
}

// Take returns the Load recorded since the last Take and resets it.
func (m *LoadMeter) Take() Load {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.load
	m.load = Load{}
	return l
}

// AIMD adapts the admission rate to the core's health: each Update with
// degraded figures (p99 above P99 or error rate above ErrorRate, over at
// least MinRequests) multiplies the rate by Decrease, at most once per
// Cooldown; healthy figures add Increase times the configured rate per
// second. The rate stays between Floor times the configured rate and the
// configured rate. Not safe for concurrent use; the leader owns it.
type AIMD struct {
	P99         time.Duration // default 1 s
	ErrorRate   float64       // default 0.05
	MinRequests int64         // default 20
	Decrease    float64       // default 0.7
	Increase    float64       // default 0.1
	Floor       float64       // default 0.05
	Cooldown    time.Duration // default 3 s

	rate         float64
	lastDecrease time.Time
	last         time.Time
}

func (a *AIMD) defaults() {
	if a.P99 == 0 {
		a.P99 = time.Second
	}
	if a.ErrorRate == 0 {
		a.ErrorRate = 0.05
	}
	if a.MinRequests == 0 {
		a.MinRequests = 20
	}
	if a.Decrease == 0 {
		a.Decrease = 0.7
	}
	if a.Increase == 0 {
		a.Increase = 0.1
	}
	if a.Floor == 0 {
		a.Floor = 0.05
	}
	if a.Cooldown == 0 {
		a.Cooldown = 3 * time.Second
	}
}

// Reset starts the controller at rate (a new leader continues from the
// stored effective rate).
func (a *AIMD) Reset(rate float64) {
	a.rate, a.last, a.lastDecrease = rate, time.Time{}, time.Time{}
}

// Rate returns the current effective rate.
func (a *AIMD) Rate() float64 { return a.rate }

// Degraded reports whether l shows a degraded core.
func (a *AIMD) Degraded(l Load) bool {
	a.defaults()
	return l.Requests >= a.MinRequests && (l.P99() > a.P99 || l.ErrorRate() > a.ErrorRate)
}

// Update adjusts the rate at now to l, the load of the last few seconds,
// under the configured rate, and returns the new effective rate.
func (a *AIMD) Update(now time.Time, configured float64, l Load) float64 {
	a.defaults()
	elapsed := 1.0
	if !a.last.IsZero() {
		elapsed = min(now.Sub(a.last).Seconds(), 5)
	}
	a.last = now
	floor := configured * a.Floor
	switch {
	case a.Degraded(l):
		if now.Sub(a.lastDecrease) >= a.Cooldown {
			a.rate *= a.Decrease
			a.lastDecrease = now
		}
	default:
		a.rate += configured * a.Increase * elapsed
	}
	a.rate = min(max(a.rate, floor), configured)
	return a.rate
}
