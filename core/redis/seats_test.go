package redis_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	"classmate/core/redis"
	"classmate/internal/dbtest"
)

// clock is a settable time source, safe for concurrent use.
type clock struct{ ms atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ms.Store(time.Date(2026, 2, 16, 10, 0, 0, 0, time.UTC).UnixMilli())
	return c
}

func (c *clock) Now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *clock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// seatsEnv is a seat filter on a fresh Redis key prefix.
type seatsEnv struct {
	t      *testing.T
	client *goredis.Client
	prefix string
	seats  *redis.Seats
	clock  *clock
}

func newSeats(t *testing.T) *seatsEnv {
	t.Helper()
	c, p := dbtest.MustOpenRedis(t)
	clk := newClock()
	return &seatsEnv{t: t, client: c, prefix: p, clock: clk,
		seats: &redis.Seats{Client: c, Prefix: p, HoldTTL: 60 * time.Second, Now: clk.Now}}
}

// set makes the counter of course equal capacity and students and returns
// whether it changed.
func (e *seatsEnv) set(course int64, capacity int, students ...int64) bool {
	e.t.Helper()
	changed, err := e.seats.Set(context.Background(), core.SeatState{CourseID: course, Capacity: capacity, Students: students})
	require.NoError(e.t, err)
	return changed
}

// remaining returns the live remaining seats of course, and whether it has a
// counter.
func (e *seatsEnv) remaining(course int64) (int, bool) {
	e.t.Helper()
	m, err := e.seats.Remaining(context.Background(), course)
	require.NoError(e.t, err)
	n, ok := m[course]
	return n, ok
}

// holds returns the number of holds in flight for course 1.
func (e *seatsEnv) holds() int64 {
	e.t.Helper()
	n, err := e.client.HLen(context.Background(), e.prefix+"seat:{c1}:h").Result()
	require.NoError(e.t, err)
	return n
}

func TestTake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// run prepares course 1 and returns the answer of the take under test.
		run  func(e *seatsEnv) error
		want error
	}{
		{"ErrNoCounter", func(e *seatsEnv) error {
			return e.seats.Take(ctx, 1, 10, "")
		}, core.ErrNoCounter},
		{"OK", func(e *seatsEnv) error {
			e.set(1, 2)
			return e.seats.Take(ctx, 1, 10, "")
		}, nil},
		{"ErrSeatPending", func(e *seatsEnv) error {
			e.set(1, 2)
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			return e.seats.Take(ctx, 1, 10, "")
		}, core.ErrSeatPending},
		{"ErrAlreadyEnrolled", func(e *seatsEnv) error {
			e.set(1, 2)
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Confirm(ctx, 1, 10, nil))
			return e.seats.Take(ctx, 1, 10, "")
		}, core.ErrAlreadyEnrolled},
		{"ErrAlreadyEnrolledFromSet", func(e *seatsEnv) error {
			e.set(1, 2, 10)
			return e.seats.Take(ctx, 1, 10, "")
		}, core.ErrAlreadyEnrolled},
		{"ErrAlreadyEnrolledWhenSoldOut", func(e *seatsEnv) error {
			e.set(1, 1, 10)
			return e.seats.Take(ctx, 1, 10, "")
		}, core.ErrAlreadyEnrolled},
		{"ErrSoldOut", func(e *seatsEnv) error {
			e.set(1, 1)
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			return e.seats.Take(ctx, 1, 11, "")
		}, core.ErrSoldOut},
		{"ErrSoldOutByCommitted", func(e *seatsEnv) error {
			e.set(1, 2, 10, 11)
			return e.seats.Take(ctx, 1, 12, "")
		}, core.ErrSoldOut},
		{"OKAfterRelease", func(e *seatsEnv) error {
			e.set(1, 1)
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
			return e.seats.Take(ctx, 1, 10, "")
		}, nil},
		{"OKAfterReturn", func(e *seatsEnv) error {
			e.set(1, 1, 10)
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
			return e.seats.Take(ctx, 1, 11, "")
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSeats(t)
			err := tc.run(e)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestTakeCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	e.set(1, 3)
	n, ok := e.remaining(1)
	require.True(t, ok)
	assert.Equal(t, 3, n)
	require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
	n, _ = e.remaining(1)
	assert.Equal(t, 2, n)
	assert.EqualValues(t, 1, e.holds())
	require.NoError(e.t, e.seats.Confirm(ctx, 1, 10, nil))
	n, _ = e.remaining(1)
	assert.Equal(t, 2, n, "confirm keeps the seat taken")
	assert.Zero(t, e.holds())
	// A refused take changes nothing.
	assert.ErrorIs(t, e.seats.Take(ctx, 1, 10, ""), core.ErrAlreadyEnrolled)
	n, _ = e.remaining(1)
	assert.Equal(t, 2, n)
}

func TestRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(e *seatsEnv)
		want int
	}{
		{"Once", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
		}, 2},
		{"Twice", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
		}, 2},
		{"WithoutHold", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
		}, 2},
		{"AfterConfirm", func(e *seatsEnv) {
			// A committed seat is not a hold: releasing it is a no-op.
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Confirm(ctx, 1, 10, nil))
			require.NoError(e.t, e.seats.Release(ctx, 1, 10))
		}, 1},
		{"OtherStudent", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Release(ctx, 1, 11))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSeats(t)
			e.set(1, 2)
			tc.run(e)
			n, ok := e.remaining(1)
			require.True(t, ok)
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestReturn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(e *seatsEnv)
		want int
	}{
		{"Once", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Confirm(ctx, 1, 10, nil))
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
		}, 2},
		{"Twice", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Confirm(ctx, 1, 10, nil))
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
		}, 2},
		{"CommittedBySet", func(e *seatsEnv) {
			e.set(1, 2, 10)
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
		}, 2},
		{"NotListed", func(e *seatsEnv) {
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
		}, 2},
		{"WhileHeld", func(e *seatsEnv) {
			// A hold in flight is not a committed seat: only Release gives
			// it back.
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
			require.NoError(e.t, e.seats.Return(ctx, 1, 10))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSeats(t)
			e.set(1, 2)
			tc.run(e)
			n, ok := e.remaining(1)
			require.True(t, ok)
			assert.Equal(t, tc.want, n)
		})
	}
}

func TestReleaseAndReturnWithoutCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	e.set(1, 2)
	require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
	require.NoError(t, e.client.Del(ctx, e.prefix+"seat:{c1}:n").Err())
	require.NoError(e.t, e.seats.Release(ctx, 1, 10))
	_, ok := e.remaining(1)
	assert.False(t, ok, "release must not create a counter")
	require.NoError(e.t, e.seats.Return(ctx, 1, 11))
	_, ok = e.remaining(1)
	assert.False(t, ok, "return must not create a counter")
}

func TestSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("Create", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		assert.True(t, e.set(1, 5, 10, 11))
		n, ok := e.remaining(1)
		require.True(t, ok)
		assert.Equal(t, 3, n)
	})
	t.Run("Unchanged", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5, 10, 11))
		assert.False(t, e.set(1, 5, 10, 11))
		assert.False(t, e.set(1, 5, 11, 10), "order does not matter")
	})
	t.Run("CapacityChange", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5, 10))
		assert.True(t, e.set(1, 7, 10))
		n, _ := e.remaining(1)
		assert.Equal(t, 6, n)
	})
	t.Run("MembersChange", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5, 10))
		// Same count, different student.
		assert.True(t, e.set(1, 5, 11))
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 11, ""), core.ErrAlreadyEnrolled)
		assert.NoError(t, e.seats.Take(ctx, 1, 10, ""))
	})
	t.Run("CounterLost", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5, 10))
		require.NoError(t, e.client.Del(ctx, e.prefix+"seat:{c1}:n").Err())
		assert.True(t, e.set(1, 5, 10))
		n, _ := e.remaining(1)
		assert.Equal(t, 4, n)
	})
	t.Run("CounterDrifted", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5, 10))
		require.NoError(t, e.client.Set(ctx, e.prefix+"seat:{c1}:n", 2, 0).Err())
		assert.True(t, e.set(1, 5, 10))
		n, _ := e.remaining(1)
		assert.Equal(t, 4, n)
	})
	t.Run("KeepsYoungHolds", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5))
		require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		e.clock.Advance(30 * time.Second)
		// The hold is still in flight and keeps its seat; nothing changes.
		assert.False(t, e.set(1, 5))
		n, _ := e.remaining(1)
		assert.Equal(t, 4, n)
		assert.EqualValues(t, 1, e.holds())
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 10, ""), core.ErrSeatPending)
	})
	t.Run("DropsOldHolds", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5))
		require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		e.clock.Advance(50 * time.Second)
		require.NoError(e.t, e.seats.Take(ctx, 1, 11, ""))
		e.clock.Advance(11 * time.Second)
		// Hold 10 is 61 s old (dead), hold 11 is 11 s old (in flight).
		assert.True(t, e.set(1, 5))
		n, _ := e.remaining(1)
		assert.Equal(t, 4, n)
		assert.EqualValues(t, 1, e.holds())
		assert.NoError(t, e.seats.Take(ctx, 1, 10, ""), "the dead hold's student may take again")
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 11, ""), core.ErrSeatPending)
		assert.False(t, e.set(1, 5), "a second run finds nothing to fix")
	})
	t.Run("HoldAtTTLKept", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5))
		require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		e.clock.Advance(60 * time.Second)
		assert.False(t, e.set(1, 5))
		assert.EqualValues(t, 1, e.holds())
	})
	t.Run("CommittedHoldDropped", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 5))
		require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		// MySQL committed the enrollment but the confirm was lost: the
		// hold becomes a seat, the counter does not move.
		assert.False(t, e.set(1, 5, 10))
		assert.Zero(t, e.holds())
		n, _ := e.remaining(1)
		assert.Equal(t, 4, n)
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 10, ""), core.ErrAlreadyEnrolled)
	})
	t.Run("OldUncommittedHoldGivesSeatBack", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 1))
		require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 11, ""), core.ErrSoldOut)
		e.clock.Advance(2 * time.Minute)
		assert.True(t, e.set(1, 1))
		assert.NoError(t, e.seats.Take(ctx, 1, 11, ""))
	})
	t.Run("CapacityBelowHolds", func(t *testing.T) {
		t.Parallel()
		e := newSeats(t)
		require.True(t, e.set(1, 3, 10))
		require.NoError(e.t, e.seats.Take(ctx, 1, 11, ""))
		require.NoError(e.t, e.seats.Take(ctx, 1, 12, ""))
		// A capacity cut below committed seats plus holds in flight leaves
		// the counter negative; it reads as zero.
		assert.True(t, e.set(1, 2, 10))
		raw, err := e.client.Get(ctx, e.prefix+"seat:{c1}:n").Int()
		require.NoError(t, err)
		assert.Equal(t, -1, raw)
		n, _ := e.remaining(1)
		assert.Equal(t, 0, n)
		assert.ErrorIs(t, e.seats.Take(ctx, 1, 13, ""), core.ErrSoldOut)
	})
}

func TestRemaining(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	e.set(1, 5, 10)
	e.set(2, 3)
	require.NoError(t, e.client.Set(ctx, e.prefix+"seat:{c3}:n", -3, 0).Err())
	require.NoError(t, e.client.Set(ctx, e.prefix+"seat:{c4}:n", "garbage", 0).Err())
	m, err := e.seats.Remaining(ctx, 1, 2, 3, 4, 5)
	require.NoError(t, err)
	assert.Equal(t, map[int64]int{1: 4, 2: 3, 3: 0}, m, "negatives clamp to 0; missing and unreadable counters are left out")

	m, err = e.seats.Remaining(ctx)
	require.NoError(t, err)
	assert.Empty(t, m)
}

func TestPrefixesAreIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := newSeats(t), newSeats(t)
	require.NotEqual(t, a.prefix, b.prefix)
	a.set(1, 1)
	assert.ErrorIs(t, b.seats.Take(ctx, 1, 10, ""), core.ErrNoCounter)
	assert.NoError(t, a.seats.Take(ctx, 1, 10, ""))
}

// TestConcurrentTake: 200 students race for 50 seats; exactly 50 win.
func TestConcurrentTake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	e.set(1, 50)

	var ok, soldOut, other atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := int64(1); i <= 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := e.seats.Take(ctx, 1, i, "")
			switch {
			case err == nil:
				ok.Add(1)
			case assert.ErrorIs(t, err, core.ErrSoldOut):
				soldOut.Add(1)
			default:
				other.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	assert.EqualValues(t, 50, ok.Load())
	assert.EqualValues(t, 150, soldOut.Load())
	assert.Zero(t, other.Load())
	n, _ := e.remaining(1)
	assert.Zero(t, n)
	members, err := e.client.SCard(ctx, e.prefix+"seat:{c1}:s").Result()
	require.NoError(t, err)
	assert.EqualValues(t, 50, members)
	assert.EqualValues(t, 50, e.holds())
}

// TestConcurrentTakeAndRelease: holders release while others take; the
// counter never goes below zero and ends where it started.
func TestConcurrentTakeAndRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	e.set(1, 10)
	var wg sync.WaitGroup
	for i := int64(1); i <= 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 5; round++ {
				err := e.seats.Take(ctx, 1, i, "")
				if err == nil {
					assert.NoError(t, e.seats.Release(ctx, 1, i))
					assert.NoError(t, e.seats.Release(ctx, 1, i))
					continue
				}
				assert.ErrorIs(t, err, core.ErrSoldOut)
			}
		}()
	}
	wg.Wait()
	raw, err := e.client.Get(ctx, e.prefix+"seat:{c1}:n").Int()
	require.NoError(t, err)
	assert.Equal(t, 10, raw)
	assert.Zero(t, e.holds())
}
