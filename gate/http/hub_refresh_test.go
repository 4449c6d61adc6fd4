package http

import (
	"testing"
	"time"
)

// TestRefreshAfter checks the resend age against the contract's 2 s: the
// tick a frame is resent on (ages are whole ticks, give or take jitter)
// leaves the margin for a late tick, and is the last tick that does.
func TestRefreshAfter(t *testing.T) {
	for _, tc := range []struct {
		tick, interval, gap time.Duration
	}{
		{500 * time.Millisecond, 2 * time.Second, 1500 * time.Millisecond},
		{200 * time.Millisecond, 2 * time.Second, 1400 * time.Millisecond},
		{250 * time.Millisecond, 2 * time.Second, 1500 * time.Millisecond},
		{time.Second, 2 * time.Second, time.Second},
		{100 * time.Millisecond, 600 * time.Millisecond, 400 * time.Millisecond},
	} {
		h := &Hub{Tick: tc.tick, Interval: tc.interval}
		r := h.refreshAfter()
		for _, jitter := range []time.Duration{-time.Millisecond, 0, time.Millisecond} {
			// The first tick whose age reaches r.
			gap := tc.tick
			for gap+jitter < r {
				gap += tc.tick
			}
			if gap != tc.gap {
				t.Errorf("tick %v, interval %v, jitter %v: resent after %v, want %v", tc.tick, tc.interval, jitter, gap, tc.gap)
			}
		}
	}
}
