package redis_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"classmate/gate"
	"classmate/gate/redis"
	"classmate/internal/dbtest"
	"classmate/token"
)

// clock is a settable time source, safe for concurrent use.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(time.Now().Truncate(time.Second).UnixMilli())
	return c
}

func (c *clock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// env is a room on a fresh Redis key prefix with an admitter on a settable
// clock.
type env struct {
	t      *testing.T
	ctx    context.Context
	client *goredis.Client
	store  *redis.Store
	clock  *clock
	adm    *gate.Admitter
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c, prefix := dbtest.MustOpenRedis(t)
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	e := &env{t: t, ctx: context.Background(), client: c, clock: newClock(),
		store: &redis.Store{Client: c, Prefix: prefix}}
	e.adm = &gate.Admitter{
		Store:  e.store,
		Lock:   &redis.Lock{Store: e.store, TTL: 5 * time.Second, Instance: "test"},
		Issuer: token.Issuer{Keys: tokens.Admission},
		Tick:   200 * time.Millisecond,
		Grace:  60 * time.Second,
		Now:    e.clock.Now,
	}
	return e
}

// room configures the room; opens is relative to the clock.
func (e *env) room(opens time.Duration, mode gate.Mode, rate float64, maxActive int, mods ...func(*gate.RoomPatch)) gate.RoomState {
	e.t.Helper()
	at := e.clock.Now().Add(opens)
	pre, session, paused := 3600, 600, false
	p := gate.RoomPatch{OpensAt: &at, PrequeueSeconds: &pre, MaxActive: &maxActive, AdmitPerSecond: &rate,
		Mode: &mode, SessionSeconds: &session, Paused: &paused}
	for _, m := range mods {
		m(&p)
	}
	st, err := e.store.UpdateRoom(e.ctx, p)
	require.NoError(e.t, err)
	return st
}

func (e *env) join(student int64) gate.TicketView {
	e.t.Helper()
	v, err := e.store.Join(e.ctx, student, e.clock.Now())
	require.NoError(e.t, err)
	return v
}

func (e *env) view(student int64) gate.TicketView {
	e.t.Helper()
	v, err := e.store.View(e.ctx, student, e.clock.Now(), false)
	require.NoError(e.t, err)
	return v
}

// step advances the clock by d and runs one admission tick.
func (e *env) step(d time.Duration) {
	e.t.Helper()
	e.clock.Advance(d)
	require.NoError(e.t, e.adm.Step(e.ctx))
}

func (e *env) active() int64 {
	e.t.Helper()
	st, err := e.store.Room(e.ctx)
	require.NoError(e.t, err)
	return st.Active
}
