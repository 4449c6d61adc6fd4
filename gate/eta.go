package gate

import (
	"sync"
	"time"
)

// etaWindow is how far back the Estimator looks.
const etaWindow = 20 * time.Second

// etaSlice is the length of the sub-windows whose rates bound the ETA range.
const etaSlice = 2 * time.Second

// Estimator estimates the admission rate from observed samples of the
// room's admission counter, for ETAs. Each gate keeps one and feeds it once
// per tick (Observe); it is safe for concurrent use, and a nil *Estimator
// falls back to the room's effective rate.
type Estimator struct {
	mu      sync.Mutex
	samples []sample // oldest first, within etaWindow
}

type sample struct {
	t time.Time
	n int64
}

// Observe records the room's admitted total at t.
func (e *Estimator) Observe(t time.Time, admittedTotal int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := len(e.samples); n > 0 && admittedTotal < e.samples[n-1].n {
		e.samples = e.samples[:0] // the counter went back: a reset room
	}
	e.samples = append(e.samples, sample{t, admittedTotal})
	cut := 0
	for cut < len(e.samples)-1 && t.Sub(e.samples[cut].t) > etaWindow {
		cut++
	}
	if cut > 0 {
		e.samples = append(e.samples[:0], e.samples[cut:]...)
	}
}

// Rates are admission rates per second: the mean over the Estimator's
// window and the lowest and highest of its sub-windows; all zero without
// at least a second of samples.
type Rates struct {
	Mean, Low, High float64
}

// Rates returns the rates observed so far.
func (e *Estimator) Rates() Rates {
	if e == nil {
		return Rates{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(e.samples)
	if n < 2 {
		return Rates{}
	}
	first, last := e.samples[0], e.samples[n-1]
	span := last.t.Sub(first.t).Seconds()
	if span < 1 {
		return Rates{}
	}
	mean := float64(last.n-first.n) / span
	r := Rates{Mean: mean, Low: mean, High: mean}
	start := 0
	for i := 1; i < n; i++ {
		d := e.samples[i].t.Sub(e.samples[start].t)
		if d < etaSlice {
			continue
		}
		x := float64(e.samples[i].n-e.samples[start].n) / d.Seconds()
		r.Low, r.High = min(r.Low, x), max(r.High, x)
		start = i
	}
	return r
}

// ETA is Rates().ETA: the Estimator's current estimate.
func (e *Estimator) ETA(position int64, now time.Time, room RoomState, phase State) (eta, low, high int64) {
	return e.Rates().ETA(position, now, room, phase)
}

// ETA returns the expected seconds until a ticket at position is admitted,
// and a range around it from the sub-window rates. Without observations
// (before the opening, or paused) the rate is the room's effective rate,
// at least one a second. A pre-queue ticket adds the time until the
// opening. Cheap: the hub calls it for every frame.
func (r Rates) ETA(position int64, now time.Time, room RoomState, phase State) (eta, low, high int64) {
	if position <= 0 {
		return 0, 0, 0
	}
	mean, lo, hi := r.Mean, r.Low, r.High
	if mean <= 0 {
		mean = max(room.EffectiveRate, 1)
		lo, hi = mean, mean
	}
	// A stalled sub-window (a full room, a pause) would make the upper
	// bound infinite: cap the pessimism at a quarter of the mean rate.
	lo = max(lo, mean/4)
	var wait float64
	if phase == StatePrequeue && now.Before(room.Room.OpensAt) {
		wait = room.Room.OpensAt.Sub(now).Seconds()
	}
	p := float64(position)
	return ceilSeconds(wait + p/mean), ceilSeconds(wait + p/hi), ceilSeconds(wait + p/lo)
}
