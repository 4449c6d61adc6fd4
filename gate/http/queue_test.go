package http_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
)

func TestJoinAndStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, body := e.do("POST", "/queue/v1/join", "", "Authorization", "Bearer "+e.session(1))
	assert.Equal(t, 425, status, "no room yet")
	assert.Equal(t, "NOT_OPEN", errorCode(body))

	e.room(2*time.Hour, nil)
	status, body = e.do("POST", "/queue/v1/join", "", "Authorization", "Bearer "+e.session(1))
	assert.Equal(t, 425, status, "before the pre-queue opens")
	assert.Equal(t, "NOT_OPEN", errorCode(body))

	e.room(30*time.Minute, map[string]any{"paused": true})
	status, body = e.do("GET", "/queue/v1/status", "", "Authorization", "Bearer "+e.session(1))
	assert.Equal(t, 404, status, "never held a ticket")
	assert.Equal(t, "NOT_FOUND", errorCode(body))

	first := e.join(1)
	assert.Equal(t, gate.StatePrequeue, first.State)
	assert.Equal(t, int64(1), first.Position)
	assert.Positive(t, first.EtaSeconds, "waits for the opening")
	assert.Empty(t, first.AdmissionToken)
	second := e.join(2)
	assert.Equal(t, int64(2), second.Position)
	assert.Equal(t, int64(1), second.Ahead)
	assert.Equal(t, first.Ticket, e.join(1).Ticket, "joining again keeps the ticket")
	assert.Equal(t, first.Ticket, e.status(1).Ticket)

	// The raw JSON has the contract's fields and no admission fields yet.
	_, raw := e.do("GET", "/queue/v1/status?ticket="+second.Ticket, "")
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"ticket", "state", "position", "eta_seconds", "opens_at"} {
		assert.Contains(t, m, k)
	}
	assert.NotContains(t, m, "admission_token")
	assert.NotContains(t, m, "admission_expires_at")
	assert.Equal(t, second.Ticket, m["ticket"])

	status, body = e.do("GET", "/queue/v1/status?ticket="+second.Ticket, "", "Authorization", "Bearer "+e.session(1))
	assert.Equal(t, 403, status, "another student's ticket")
	assert.Equal(t, "FORBIDDEN", errorCode(body))
	status, _ = e.do("GET", "/queue/v1/status?ticket=nope", "")
	assert.Equal(t, 404, status)
	status, _ = e.do("GET", "/queue/v1/status?ticket=%7B%7D", "")
	assert.Equal(t, 404, status)
	status, body = e.do("GET", "/queue/v1/status", "")
	assert.Equal(t, 401, status)
	assert.Equal(t, "UNAUTHENTICATED", errorCode(body))
	status, _ = e.do("POST", "/queue/v1/join", "", "Authorization", "Bearer garbage")
	assert.Equal(t, 401, status)
	status, _ = e.do("GET", "/queue/v1/join", "", "Authorization", "Bearer "+e.session(1))
	assert.Equal(t, 405, status)
}

func TestAdmissionAndLeave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, map[string]any{"session_seconds": 120})
	tk := e.join(7)
	assert.Equal(t, gate.StateWaiting, tk.State)
	adm := e.admit(7)
	assert.Equal(t, tk.Ticket, adm.Ticket)
	assert.Equal(t, int64(0), adm.Position)
	require.NotEmpty(t, adm.AdmissionToken)
	require.NotNil(t, adm.AdmissionExpiresAt)
	claims, err := tokenVerifier(e).Admission(adm.AdmissionToken)
	require.NoError(t, err)
	assert.Equal(t, int64(7), claims.StudentID)
	assert.Equal(t, claims.ExpiresAt, *adm.AdmissionExpiresAt, "exp is the ticket's admission_expires_at")
	assert.Equal(t, 120*time.Second, claims.ExpiresAt.Sub(claims.IssuedAt))
	assert.Equal(t, adm.AdmissionToken, e.join(7).AdmissionToken, "joining while admitted keeps the admission")

	// Leave with the admission token: 204, the slot is free, the token
	// revoked, the ticket expired.
	status, _ := e.do("POST", "/queue/v1/leave", "", "Authorization", "Bearer "+adm.AdmissionToken)
	assert.Equal(t, 204, status)
	revoked, err := e.store.Revoked(e.ctx, claims.ID)
	require.NoError(t, err)
	assert.True(t, revoked)
	st, err := e.store.Room(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(0), st.Active)
	expired := e.status(7)
	assert.Equal(t, gate.StateExpired, expired.State)
	assert.Empty(t, expired.AdmissionToken)
	status, _ = e.do("POST", "/queue/v1/leave", "", "Authorization", "Bearer "+e.session(7))
	assert.Equal(t, 204, status, "nothing to leave")
	status, _ = e.do("POST", "/queue/v1/leave", "", "Authorization", "Bearer x")
	assert.Equal(t, 401, status)

	again := e.join(7)
	assert.NotEqual(t, tk.Ticket, again.Ticket, "a new ticket after the end")
	_, old := e.ticket("GET", "/queue/v1/status?ticket="+tk.Ticket, 7)
	assert.Equal(t, gate.StateExpired, old.State, "the old ticket stays expired")
	e.rdb.Del(e.ctx, "classmate:revoked:{"+claims.ID+"}")
}

// TestConcurrentJoins: 1,000 concurrent joins by 500 students (each twice)
// through HTTP give 500 places, each student's ticket stable, positions a
// permutation of 1..500.
func TestConcurrentJoins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(time.Hour, nil) // the pre-queue: nobody is admitted meanwhile
	const students = 500
	tickets := make([][2]string, students)
	var wg sync.WaitGroup
	for i := range 2 * students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := int64(i%students + 1)
			status, tk := e.ticket("POST", "/queue/v1/join", s)
			if assert.Equal(t, 200, status) {
				tickets[s-1][i/students] = tk.Ticket
			}
		}()
	}
	wg.Wait()
	var positions []int64
	for s := range int64(students) {
		assert.Equal(t, tickets[s][0], tickets[s][1], "student %d", s+1)
		tk := e.status(s + 1)
		assert.Equal(t, tickets[s][0], tk.Ticket)
		positions = append(positions, tk.Position)
	}
	slices.Sort(positions)
	for i, p := range positions {
		require.Equal(t, int64(i+1), p)
	}
}
