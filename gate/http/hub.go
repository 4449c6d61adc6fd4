package http

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/fasthttp/websocket"

	"classmate/gate"
)

// Hub defaults.
const (
	DefaultFrameInterval = 2 * time.Second
	// DefaultPushTick is how often the hub looks for frames to send. Each
	// tick coalesces the position changes since the last one: a waiter near
	// the front moves on every admission tick, and a frame per admission
	// tick would cost the gate a write per socket per tick in the rush.
	DefaultPushTick = 500 * time.Millisecond
	// MaxPushTick keeps a change of position waiting at most a second.
	MaxPushTick         = time.Second
	DefaultPingInterval = 30 * time.Second
	writeWait           = 5 * time.Second
	nHubShards          = 64
)

// Hub holds this gate's WebSockets and pushes each one its position.
//
// Once per tick it reads the room's counters (one script call), makes one
// pass over its sockets to find those due a frame, reads the queue ranks of
// exactly those students with pipelined ZRANKs (one round trip per 4,096),
// and writes the frames from one goroutine per shard. A socket is due when
// its last frame is about to be Interval old, when the room's phase
// changed, or when the admissions and departures since its rank was read
// (counters in the snapshot) could have moved its position by 1% or more:
// in FIFO order every admission takes a student ahead of every waiter, and
// a departure can take at most one. So every change of at least 1% is seen
// within a tick, and Redis work grows with the frames to send, not with
// the sockets held or the gates running: 100,000 waiters at rest cost about
// 67,000 ZRANKs a second (a frame every 1.5 s with the default tick)
// whoever holds their sockets, where one ZRANGE of the queue per tick per
// gate would move the whole queue twice a second on every gate. Sockets also refresh
// their waiters' last-seen time in one ZADD per tick for the ones due (each
// about every Grace/4), so a held socket keeps its place.
//
// Set the exported fields, then call Run; Serve takes over a connection.
// Safe for concurrent use.
type Hub struct {
	Queue     gate.Queue
	Estimator *gate.Estimator
	Tick      time.Duration // push tick, default DefaultPushTick, at most MaxPushTick
	Grace     time.Duration // default 60 s
	Interval  time.Duration // longest gap between frames, default 2 s
	Ping      time.Duration // default 30 s
	// WriteTimeout bounds a write to a socket, default 5 s; a socket whose
	// write takes longer is closed.
	WriteTimeout time.Duration
	Now          func() time.Time
	Log          *slog.Logger

	shards  [nHubShards]hubShard
	count   atomic.Int64
	room    atomic.Pointer[gate.RoomState]
	closing atomic.Bool

	gone   sync.Mutex
	goneID []int64 // students whose socket closed, to touch at the next tick
}

type hubShard struct {
	mu      sync.Mutex
	clients map[*client]struct{}
}

// client is one socket. conn writes are serialized by mu; the fields after
// closed belong to whoever holds the client: Serve until the client is
// added to a shard, then the tick (its write goroutine for the shard). The
// goroutine of hold only reads the connection.
type client struct {
	conn    *websocket.Conn
	student int64
	ticket  string
	timeout time.Duration // bound of each write (Hub.WriteTimeout)
	mu      sync.Mutex
	closed  atomic.Bool

	sentPos   int64
	sentAt    time.Time
	phase     gate.State
	baseA     int64 // room.AdmittedTotal when sentPos was exact
	baseD     int64 // room.Departed then
	touchedAt time.Time
	pingedAt  time.Time
}

// Hub metrics: frames sent; push lag, from a tick's read of the room to a
// frame's write; the interval between two position frames of a socket, as
// the gate sends them; and the duration of a tick.
var (
	hubBuckets  = []float64{.01, .025, .05, .1, .2, .3, .5, .75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 5, 10}
	hubFrames   = metrics.NewCounter(`classmate_gate_ws_frames_total`)
	hubPushLag  = metrics.NewPrometheusHistogramExt(`classmate_gate_push_lag_seconds`, hubBuckets)
	hubInterval = metrics.NewPrometheusHistogramExt(`classmate_gate_frame_interval_seconds`, hubBuckets)
	hubTick     = metrics.NewPrometheusHistogramExt(`classmate_gate_hub_tick_seconds`, hubBuckets)
)

func (h *Hub) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Hub) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *Hub) tick() time.Duration {
	if h.Tick > 0 && h.Tick <= MaxPushTick {
		return h.Tick
	}
	return DefaultPushTick
}

func (h *Hub) interval() time.Duration {
	if h.Interval > 0 {
		return h.Interval
	}
	return DefaultFrameInterval
}

// refreshAfter is the age at which a frame is resent: at the last tick at
// least a quarter of Interval (at most half a second) before it, so that a
// late tick or a slow write pass still makes it in time. Frame ages are
// whole ticks give or take the ticker's jitter, hence the half tick off.
func (h *Hub) refreshAfter() time.Duration {
	t, iv := h.tick(), h.interval()
	n := max((iv-min(iv/4, 500*time.Millisecond))/t, 1)
	return n*t - t/2
}

func (h *Hub) touchEvery() time.Duration {
	g := h.Grace
	if g <= 0 {
		g = 60 * time.Second
	}
	return min(g/4, 10*time.Second)
}

func (h *Hub) writeTimeout() time.Duration {
	if h.WriteTimeout > 0 {
		return h.WriteTimeout
	}
	return writeWait
}

func (h *Hub) ping() time.Duration {
	if h.Ping > 0 {
		return h.Ping
	}
	return DefaultPingInterval
}

// Sockets returns the number of sockets held.
func (h *Hub) Sockets() int64 { return h.count.Load() }

// Room returns the room state of the last tick, or nil before the first.
func (h *Hub) Room() *gate.RoomState { return h.room.Load() }

func (h *Hub) shard(c *client) *hubShard {
	return &h.shards[uint64(c.student)%nHubShards]
}

func (h *Hub) add(c *client) bool {
	sh := h.shard(c)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if h.closing.Load() {
		return false
	}
	if sh.clients == nil {
		sh.clients = make(map[*client]struct{})
	}
	sh.clients[c] = struct{}{}
	h.count.Add(1)
	return true
}

func (h *Hub) remove(c *client) {
	sh := h.shard(c)
	sh.mu.Lock()
	if _, ok := sh.clients[c]; ok {
		delete(sh.clients, c)
		h.count.Add(-1)
	}
	sh.mu.Unlock()
	h.gone.Lock()
	h.goneID = append(h.goneID, c.student)
	h.gone.Unlock()
}

// Run ticks until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.tick())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := h.Step(tctx); err != nil && ctx.Err() == nil {
			h.log().Warn("hub tick", "err", err)
		}
		cancel()
	}
}

// Close sends every socket a going-away close frame and closes it.
func (h *Hub) Close() {
	h.closing.Store(true)
	var wg sync.WaitGroup
	for i := range h.shards {
		sh := &h.shards[i]
		sh.mu.Lock()
		cs := make([]*client, 0, len(sh.clients))
		for c := range sh.clients {
			cs = append(cs, c)
		}
		sh.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range cs {
				c.close(websocket.CloseGoingAway, "gate shutting down")
			}
		}()
	}
	wg.Wait()
}
