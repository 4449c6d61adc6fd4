package gate_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
)

func TestRoomValidate(t *testing.T) {
	now := time.Date(2026, 2, 16, 10, 0, 0, 0, time.UTC)
	ok := gate.DefaultRoom(now)
	require.NoError(t, ok.Validate())
	for name, mod := range map[string]func(*gate.Room){
		"NoOpensAt":        func(r *gate.Room) { r.OpensAt = time.Time{} },
		"Session4":         func(r *gate.Room) { r.SessionSeconds = 4 },
		"Session3601":      func(r *gate.Room) { r.SessionSeconds = 3601 },
		"ModeX":            func(r *gate.Room) { r.Mode = "x" },
		"NegativeRate":     func(r *gate.Room) { r.AdmitPerSecond = -0.5 },
		"NaNRate":          func(r *gate.Room) { r.AdmitPerSecond = math.NaN() },
		"NegativeActive":   func(r *gate.Room) { r.MaxActive = -1 },
		"NegativePrequeue": func(r *gate.Room) { r.PrequeueSeconds = -1 },
		"HugePrequeue":     func(r *gate.Room) { r.PrequeueSeconds = gate.MaxPrequeueSeconds + 1 },
	} {
		t.Run(name, func(t *testing.T) {
			r := ok
			mod(&r)
			assert.ErrorIs(t, r.Validate(), gate.ErrBadRequest)
		})
	}
}

func TestRoomPatch(t *testing.T) {
	now := time.Date(2026, 2, 16, 10, 0, 0, 0, time.FixedZone("KST", 9*3600))
	cur := gate.DefaultRoom(now)
	paused, rate := true, 12.5
	got := gate.RoomPatch{Paused: &paused, AdmitPerSecond: &rate}.Apply(cur, true)
	want := cur
	want.Paused, want.AdmitPerSecond = true, 12.5
	assert.Equal(t, want, got, "omitted fields keep their values")
	assert.Equal(t, time.UTC, got.OpensAt.Location())

	fresh := gate.RoomPatch{OpensAt: &now}.Apply(cur, false)
	assert.Equal(t, gate.ModeFIFO, fresh.Mode)
	assert.Equal(t, gate.DefaultSessionSeconds, fresh.SessionSeconds)
	assert.Zero(t, fresh.MaxActive, "a new room starts from nothing but the defaults")
	assert.True(t, fresh.OpensAt.Equal(now))
}

func TestPhase(t *testing.T) {
	now := time.Date(2026, 2, 16, 10, 0, 0, 0, time.UTC)
	st := gate.RoomState{Room: gate.DefaultRoom(now.Add(time.Minute)), Configured: true}
	assert.Equal(t, gate.StatePrequeue, st.Phase(now))
	assert.Equal(t, gate.StateWaiting, st.Phase(now.Add(time.Minute)), "fifo: waiting from opens_at")
	st.Room.Mode = gate.ModeLottery
	assert.Equal(t, gate.StatePrequeue, st.Phase(now.Add(time.Minute)), "lottery: until the draw")
	st.Opened, st.OpenMode, st.Drawn = true, gate.ModeLottery, true
	assert.Equal(t, gate.StateWaiting, st.Phase(now))
	st.Seed = []byte("0123456789abcdef0123456789abcdef")
	assert.Equal(t, gate.Commitment(st.Seed), st.Commitment())
	assert.NotEmpty(t, st.RevealedSeed())
	st.Opened = false
	assert.Empty(t, st.RevealedSeed(), "the seed stays secret until the opening")
}
