package http_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWebSocketStuckWrite: a client that stops reading fills its
// connection (the in-memory one holds four writes) until the hub's write
// to it blocks; the tick closes that socket after WriteTimeout, returns,
// and the other sockets keep their frames.
func TestWebSocketStuckWrite(t *testing.T) {
	t.Parallel()
	clk := &clock{}
	clk.Advance(time.Duration(time.Now().UnixNano()))
	e := newEnv(t, func(o *options) { o.now = clk.Now })
	e.hub.WriteTimeout = 300 * time.Millisecond
	e.room(0, map[string]any{"paused": true})
	var tickets []string
	for s := range int64(8) { // students 1–8 share no hub shard
		tickets = append(tickets, e.join(s+1).Ticket)
	}
	stuck, _, err := e.dial(tickets[0]) // never read
	require.NoError(t, err)
	t.Cleanup(func() { stuck.Close() })
	var readers []*socket
	for _, tk := range tickets[1:] {
		ws := e.socket(t, tk)
		ws.next(t, time.Second)
		readers = append(readers, ws)
	}
	require.Eventually(t, func() bool { return e.hub.Sockets() == 8 }, time.Second, 10*time.Millisecond)

	var aborted time.Duration
	for i := range 10 {
		clk.Advance(2 * time.Second) // every socket is due
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- e.hub.Step(e.ctx) }()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatalf("tick %d blocked on the stuck socket", i)
		}
		if d := time.Since(start); d >= e.hub.WriteTimeout {
			aborted = d
		}
		for j, ws := range readers {
			f := ws.next(t, time.Second)
			assert.Equal(t, "position", f.Type, "reader %d, tick %d", j, i)
		}
		if aborted > 0 {
			break
		}
	}
	require.NotZero(t, aborted, "a write to the stuck socket blocked")
	assert.Less(t, aborted, 3*time.Second)
	require.Eventually(t, func() bool { return e.hub.Sockets() == 7 }, time.Second, 10*time.Millisecond)

	// The next tick is quick again and serves the others.
	clk.Advance(2 * time.Second)
	start := time.Now()
	require.NoError(t, e.hub.Step(e.ctx))
	assert.Less(t, time.Since(start), e.hub.WriteTimeout)
	for _, ws := range readers {
		assert.Equal(t, "position", ws.next(t, time.Second).Type)
	}
}
