package http

import (
	"context"
	"sync"
	"time"

	"classmate/gate"
)

// Step runs one tick of the hub: see Hub.
func (h *Hub) Step(ctx context.Context) error {
	start := time.Now()
	now := h.now()
	room, err := h.Queue.Room(ctx)
	if err != nil {
		return err
	}
	h.room.Store(&room)
	if h.Estimator != nil {
		h.Estimator.Observe(now, room.AdmittedTotal)
	}
	phase := room.Phase(now)
	refresh, touchEvery, ping := h.refreshAfter(), h.touchEvery(), h.ping()
	ts := &tickState{room: room, phase: phase, now: now, refresh: refresh, start: start, rates: h.Estimator.Rates()}

	// One pass over the sockets: who is due a frame, a ping, a touch.
	var due, pings [nHubShards][]*client
	var students, touch []int64
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.Lock()
		for c := range sh.clients {
			if now.Sub(c.touchedAt) >= touchEvery {
				touch = append(touch, c.student)
				c.touchedAt = now
			}
			if now.Sub(c.pingedAt) >= ping {
				pings[i] = append(pings[i], c)
			}
			if h.isDue(c, room, phase, now, refresh) {
				due[i] = append(due[i], c)
				students = append(students, c.student)
			}
		}
		sh.mu.Unlock()
	}
	h.gone.Lock()
	touch = append(touch, h.goneID...)
	h.goneID = h.goneID[:0]
	h.gone.Unlock()

	// The ranks of the due students, then the tickets of those no longer
	// queued (admitted, expired, or left).
	ranks := make([]int64, len(students))
	if err := h.Queue.Ranks(ctx, students, ranks); err != nil {
		return err
	}
	var lost []int64
	for i, r := range ranks {
		if r < 0 {
			lost = append(lost, students[i])
		}
	}
	views := map[int64]gate.TicketView{}
	if len(lost) > 0 {
		vs, err := h.Queue.Views(ctx, lost, now)
		if err != nil {
			return err
		}
		for _, v := range vs {
			views[v.StudentID] = v
		}
	}
	if len(touch) > 0 {
		if err := h.Queue.Touch(ctx, touch, now); err != nil {
			h.log().Warn("touch waiters", "err", err)
		}
	}

	// The frames, one goroutine per shard.
	var wg sync.WaitGroup
	k := 0
	for i := range h.shards {
		cs := due[i]
		rs := ranks[k : k+len(cs)]
		k += len(cs)
		if len(cs) == 0 && len(pings[i]) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for j, c := range cs {
				if rs[j] >= 0 {
					buf = h.push(c, ts, rs[j], buf)
				} else {
					buf, _ = h.frameFor(c, views[c.student], now, buf)
				}
			}
			for _, c := range pings[i] {
				c.ping(now)
			}
		}()
	}
	wg.Wait()
	hubTick.UpdateDuration(start)
	return nil
}

// isDue reports whether c may need a frame this tick.
func (h *Hub) isDue(c *client, room gate.RoomState, phase gate.State, now time.Time, refresh time.Duration) bool {
	if now.Sub(c.sentAt) >= refresh || c.phase != phase {
		return true
	}
	// In FIFO order each admission moves every waiter up by one, and each
	// departure by at most one.
	moved := (room.AdmittedTotal - c.baseA) + (room.Departed - c.baseD)
	if phase == gate.StatePrequeue && room.LotteryPending() {
		moved = max(moved, abs(room.Waiting-c.sentPos)) // shown: the pre-queue's size
	}
	return moved >= threshold(c.sentPos)
}

// threshold is the change of position worth a frame: 1%, at least one.
func threshold(pos int64) int64 { return max(1, (pos+99)/100) }

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// tickState is what one tick knows when it writes frames.
type tickState struct {
	room    gate.RoomState
	phase   gate.State
	now     time.Time
	refresh time.Duration
	start   time.Time  // wall clock when the tick read the room
	rates   gate.Rates // for the ETAs
}

// push sends c its position from a fresh rank, when it changed enough or
// the last frame is getting old, and records the counters the rank is
// exact for. The push lag is the time from reading the room to the write.
func (h *Hub) push(c *client, ts *tickState, rank int64, buf []byte) []byte {
	pos := rank + 1
	if ts.phase == gate.StatePrequeue && ts.room.LotteryPending() {
		pos = max(ts.room.Waiting, pos)
	}
	send := ts.now.Sub(c.sentAt) >= ts.refresh || c.phase != ts.phase || abs(pos-c.sentPos) >= threshold(c.sentPos)
	c.baseA, c.baseD, c.phase = ts.room.AdmittedTotal, ts.room.Departed, ts.phase
	if !send {
		return buf
	}
	eta, lo, hi := ts.rates.ETA(pos, ts.now, ts.room, ts.phase)
	buf = appendPosition(buf[:0], ts.phase, pos, eta, lo, hi)
	if c.write(buf) {
		hubInterval.Update(ts.now.Sub(c.sentAt).Seconds())
		c.sentPos, c.sentAt = pos, ts.now
		hubPushLag.UpdateDuration(ts.start)
	}
	return buf
}

// frameFor writes the frame for v to c and reports whether c stays open.
func (h *Hub) frameFor(c *client, v gate.TicketView, now time.Time, buf []byte) ([]byte, bool) {
	st := v.State(now)
	if v.Ticket != c.ticket {
		st = gate.StateExpired // the student has a newer ticket
	}
	switch st {
	case gate.StatePrequeue, gate.StateWaiting:
		pos := v.Position(now)
		eta, lo, hi := h.Estimator.ETA(pos, now, v.Room, st)
		buf = appendPosition(buf[:0], st, pos, eta, lo, hi)
		c.write(buf)
		c.sentPos, c.sentAt, c.phase = pos, now, st
		c.baseA, c.baseD = v.Room.AdmittedTotal, v.Room.Departed
		return buf, true
	case gate.StateAdmitted:
		buf = appendAdmitted(buf[:0], v.Admission)
		c.write(buf)
		c.close(1000, "admitted")
	default:
		buf = append(buf[:0], `{"type":"expired"}`...)
		c.write(buf)
		c.close(1000, "expired")
	}
	return buf, false
}
