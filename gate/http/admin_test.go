package http_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
)

type roomStats struct {
	Room struct {
		OpensAt         time.Time `json:"opens_at"`
		PrequeueSeconds int       `json:"prequeue_seconds"`
		MaxActive       int       `json:"max_active"`
		AdmitPerSecond  float64   `json:"admit_per_second"`
		Mode            string    `json:"mode"`
		Paused          bool      `json:"paused"`
		SessionSeconds  int       `json:"session_seconds"`
		DrawCommitment  string    `json:"draw_commitment"`
		DrawSeed        string    `json:"draw_seed"`
	} `json:"room"`
	Waiting             int64   `json:"waiting"`
	Active              int64   `json:"active"`
	AdmittedTotal       int64   `json:"admitted_total"`
	AdmitRate           float64 `json:"admit_rate"`
	AdmitRateConfigured float64 `json:"admit_rate_configured"`
}

func (e *env) roomStats() roomStats {
	e.t.Helper()
	status, body := e.do("GET", "/admin/v1/room", "", "Authorization", "Bearer "+adminToken)
	require.Equal(e.t, 200, status, string(body))
	var r roomStats
	require.NoError(e.t, json.Unmarshal(body, &r))
	return r
}

func TestRoomAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	auth := []string{"Authorization", "Bearer " + adminToken}
	for _, tc := range []struct {
		name    string
		body    string
		headers []string
		status  int
		code    string
	}{
		{"ErrNoToken", `{}`, nil, 401, "UNAUTHENTICATED"},
		{"ErrWrongToken", `{}`, []string{"Authorization", "Bearer nope"}, 401, "UNAUTHENTICATED"},
		{"ErrStudentToken", `{}`, []string{"Authorization", "Bearer " + e.session(1)}, 403, "FORBIDDEN"},
		{"ErrNoOpensAtOnNewRoom", `{"mode": "fifo"}`, auth, 400, "BAD_REQUEST"},
		{"ErrBadJSON", `{"mode": `, auth, 400, "BAD_REQUEST"},
		{"ErrNull", `null`, auth, 400, "BAD_REQUEST"},
		{"ErrArray", `[]`, auth, 400, "BAD_REQUEST"},
		{"ErrWrongType", `{"opens_at": "2026-01-01T00:00:00Z", "max_active": "many"}`, auth, 400, "BAD_REQUEST"},
		{"ErrBadTime", `{"opens_at": "tomorrow"}`, auth, 400, "BAD_REQUEST"},
		{"ErrSessionSeconds4", `{"opens_at": "2026-01-01T00:00:00Z", "session_seconds": 4}`, auth, 400, "BAD_REQUEST"},
		{"ErrSessionSeconds3601", `{"opens_at": "2026-01-01T00:00:00Z", "session_seconds": 3601}`, auth, 400, "BAD_REQUEST"},
		{"ErrMode", `{"opens_at": "2026-01-01T00:00:00Z", "mode": "x"}`, auth, 400, "BAD_REQUEST"},
		{"ErrNegativeRate", `{"opens_at": "2026-01-01T00:00:00Z", "admit_per_second": -1}`, auth, 400, "BAD_REQUEST"},
		{"ErrNegativeMaxActive", `{"opens_at": "2026-01-01T00:00:00Z", "max_active": -5}`, auth, 400, "BAD_REQUEST"},
		{"ErrNegativePrequeue", `{"opens_at": "2026-01-01T00:00:00Z", "prequeue_seconds": -5}`, auth, 400, "BAD_REQUEST"},
		{"ErrMediaType", `{}`, append([]string{"Content-Type", "text/plain"}, auth...), 415, "UNSUPPORTED_MEDIA_TYPE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.do("PUT", "/admin/v1/room", tc.body, tc.headers...)
			assert.Equal(t, tc.status, status, string(body))
			assert.Equal(t, tc.code, errorCode(body))
		})
	}
	status, _ := e.do("GET", "/admin/v1/room", "")
	assert.Equal(t, 401, status)
	status, _ = e.do("DELETE", "/admin/v1/room", "", auth...)
	assert.Equal(t, 405, status)

	t.Run("Merge", func(t *testing.T) {
		e.room(time.Hour, map[string]any{"max_active": 77, "admit_per_second": 12.5})
		status, body := e.do("PUT", "/admin/v1/room", `{"paused": true}`, auth...)
		require.Equal(t, 200, status, string(body))
		var room map[string]any
		require.NoError(t, json.Unmarshal(body, &room))
		assert.Equal(t, true, room["paused"])
		assert.Equal(t, 77.0, room["max_active"], "omitted fields keep their values")
		assert.Equal(t, 12.5, room["admit_per_second"])
		assert.Equal(t, 600.0, room["session_seconds"])
		r := e.roomStats()
		assert.Equal(t, 12.5, r.AdmitRate)
		assert.Equal(t, 12.5, r.AdmitRateConfigured)
		assert.True(t, r.Room.Paused)
	})
}

// TestLotteryCommitment: the commitment is shown before the opening, on
// the room and on tickets; the seed after it, and the order recomputed
// from it is the queue's order.
func TestLotteryCommitment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(1500*time.Millisecond, map[string]any{"mode": "lottery", "paused": true})
	r := e.roomStats()
	require.Len(t, r.Room.DrawCommitment, 64)
	assert.Empty(t, r.Room.DrawSeed)
	var students []int64
	for s := range int64(30) {
		tk := e.join(s + 1)
		assert.Equal(t, gate.StatePrequeue, tk.State)
		assert.Equal(t, r.Room.DrawCommitment, tk.DrawCommitment)
		assert.Empty(t, tk.DrawSeed)
		students = append(students, s+1)
	}
	time.Sleep(1600 * time.Millisecond)
	require.NoError(t, e.adm.Step(e.ctx)) // opens and draws
	r = e.roomStats()
	require.NotEmpty(t, r.Room.DrawSeed)
	seed, err := hex.DecodeString(r.Room.DrawSeed)
	require.NoError(t, err)
	sum := sha256.Sum256(seed)
	assert.Equal(t, r.Room.DrawCommitment, hex.EncodeToString(sum[:]))
	want := gate.DrawOrder(seed, students)
	for i, s := range want {
		tk := e.status(s)
		assert.Equal(t, gate.StateWaiting, tk.State)
		assert.Equal(t, int64(i+1), tk.Position, "student %d", s)
		assert.Equal(t, r.Room.DrawSeed, tk.DrawSeed)
	}
	status, body := e.do("GET", "/admin/v1/room/draw", "", "Authorization", "Bearer "+adminToken)
	require.Equal(t, 200, status)
	var draw struct {
		Commitment, Seed string
		Order            []int64
	}
	require.NoError(t, json.Unmarshal(body, &draw))
	assert.Equal(t, want, draw.Order)
	assert.Equal(t, r.Room.DrawSeed, draw.Seed)
}
