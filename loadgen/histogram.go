package loadgen

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram counts durations in log-linear buckets of microseconds: 2^sub
// buckets per power of two, so a quantile is off by at most 1/2^sub of its
// value. Record is safe for concurrent use and does not allocate.
type Histogram struct {
	sub    uint
	counts []atomic.Int64
	total  atomic.Int64
	max    atomic.Int64
}

// octaves covers 1 µs to 2^40 µs (about 12 days).
const octaves = 41

// NewHistogram returns a histogram with 2^sub buckets per power of two.
func NewHistogram(sub uint) *Histogram {
	return &Histogram{sub: sub, counts: make([]atomic.Int64, (octaves+1)<<sub)}
}

func (h *Histogram) index(us int64) int {
	if us < 0 {
		us = 0
	}
	n := int64(1) << h.sub
	if us < n {
		return int(us)
	}
	e := bits.Len64(uint64(us)) - int(h.sub) - 1 // us>>e is in [n, 2n)
	i := (e+1)<<h.sub + int(us>>e) - int(n)
	return min(i, len(h.counts)-1)
}

// value returns the middle of bucket i, in microseconds.
func (h *Histogram) value(i int) float64 {
	n := 1 << h.sub
	if i < n {
		return float64(i)
	}
	e := i>>h.sub - 1
	lo := float64((i&(n-1))+n) * math.Exp2(float64(e))
	return lo + math.Exp2(float64(e))/2
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	h.counts[h.index(us)].Add(1)
	h.total.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			break
		}
	}
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() int64 { return h.total.Load() }

// Max returns the largest duration recorded.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) * time.Microsecond }

// Quantiles returns the durations at the quantiles qs (each in [0, 1]), in
// one pass; zero when nothing was recorded.
func (h *Histogram) Quantiles(qs ...float64) []time.Duration {
	out := make([]time.Duration, len(qs))
	total := h.total.Load()
	if total == 0 {
		return out
	}
	ranks := make([]int64, len(qs))
	for i, q := range qs {
		ranks[i] = int64(math.Ceil(q * float64(total)))
		if ranks[i] < 1 {
			ranks[i] = 1
		}
	}
	var seen int64
	maxUS := float64(h.max.Load())
	for i := range h.counts {
		c := h.counts[i].Load()
		if c == 0 {
			continue
		}
		seen += c
		for j, r := range ranks {
			if out[j] == 0 && seen >= r {
				out[j] = time.Duration(math.Min(h.value(i), maxUS) * float64(time.Microsecond))
			}
		}
	}
	for j := range out {
		if out[j] == 0 {
			out[j] = h.Max()
		}
	}
	return out
}

// Merge adds o's counts to h; both must have the same sub.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	h.total.Add(o.total.Load())
	for {
		m, om := h.max.Load(), o.max.Load()
		if om <= m || h.max.CompareAndSwap(m, om) {
			break
		}
	}
}
