package gate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"classmate/gate"
)

func TestLoad(t *testing.T) {
	var m gate.LoadMeter
	for range 98 {
		m.Record(3*time.Millisecond, false)
	}
	m.Record(400*time.Millisecond, true)
	m.Record(20*time.Second, true)
	l := m.Take()
	assert.Equal(t, int64(100), l.Requests)
	assert.Equal(t, 0.02, l.ErrorRate())
	assert.Equal(t, 500*time.Millisecond, l.P99())
	assert.Zero(t, m.Take().Requests, "Take resets")
	var sum gate.Load
	sum.Add(l)
	sum.Add(l)
	assert.Equal(t, int64(200), sum.Requests)
	assert.Zero(t, gate.Load{}.P99())
}

func TestAIMD(t *testing.T) {
	now := time.Date(2026, 2, 16, 10, 0, 0, 0, time.UTC)
	a := gate.AIMD{}
	a.Reset(100)
	slow := gate.Load{Requests: 100}
	slow.Buckets[9] = 100 // 5 s
	assert.InDelta(t, 70, a.Update(now, 100, slow), 1e-9, "multiplicative decrease")
	assert.InDelta(t, 70, a.Update(now.Add(time.Second), 100, slow), 1e-9, "once per cooldown")
	assert.InDelta(t, 49, a.Update(now.Add(3*time.Second), 100, slow), 1e-9)
	few := gate.Load{Requests: 5, Errors: 5}
	assert.InDelta(t, 59, a.Update(now.Add(4*time.Second), 100, few), 1e-9, "too few requests to judge: additive increase")
	for i := range 100 {
		a.Update(now.Add(time.Duration(5+i)*time.Second), 100, gate.Load{})
	}
	assert.Equal(t, 100.0, a.Rate(), "never above the configured rate")
	for i := range 100 {
		a.Update(now.Add(time.Duration(200+3*i)*time.Second), 100, slow)
	}
	assert.InDelta(t, 5, a.Rate(), 1e-9, "never below the floor")
	assert.InDelta(t, 25, a.Update(now.Add(time.Hour), 40, gate.Load{}), 1e-9, "+10% of the configured rate a second, 5 s at most")
	a.Reset(100)
	assert.Equal(t, 40.0, a.Update(now.Add(2*time.Hour), 40, gate.Load{}), "a lower configured rate caps at once")
}

func TestEstimator(t *testing.T) {
	now := time.Date(2026, 2, 16, 10, 0, 0, 0, time.UTC)
	room := gate.RoomState{Room: gate.DefaultRoom(now.Add(-time.Hour)), Configured: true, Opened: true, EffectiveRate: 10}
	var e gate.Estimator
	eta, lo, hi := e.ETA(100, now, room, gate.StateWaiting)
	assert.Equal(t, int64(10), eta, "no observations: the effective rate")
	assert.Equal(t, eta, lo)
	assert.Equal(t, eta, hi)
	for i := range 21 { // 50 a second for 10 s, 20 a second for 10 s
		n := int64(min(i, 10)*25 + max(i-10, 0)*10)
		e.Observe(now.Add(time.Duration(i)*500*time.Millisecond), n)
	}
	r := e.Rates()
	assert.InDelta(t, 35, r.Mean, 0.01)
	assert.InDelta(t, 20, r.Low, 0.01)
	assert.InDelta(t, 50, r.High, 0.01)
	eta, lo, hi = e.ETA(700, now, room, gate.StateWaiting)
	assert.Equal(t, int64(20), eta)
	assert.Equal(t, int64(14), lo)
	assert.Equal(t, int64(35), hi)
	pre := room
	pre.Opened, pre.Room.OpensAt = false, now.Add(time.Minute)
	eta, _, _ = e.ETA(700, now, pre, gate.StatePrequeue)
	assert.Equal(t, int64(80), eta, "the wait for the opening comes first")
	assert.Equal(t, [3]int64{}, func() [3]int64 {
		a, b, c := (*gate.Estimator)(nil).ETA(0, now, room, gate.StateWaiting)
		return [3]int64{a, b, c}
	}())
}
