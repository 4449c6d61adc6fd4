package http

import (
	"sync/atomic"
	"time"
)

// guardEvery is how often a tick looks at its shards' writes (at most; a
// fifth of the Hub's WriteTimeout if that is shorter).
const guardEvery = time.Second

// writeGuard watches the writes of one shard's goroutine in a tick. A
// write to a client that stopped reading blocks once the connection's
// buffers are full, and would hold up every socket of the shard and the
// tick itself. A deadline on each write would bound it, but arming the
// connection's deadline timer for every frame was the costliest part of a
// frame after the write system call; marking the write here costs three
// atomic operations, and the tick aborts a socket whose write it sees in
// progress for the Hub's WriteTimeout (Hub.guard).
type writeGuard struct {
	c   atomic.Pointer[client]
	seq atomic.Uint64 // odd while a write to c is in progress
}

// begin marks the start of work, a write among it, on c.
func (g *writeGuard) begin(c *client) {
	g.c.Store(c)
	g.seq.Add(1)
}

// end marks its end.
func (g *writeGuard) end() { g.seq.Add(1) }

// current returns the client being written to and the write's sequence
// number, or nil.
func (g *writeGuard) current() (*client, uint64) {
	s := g.seq.Load()
	c := g.c.Load()
	if s%2 == 0 || g.seq.Load() != s {
		return nil, 0
	}
	return c, s // c was stored before s turned odd and stays until s moves
}

// guard watches guards until done is closed and aborts the socket of a
// write it sees in progress for WriteTimeout or more.
func (h *Hub) guard(done <-chan struct{}, guards *[nHubShards]writeGuard) {
	timeout := h.writeTimeout()
	t := time.NewTicker(min(guardEvery, timeout/5))
	defer t.Stop()
	var seen [nHubShards]struct {
		seq   uint64
		since time.Time
	}
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			for i := range guards {
				c, seq := guards[i].current()
				switch {
				case c == nil:
					seen[i].seq = 0
				case seq != seen[i].seq:
					seen[i].seq, seen[i].since = seq, now
				case now.Sub(seen[i].since) >= timeout:
					h.log().Warn("websocket write stuck; closing", "student", c.student, "after", now.Sub(seen[i].since))
					c.abort()
					seen[i].seq = 0
				}
			}
		}
	}
}
