package service_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
	gateredis "classmate/gate/redis"
	"classmate/internal/dbtest"
	"classmate/token"
)

type roomStats struct {
	AdmittedTotal int64 `json:"admitted_total"`
	Waiting       int64 `json:"waiting"`
	Leader        bool  `json:"leader"`
	Sockets       int64 `json:"sockets"`
}

func stats(t *testing.T, addr string) roomStats {
	t.Helper()
	var r roomStats
	require.Equal(t, 200, request(t, "GET", "http://"+addr+"/admin/v1/room", adminToken, "", &r))
	return r
}

// TestFailover runs two gate processes on one Redis prefix, with sockets
// on both. Killing the one holding the lock (SIGKILL: no release) hands
// the admission tick to the other within two lock TTLs; nobody is
// admitted twice; the sockets on both got frames, and those on the
// survivor keep getting them.
func TestFailover(t *testing.T) {
	t.Parallel()
	rdb, prefix := dbtest.MustOpenRedis(t)
	const ttl = time.Second
	vars := map[string]string{"CLASSMATE_GATE_LOCK_TTL": ttl.String()}
	a := startChild(t, prefix, "gate-a", vars)
	b := startChild(t, prefix, "gate-b", vars)
	gates := []*child{a, b}

	require.Equal(t, 200, request(t, "PUT", "http://"+a.addr+"/admin/v1/room", adminToken,
		`{"paused": true, "admit_per_second": 20, "max_active": 100000}`, nil))
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	const students = 300
	tickets := make([]string, students+1)
	for s := 1; s <= students; s++ {
		sess, _, err := token.Issuer{Keys: tokens.Session}.Session(int64(s), fmt.Sprintf("2026%06d", s), time.Hour)
		require.NoError(t, err)
		var tk gate.Ticket
		require.Equal(t, 200, request(t, "POST", "http://"+gates[s%2].addr+"/queue/v1/join", sess, "", &tk))
		tickets[s] = tk.Ticket
	}
	// Sockets of students well down the queue, five on each gate.
	var sockets [2][]*socket
	for i := range 10 {
		s := 100 + i
		sockets[i%2] = append(sockets[i%2], dial(t, gates[i%2].addr, tickets[s]))
	}
	for g := range sockets {
		for _, ws := range sockets[g] {
			ws.until(t, "position", time.Second)
		}
	}
	require.Equal(t, 200, request(t, "PUT", "http://"+a.addr+"/admin/v1/room", adminToken, `{"paused": false}`, nil))
	require.Eventually(t, func() bool { return stats(t, a.addr).AdmittedTotal >= 20 }, 5*time.Second, 50*time.Millisecond)

	// Both gates push: every socket sees its position move.
	for g := range sockets {
		for _, ws := range sockets[g] {
			ws.match(t, "position", 3*time.Second, func(f frame) bool { return f.Position < 100 })
		}
	}

	leader, survivor := a, b
	survivorSockets := sockets[1]
	if stats(t, b.addr).Leader {
		leader, survivor, survivorSockets = b, a, sockets[0]
	}
	require.True(t, stats(t, leader.addr).Leader)
	require.False(t, stats(t, survivor.addr).Leader)
	require.NoError(t, leader.cmd.Process.Kill())
	killed := time.Now()
	before := stats(t, survivor.addr).AdmittedTotal
	for stats(t, survivor.addr).AdmittedTotal <= before+1 {
		require.Less(t, time.Since(killed), 2*ttl+200*time.Millisecond, "the survivor must admit within two lock TTLs")
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(killed)
	t.Logf("failover: admissions resumed %v after the kill (lock TTL %v)", took.Round(time.Millisecond), ttl)
	assert.True(t, stats(t, survivor.addr).Leader)
	for _, ws := range survivorSockets {
		ws.match(t, "position", 3*time.Second, func(f frame) bool { return f.Position < 60 })
	}

	// Let everyone through, then check: one admission per student.
	require.Equal(t, 200, request(t, "PUT", "http://"+survivor.addr+"/admin/v1/room", adminToken, `{"admit_per_second": 1000}`, nil))
	require.Eventually(t, func() bool { return stats(t, survivor.addr).Waiting == 0 }, 10*time.Second, 50*time.Millisecond)
	var wg sync.WaitGroup
	for _, ws := range survivorSockets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := ws.until(t, "admitted", 10*time.Second)
			assert.NotEmpty(t, f.AdmissionToken)
		}()
	}
	wg.Wait()
	store := &gateredis.Store{Client: rdb, Prefix: prefix}
	ids := make([]int64, students)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	views, err := store.Views(t.Context(), ids, time.Now())
	require.NoError(t, err)
	st, err := store.Room(t.Context())
	require.NoError(t, err)
	var numbers []int64
	for _, v := range views {
		if v.Admission != nil {
			numbers = append(numbers, v.Admission.Number)
		}
	}
	slices.Sort(numbers)
	require.Len(t, numbers, int(st.AdmittedTotal), "one admission per student")
	for i, n := range numbers {
		require.Equal(t, int64(i+1), n)
	}
}
