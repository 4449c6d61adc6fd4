package redis_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
)

func TestJoinPhases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.store.Join(e.ctx, 1, e.clock.Now())
	require.ErrorIs(t, err, gate.ErrNotOpen, "no room configured")

	e.room(2*time.Hour, gate.ModeFIFO, 10, 10) // pre-queue opens in an hour
	_, err = e.store.Join(e.ctx, 1, e.clock.Now())
	require.ErrorIs(t, err, gate.ErrNotOpen)

	e.clock.Advance(time.Hour)
	v := e.join(1)
	assert.Equal(t, gate.StatePrequeue, v.State(e.clock.Now()))
	assert.Equal(t, int64(1), v.Position(e.clock.Now()))
	assert.NotEmpty(t, v.Ticket)

	e.clock.Advance(time.Hour)
	v2 := e.join(2)
	assert.Equal(t, gate.StateWaiting, v2.State(e.clock.Now()))
	assert.Equal(t, int64(2), v2.Position(e.clock.Now()))
	again := e.join(1)
	assert.Equal(t, v.Ticket, again.Ticket, "joining again keeps the ticket")
	assert.Equal(t, gate.StateWaiting, again.State(e.clock.Now()))
	assert.Equal(t, int64(1), again.Position(e.clock.Now()))

	// Moving opens_at after the opening changes the stored value only.
	later := e.clock.Now().Add(5 * time.Hour)
	st, err := e.store.UpdateRoom(e.ctx, gate.RoomPatch{OpensAt: &later})
	require.NoError(t, err)
	assert.True(t, st.Opened)
	assert.Equal(t, gate.StateWaiting, e.view(1).State(e.clock.Now()))

	owner, err := e.store.StudentOf(e.ctx, v.Ticket)
	require.NoError(t, err)
	assert.Equal(t, int64(1), owner)
	_, err = e.store.StudentOf(e.ctx, "nope")
	require.ErrorIs(t, err, gate.ErrNotFound)
}

// TestConcurrentJoins: 1,000 concurrent joins by 500 students (each twice)
// give 500 places, one stable ticket per student, and positions that are a
// permutation of 1..500.
func TestConcurrentJoins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(time.Hour, gate.ModeFIFO, 0, 0)
	const students = 500
	tickets := make([][2]string, students)
	var wg sync.WaitGroup
	for i := range 2 * students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := e.store.Join(e.ctx, int64(i%students+1), e.clock.Now())
			if assert.NoError(t, err) {
				tickets[i%students][i/students] = v.Ticket
			}
		}()
	}
	wg.Wait()
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(students), st.Waiting)
	positions := make([]int64, 0, students)
	for s := range students {
		assert.Equal(t, tickets[s][0], tickets[s][1], "student %d", s+1)
		v := e.view(int64(s + 1))
		assert.Equal(t, tickets[s][0], v.Ticket)
		positions = append(positions, v.Position(e.clock.Now()))
	}
	slices.Sort(positions)
	for i, p := range positions {
		require.Equal(t, int64(i+1), p)
	}
}

func TestLeaveAndRejoin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 1000, 10)
	first := e.join(1)
	e.join(2)
	adm, err := e.store.Leave(e.ctx, 1, e.clock.Now())
	require.NoError(t, err)
	assert.Nil(t, adm)
	assert.Equal(t, gate.StateExpired, e.view(1).State(e.clock.Now()))
	assert.Equal(t, int64(1), e.view(2).Position(e.clock.Now()), "the place is freed at once")
	second := e.join(1)
	assert.NotEqual(t, first.Ticket, second.Ticket, "a new ticket after leaving")
	assert.Equal(t, int64(2), second.Position(e.clock.Now()), "at the back")

	e.step(time.Second)
	v := e.view(2)
	require.Equal(t, gate.StateAdmitted, v.State(e.clock.Now()))
	require.NotNil(t, v.Admission)
	assert.Equal(t, v.Admission.ExpiresAt, v.ActiveUntil)
	assert.Equal(t, int64(2), e.active())
	adm, err = e.store.Leave(e.ctx, 2, e.clock.Now())
	require.NoError(t, err)
	require.NotNil(t, adm)
	assert.Equal(t, v.Admission.ID, adm.ID)
	assert.Equal(t, int64(1), e.active(), "leaving frees the slot at once")
	assert.Equal(t, gate.StateExpired, e.view(2).State(e.clock.Now()))

	require.NoError(t, e.store.Revoke(e.ctx, adm.ID, adm.ExpiresAt, e.clock.Now()))
	revoked, err := e.store.Revoked(e.ctx, adm.ID)
	require.NoError(t, err)
	assert.True(t, revoked)
	e.client.Del(e.ctx, "classmate:revoked:{"+adm.ID+"}")
}

func TestRoomUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.False(t, st.Configured)
	rate := 5.0
	_, err = e.store.UpdateRoom(e.ctx, gate.RoomPatch{AdmitPerSecond: &rate})
	require.ErrorIs(t, err, gate.ErrBadRequest, "a new room needs opens_at")

	st = e.room(time.Hour, gate.ModeFIFO, 100, 50)
	assert.Empty(t, st.Seed)
	assert.Equal(t, 100.0, st.EffectiveRate)
	lottery := gate.ModeLottery
	st, err = e.store.UpdateRoom(e.ctx, gate.RoomPatch{Mode: &lottery})
	require.NoError(t, err)
	assert.Len(t, st.Seed, gate.SeedLen)
	assert.Equal(t, 50, st.Room.MaxActive, "omitted fields keep their values")
	assert.Equal(t, 100.0, st.Room.AdmitPerSecond)
	assert.Equal(t, gate.ModeLottery, st.Room.Mode)
	assert.Equal(t, "", st.RevealedSeed(), "hidden before the opening")
	commitment := st.Commitment()

	bad := 4
	_, err = e.store.UpdateRoom(e.ctx, gate.RoomPatch{SessionSeconds: &bad})
	require.ErrorIs(t, err, gate.ErrBadRequest)
	st, err = e.store.UpdateRoom(e.ctx, gate.RoomPatch{AdmitPerSecond: &rate})
	require.NoError(t, err)
	assert.Equal(t, rate, st.EffectiveRate, "a new rate resets the effective one")
	assert.Equal(t, commitment, st.Commitment(), "the seed does not change")

	created, err := e.store.CreateRoom(e.ctx, gate.DefaultRoom(e.clock.Now()))
	require.NoError(t, err)
	assert.False(t, created)
}

func TestFencing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, gate.ModeFIFO, 10, 10)
	e.join(1)
	_, err := e.store.Sweep(e.ctx, "not-the-lock", e.clock.Now(), time.Minute, 10)
	require.ErrorIs(t, err, gate.ErrNotLeader)
	_, err = e.store.Admit(e.ctx, "not-the-lock", e.clock.Now(), []gate.Admitted{{StudentID: 1}})
	require.ErrorIs(t, err, gate.ErrNotLeader)
	require.ErrorIs(t, e.store.SetEffectiveRate(e.ctx, "x", 1), gate.ErrNotLeader)
	require.ErrorIs(t, e.store.CommitDraw(e.ctx, "x", nil), gate.ErrNotLeader)
	assert.Equal(t, gate.StateWaiting, e.view(1).State(e.clock.Now()))
}
