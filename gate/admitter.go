package gate

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"classmate/token"
)

// MaxTick is the longest admission tick: the room admits at least four
// times a second.
const MaxTick = 250 * time.Millisecond

// maxPerTick bounds the admissions of one tick, so one tick stays short
// however large the rate.
const maxPerTick = 5000

// loadWindow is how many whole seconds of proxy figures AIMD looks at.
const loadWindow = 3

// Admitter runs the room's admission tick. Every gate instance runs one:
// each tick it flushes its proxy figures (Meter) to the store, and the
// instance holding the lock also sweeps ended admissions and silent
// waiters, performs the lottery draw when it is due, adapts the effective
// rate (AIMD) once a second and admits students from the head of the
// queue, minting their admission tokens with Issuer.
//
// Set the exported fields, then call Run, or Step from tests. Leader and
// EffectiveRate are safe to call concurrently with Run.
type Admitter struct {
	Store  AdmitStore
	Lock   Lock
	Issuer token.Issuer // the admission keyring
	Meter  *LoadMeter   // may be nil
	Tick   time.Duration
	Grace  time.Duration // silence after which a waiter loses the place
	AIMD   AIMD
	Now    func() time.Time
	Log    *slog.Logger
	// KeepLockOnStop leaves the lock to expire instead of releasing it when
	// Run ends, as a crashed instance would (for failover tests).
	KeepLockOnStop bool

	mu         sync.Mutex // serializes Step
	leader     atomic.Bool
	rate       atomic.Uint64 // float64 bits of the effective rate
	carry      float64
	last       time.Time
	lastAIMD   time.Time
	configured float64 // the configured rate adapt last saw
}

func (a *Admitter) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Admitter) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.Default()
}

// Leader reports whether this instance held the lock at its last tick.
func (a *Admitter) Leader() bool { return a.leader.Load() }

// EffectiveRate returns the rate of the last tick this instance led, or 0.
func (a *Admitter) EffectiveRate() float64 { return math.Float64frombits(a.rate.Load()) }

// Run ticks until ctx ends, then releases the lock.
func (a *Admitter) Run(ctx context.Context) {
	tick := a.Tick
	if tick <= 0 || tick > MaxTick {
		tick = MaxTick
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if !a.KeepLockOnStop && a.Leader() {
				rctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_ = a.Lock.Release(rctx)
				cancel()
			}
			a.leader.Store(false)
			return
		case <-t.C:
		}
		sctx, cancel := context.WithTimeout(ctx, 2*tick+time.Second)
		if err := a.Step(sctx); err != nil && ctx.Err() == nil {
			a.log().Warn("admission tick", "err", err)
		}
		cancel()
	}
}

// Step runs one tick at Now.
func (a *Admitter) Step(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.Meter != nil {
		if l := a.Meter.Take(); l.Requests > 0 {
			if err := a.Store.AddLoad(ctx, now.Unix(), l); err != nil {
				a.log().Warn("flush proxy figures", "err", err)
			}
		}
	}
	held, err := a.Lock.Acquire(ctx)
	if err != nil || !held {
		if a.leader.Swap(false) {
			a.log().Info("lost the admission lock")
		}
		a.last = time.Time{}
		return err
	}
	lock := a.Lock.Token()
	newLeader := !a.leader.Swap(true)
	if newLeader {
		a.rate.Store(0) // until adapt has read the stored rate
		a.carry = 0
	}

	elapsed := a.Tick
	if !a.last.IsZero() {
		elapsed = min(now.Sub(a.last), time.Second)
	}
	a.last = now
	// The sweep returns candidates for the last tick's rate; a new leader,
	// which learns the rate from the sweep, asks for the most it may need.
	want := maxPerTick
	if !newLeader {
		want = int(math.Min(math.Floor(a.carry+a.EffectiveRate()*elapsed.Seconds()), maxPerTick))
	}
	res, err := a.Store.Sweep(ctx, lock, now, a.Grace, max(want, 0))
	if err != nil {
		return a.fenced(err)
	}
	room := res.Room
	if newLeader {
		a.log().Info("leading the admission tick")
		a.configured = math.NaN() // makes adapt start from the stored rate
	}
	if err := a.adapt(ctx, lock, now, room); err != nil {
		return err
	}
	if res.DrawDue {
		return a.draw(ctx, lock, room)
	}
	if room.Room.Paused || !room.Opened {
		a.carry = 0
		return nil
	}
	budget := a.carry + a.EffectiveRate()*elapsed.Seconds()
	if k := int(math.Min(math.Floor(budget), maxPerTick)); len(res.Candidates) > k {
		res.Candidates = res.Candidates[:max(k, 0)]
	}
	adm := make([]Admitted, 0, len(res.Candidates))
	ttl := room.Room.SessionTTL()
	iss := a.Issuer
	if iss.Now == nil {
		iss.Now = a.Now
	}
	for _, id := range res.Candidates {
		tok, claims, err := iss.Admission(id, ttl)
		if err != nil {
			return err
		}
		adm = append(adm, Admitted{StudentID: id, Admission: Admission{
			Token: tok, ID: claims.ID, AdmittedAt: claims.IssuedAt, ExpiresAt: claims.ExpiresAt,
		}})
	}
	n := 0
	if len(adm) > 0 {
		if n, err = a.Store.Admit(ctx, lock, now, adm); err != nil {
			return a.fenced(err)
		}
	}
	// Carry the fraction of a student to the next tick, but not budget
	// left unused for want of waiters or slots: it would become a burst.
	if float64(n) < math.Floor(budget) {
		a.carry = 0
	} else {
		a.carry = min(budget-float64(n), 1)
	}
	return nil
}

// adapt runs the AIMD controller once a second on the last whole seconds
// of proxy figures of every gate, and publishes the effective rate.
func (a *Admitter) adapt(ctx context.Context, lock string, now time.Time, room RoomState) error {
	configured := room.Room.AdmitPerSecond
	if configured != a.configured {
		// A new leader, or an admin changed the rate (which also reset the
		// stored effective rate): continue from the stored rate.
		a.configured = configured
		a.AIMD.Reset(min(room.EffectiveRate, configured))
		a.lastAIMD = time.Time{}
	}
	if !a.lastAIMD.IsZero() && now.Sub(a.lastAIMD) < time.Second {
		return nil
	}
	a.lastAIMD = now
	sec := now.Unix()
	load, err := a.Store.LoadSince(ctx, sec-loadWindow, sec-1)
	if err != nil {
		return err
	}
	before := a.AIMD.Rate()
	rate := a.AIMD.Update(now, configured, load)
	a.rate.Store(math.Float64bits(rate))
	if rate < before {
		a.log().Warn("core degraded: admission rate backed off", "rate", rate, "configured", configured,
			"p99", load.P99(), "error_rate", load.ErrorRate(), "requests", load.Requests)
	}
	if rate != room.EffectiveRate {
		if err := a.Store.SetEffectiveRate(ctx, lock, rate); err != nil {
			return a.fenced(err)
		}
	}
	return nil
}

// draw orders the pre-queue by the lottery and commits the order.
func (a *Admitter) draw(ctx context.Context, lock string, room RoomState) error {
	members, err := a.Store.PreQueue(ctx)
	if err != nil {
		return err
	}
	order := DrawOrder(room.Seed, members)
	if err := a.Store.CommitDraw(ctx, lock, order); err != nil {
		if errors.Is(err, ErrDrawChanged) {
			return nil // read again next tick
		}
		return a.fenced(err)
	}
	a.log().Info("lottery drawn", "students", len(order), "commitment", room.Commitment())
	return nil
}

// fenced turns ErrNotLeader into a step down.
func (a *Admitter) fenced(err error) error {
	if errors.Is(err, ErrNotLeader) {
		a.leader.Store(false)
		a.last = time.Time{}
		return nil
	}
	return err
}
