package redis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
	"classmate/gate/redis"
)

// admissionOrder returns the students sorted by their admission number;
// every student must be admitted.
func (e *env) admissionOrder(students []int64) []int64 {
	e.t.Helper()
	views, err := e.store.Views(e.ctx, students, e.clock.Now())
	require.NoError(e.t, err)
	sort.Slice(views, func(i, j int) bool { return views[i].Admission.Number < views[j].Admission.Number })
	out := make([]int64, len(views))
	for i, v := range views {
		require.NotNil(e.t, v.Admission, "student %d not admitted", v.StudentID)
		out[i] = v.StudentID
	}
	return out
}

func TestFIFOAdmissionOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 20, 1000)
	var joined []int64
	for i := range 60 {
		s := int64((i*37)%60 + 1) // not in id order
		e.join(s)
		joined = append(joined, s)
	}
	for range 30 {
		e.step(200 * time.Millisecond)
		// 20 a second, 4 a tick: never a burst above the rate.
		require.LessOrEqual(t, e.active(), int64(20*e.clock.Now().Sub(time.UnixMilli(0)).Seconds()))
	}
	assert.Equal(t, int64(60), e.active())
	assert.Equal(t, joined, e.admissionOrder(joined))
}

func TestAdmissionRate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 2.5, 1000) // a fraction of a student a tick
	for s := range int64(100) {
		e.join(s + 1)
	}
	e.step(200 * time.Millisecond) // becomes leader
	for range 50 {                 // ten seconds
		e.step(200 * time.Millisecond)
	}
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.InDelta(t, 25, st.AdmittedTotal, 2, "2.5 a second for 10 s, the fraction carried")
}

func TestLotteryDraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.room(10*time.Second, gate.ModeLottery, 1000, 1000)
	commitment := st.Commitment()
	require.NotEmpty(t, commitment)
	var pre []int64
	for i := range 50 {
		s := int64(i + 1)
		v := e.join(s)
		require.Equal(t, gate.StatePrequeue, v.State(e.clock.Now()))
		assert.Equal(t, int64(i+1), v.Position(e.clock.Now()), "the pre-queue's size before the draw")
		pre = append(pre, s)
	}
	// Moving opens_at before the opening moves the draw.
	later := e.clock.Now().Add(20 * time.Second)
	e.store.UpdateRoom(e.ctx, gate.RoomPatch{OpensAt: &later})
	e.step(15 * time.Second)
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.False(t, st.Opened)
	assert.Equal(t, int64(0), st.AdmittedTotal)
	assert.Empty(t, st.RevealedSeed())

	e.step(5 * time.Second) // opens, draws
	st, err = e.store.Room(e.ctx)
	require.NoError(t, err)
	require.True(t, st.Opened)
	require.True(t, st.Drawn)
	seed, err := hex.DecodeString(st.RevealedSeed())
	require.NoError(t, err)
	sum := sha256.Sum256(seed)
	require.Equal(t, commitment, hex.EncodeToString(sum[:]), "the revealed seed matches the commitment")

	// Late joiners queue behind the pre-queue, in join order.
	late := []int64{1000, 999, 998}
	for _, s := range late {
		v := e.join(s)
		require.Equal(t, gate.StateWaiting, v.State(e.clock.Now()))
	}
	want := append(gate.DrawOrder(seed, pre), late...)
	for i, s := range want {
		assert.Equal(t, int64(i+1), e.view(s).Position(e.clock.Now()), "student %d", s)
	}
	_, order, err := e.store.Draw(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, gate.DrawOrder(seed, pre), order)

	// Moving opens_at after the opening does not change the order.
	earlier := e.clock.Now().Add(-time.Hour)
	e.store.UpdateRoom(e.ctx, gate.RoomPatch{OpensAt: &earlier})
	for range 10 {
		e.step(200 * time.Millisecond)
	}
	assert.Equal(t, want, e.admissionOrder(want))
}

// TestMaxActive samples the active set continuously while students join,
// get admitted and leave concurrently: it never exceeds max_active.
func TestMaxActive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const limit = 20
	e.room(0, gate.ModeFIFO, 10000, limit)
	stop := make(chan struct{})
	var peak, samples atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // sampler
		defer wg.Done()
		key := e.store.LockKey()[:len(e.store.LockKey())-len("lock")] + "act"
		for {
			select {
			case <-stop:
				return
			default:
			}
			n, err := e.client.ZCard(e.ctx, key).Result()
			if err == nil {
				samples.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
			}
		}
	}()
	wg.Add(1)
	go func() { // admitter
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			e.clock.Advance(50 * time.Millisecond)
			assert.NoError(t, e.adm.Step(e.ctx))
		}
	}()
	var students sync.WaitGroup
	end := time.Now().Add(1500 * time.Millisecond)
	for s := range int64(100) {
		students.Add(1)
		go func() {
			defer students.Done()
			for time.Now().Before(end) {
				_, err := e.store.Join(e.ctx, s+1, e.clock.Now())
				assert.NoError(t, err)
				time.Sleep(time.Duration(s%20) * time.Millisecond)
				_, err = e.store.Leave(e.ctx, s+1, e.clock.Now())
				assert.NoError(t, err)
			}
			_, err := e.store.Join(e.ctx, s+1, e.clock.Now())
			assert.NoError(t, err)
		}()
	}
	students.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for e.active() < limit && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	t.Logf("admitted %d, %d samples, peak %d", st.AdmittedTotal, samples.Load(), peak.Load())
	assert.LessOrEqual(t, peak.Load(), int64(limit))
	assert.Equal(t, int64(limit), st.Active)
	assert.Greater(t, st.AdmittedTotal, int64(limit), "slots were freed and reused")
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 100, 2, func(p *gate.RoomPatch) { s := 5; p.SessionSeconds = &s })
	for s := range int64(4) {
		e.join(s + 1)
	}
	e.step(200 * time.Millisecond)
	e.step(200 * time.Millisecond)
	assert.Equal(t, int64(2), e.active())
	v := e.view(1)
	require.Equal(t, gate.StateAdmitted, v.State(e.clock.Now()))
	assert.Equal(t, v.Admission.AdmittedAt.Add(5*time.Second), v.Admission.ExpiresAt)
	e.step(4 * time.Second)
	assert.Equal(t, gate.StateWaiting, e.view(3).State(e.clock.Now()))
	e.step(2 * time.Second) // the sessions of 1 and 2 ended
	e.step(200 * time.Millisecond)
	assert.Equal(t, gate.StateExpired, e.view(1).State(e.clock.Now()))
	assert.Equal(t, gate.StateAdmitted, e.view(3).State(e.clock.Now()))
	assert.Equal(t, gate.StateAdmitted, e.view(4).State(e.clock.Now()))
	assert.Equal(t, int64(2), e.active())
	// Joining again after the end gives a new ticket at the back.
	old := e.view(1).Ticket
	v = e.join(1)
	assert.NotEqual(t, old, v.Ticket)
	assert.Equal(t, gate.StateWaiting, v.State(e.clock.Now()))
}

func TestAbandonment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 100, 100, func(p *gate.RoomPatch) { b := true; p.Paused = &b })
	for s := range int64(4) {
		e.join(s + 1)
	}
	e.step(30 * time.Second)
	require.NoError(t, e.store.Touch(e.ctx, []int64{2}, e.clock.Now())) // a socket
	_, err := e.store.View(e.ctx, 3, e.clock.Now(), true)               // a poll
	require.NoError(t, err)
	e.step(40 * time.Second) // 1 and 4 silent for 70 s
	now := e.clock.Now()
	assert.Equal(t, gate.StateExpired, e.view(1).State(now))
	assert.Equal(t, gate.StateExpired, e.view(4).State(now))
	assert.Equal(t, int64(1), e.view(2).Position(now))
	assert.Equal(t, int64(2), e.view(3).Position(now))
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), st.Departed)
	assert.Equal(t, int64(2), st.Waiting)
}

func TestAIMD(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 100, 100)
	e.step(time.Second)
	sec := e.clock.Now().Unix()
	for s := sec - 3; s < sec+10; s++ {
		require.NoError(t, e.store.AddLoad(e.ctx, s, gate.Load{Requests: 50, Errors: 25}))
	}
	e.step(time.Second)
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.InDelta(t, 70, st.EffectiveRate, 0.01, "backed off multiplicatively")
	assert.InDelta(t, 70, e.adm.EffectiveRate(), 0.01)
	e.step(time.Second) // within the cooldown
	e.step(2 * time.Second)
	st, _ = e.store.Room(e.ctx)
	assert.InDelta(t, 49, st.EffectiveRate, 0.01)
	e.step(10 * time.Second) // healthy again: +10 a second, for at most 5 s
	st, _ = e.store.Room(e.ctx)
	assert.InDelta(t, 99, st.EffectiveRate, 0.01, "recovers additively")
	e.step(time.Second)
	st, _ = e.store.Room(e.ctx)
	assert.Equal(t, 100.0, st.EffectiveRate, "never above the configured rate")
	assert.Equal(t, 100.0, st.Room.AdmitPerSecond)
}

// TestFailover: a second admitter takes over within two lock TTLs of the
// leader's crash (it stops renewing without releasing); nobody is admitted
// twice.
func TestFailover(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 50, 1000)
	const ttl = 500 * time.Millisecond
	newAdmitter := func(name string) *gate.Admitter {
		return &gate.Admitter{Store: e.store, Lock: &redis.Lock{Store: e.store, TTL: ttl, Instance: name},
			Issuer: e.adm.Issuer, Tick: 100 * time.Millisecond, Grace: time.Minute}
	}
	a, b := newAdmitter("a"), newAdmitter("b")
	for s := range int64(200) {
		_, err := e.store.Join(e.ctx, s+1, time.Now())
		require.NoError(t, err)
	}
	for range 5 {
		require.NoError(t, a.Step(e.ctx))
		require.NoError(t, b.Step(e.ctx))
		time.Sleep(100 * time.Millisecond)
	}
	require.True(t, a.Leader())
	require.False(t, b.Leader())
	before, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	require.Positive(t, before.AdmittedTotal)

	crash := time.Now() // a stops ticking
	for !b.Leader() {
		require.NoError(t, b.Step(e.ctx))
		time.Sleep(50 * time.Millisecond)
		require.Less(t, time.Since(crash), 2*ttl, "b must lead within two lock TTLs")
	}
	require.NoError(t, a.Step(e.ctx))
	assert.False(t, a.Leader(), "the old leader steps down")
	for range 5 {
		time.Sleep(100 * time.Millisecond)
		require.NoError(t, b.Step(e.ctx))
	}
	after, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.Greater(t, after.AdmittedTotal, before.AdmittedTotal)

	students := make([]int64, 200)
	for i := range students {
		students[i] = int64(i + 1)
	}
	views, err := e.store.Views(e.ctx, students, time.Now())
	require.NoError(t, err)
	var numbers []int64
	for _, v := range views {
		if v.Admission != nil {
			numbers = append(numbers, v.Admission.Number)
		}
	}
	slices.Sort(numbers)
	assert.Len(t, numbers, int(after.AdmittedTotal), "one admission per student")
	for i, n := range numbers {
		assert.Equal(t, int64(i+1), n)
	}
}
