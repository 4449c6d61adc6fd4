package http_test

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
)

// frame is any frame the socket sends.
type frame struct {
	Type               string     `json:"type"`
	State              gate.State `json:"state"`
	Position           int64      `json:"position"`
	Ahead              int64      `json:"ahead"`
	EtaSeconds         *int64     `json:"eta_seconds"`
	EtaLow             int64      `json:"eta_low"`
	EtaHigh            int64      `json:"eta_high"`
	AdmissionToken     string     `json:"admission_token"`
	AdmissionExpiresAt time.Time  `json:"admission_expires_at"`
}

// socket reads a WebSocket's frames in the background: a read deadline
// would break the connection for good.
type socket struct {
	c      *websocket.Conn
	frames chan frame
	err    chan error
}

func listen(t *testing.T, c *websocket.Conn) *socket {
	s := &socket{c: c, frames: make(chan frame, 100), err: make(chan error, 1)}
	go func() {
		for {
			typ, b, err := c.ReadMessage()
			if err != nil {
				s.err <- err
				return
			}
			var f frame
			if typ != websocket.TextMessage || json.Unmarshal(b, &f) != nil {
				t.Errorf("bad frame %d %q", typ, b)
			}
			s.frames <- f
		}
	}()
	return s
}

// next returns the next frame, failing the test after within.
func (s *socket) next(t *testing.T, within time.Duration) frame {
	t.Helper()
	select {
	case f := <-s.frames:
		return f
	case err := <-s.err:
		select { // frames that arrived before the close come first
		case f := <-s.frames:
			s.err <- err
			return f
		default:
		}
		t.Fatalf("socket closed: %v", err)
	case <-time.After(within):
		t.Fatalf("no frame within %v", within)
	}
	return frame{}
}

// last drains the frames that arrived and returns the last one.
func (s *socket) last(t *testing.T, within time.Duration) frame {
	t.Helper()
	f := s.next(t, within)
	for {
		select {
		case g := <-s.frames:
			f = g
		case <-time.After(50 * time.Millisecond):
			return f
		}
	}
}

// closed waits for the end of the socket and returns its error.
func (s *socket) closed(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.err:
		return err
	case f := <-s.frames:
		t.Fatalf("unexpected frame %+v", f)
	case <-time.After(2 * time.Second):
		t.Fatal("socket not closed")
	}
	return nil
}

func (e *env) socket(t *testing.T, ticket string) *socket {
	t.Helper()
	c, _, err := e.dial(ticket)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return listen(t, c)
}

func TestWebSocketHandshake(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, resp, err := e.dial("unknown-ticket")
	require.ErrorIs(t, err, websocket.ErrBadHandshake)
	require.NotNil(t, resp)
	assert.Equal(t, 404, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "NOT_FOUND", errorCode(body))
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))

	_, resp, err = e.dial("")
	require.Error(t, err)
	assert.Equal(t, 404, resp.StatusCode)

	e.room(0, map[string]any{"paused": true})
	tk := e.join(1)
	status, body := e.do("GET", "/queue/v1/ws?ticket="+tk.Ticket, "")
	assert.Equal(t, 400, status, "a plain GET is no upgrade")
	assert.Equal(t, "BAD_REQUEST", errorCode(body))
}

// TestWebSocketFrames: the first frame at once, updates as the queue
// moves, then the admission and a normal close.
func TestWebSocketFrames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, map[string]any{"paused": true})
	for s := range int64(3) {
		e.join(s + 1)
	}
	tk := e.join(4)
	ws := e.socket(t, tk.Ticket)
	f := ws.next(t, 500*time.Millisecond) // no hub tick needed
	assert.Equal(t, "position", f.Type)
	assert.Equal(t, gate.StateWaiting, f.State)
	assert.Equal(t, int64(4), f.Position)
	assert.Equal(t, int64(3), f.Ahead)
	require.NotNil(t, f.EtaSeconds)
	assert.LessOrEqual(t, f.EtaLow, *f.EtaSeconds)
	assert.GreaterOrEqual(t, f.EtaHigh, *f.EtaSeconds)
	require.Eventually(t, func() bool { return e.hub.Sockets() == 1 }, time.Second, 10*time.Millisecond)

	status, _ := e.do("POST", "/queue/v1/leave", "", "Authorization", "Bearer "+e.session(2))
	require.Equal(t, 204, status)
	require.NoError(t, e.hub.Step(e.ctx))
	f = ws.next(t, time.Second)
	assert.Equal(t, int64(3), f.Position, "a departure ahead moves the position")

	status, _ = e.do("PUT", "/admin/v1/room", `{"paused": false, "admit_per_second": 2}`, "Authorization", "Bearer "+adminToken)
	require.Equal(t, 200, status)
	var positions []int64
	for f.Type == "position" {
		require.NoError(t, e.adm.Step(e.ctx))
		require.NoError(t, e.hub.Step(e.ctx))
		select {
		case f = <-ws.frames:
			if f.Type == "position" {
				positions = append(positions, f.Position)
			}
		case <-time.After(250 * time.Millisecond): // nothing moved this tick
		}
	}
	assert.Equal(t, []int64{2, 1}, positions, "one frame per change")
	assert.Equal(t, "admitted", f.Type)
	claims, err := tokenVerifier(e).Admission(f.AdmissionToken)
	require.NoError(t, err)
	assert.Equal(t, int64(4), claims.StudentID)
	assert.Equal(t, claims.ExpiresAt, f.AdmissionExpiresAt.UTC())
	err = ws.closed(t)
	assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "closed normally: %v", err)

	// A socket of an admitted ticket gets the admission at once.
	ws2 := e.socket(t, tk.Ticket)
	f = ws2.next(t, 500*time.Millisecond)
	assert.Equal(t, "admitted", f.Type)
	assert.Equal(t, claims.ExpiresAt, f.AdmissionExpiresAt.UTC())
}

// TestWebSocketInterval: frames keep coming at least every Interval while
// nothing moves.
func TestWebSocketInterval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.hub.Interval = time.Second
	e.room(0, map[string]any{"paused": true})
	tk := e.join(1)
	ws := e.socket(t, tk.Ticket)
	ws.next(t, 500*time.Millisecond)
	ctx, cancel := contextWithCancel(e)
	defer cancel()
	go e.hub.Run(ctx)
	last := time.Now()
	for range 3 {
		f := ws.next(t, 2*time.Second)
		assert.Equal(t, int64(1), f.Position)
		assert.LessOrEqual(t, time.Since(last), 1100*time.Millisecond)
		last = time.Now()
	}
}

// TestWebSocketGrace: a socket keeps its waiter's place; a reconnect within
// the grace period finds it; silence beyond it loses it.
func TestWebSocketGrace(t *testing.T) {
	t.Parallel()
	clk := &clock{}
	clk.Advance(time.Duration(time.Now().UnixNano()))
	e := newEnv(t, func(o *options) { o.grace = 10 * time.Second; o.now = clk.Now })
	e.room(0, map[string]any{"paused": true})
	e.join(1) // silent
	a, poller := e.join(2), e.join(3)
	ws := e.socket(t, a.Ticket)
	assert.Equal(t, int64(2), ws.next(t, time.Second).Position)
	require.Eventually(t, func() bool { return e.hub.Sockets() == 1 }, time.Second, 10*time.Millisecond)

	step := func(d time.Duration) {
		clk.Advance(d)
		require.NoError(t, e.adm.Step(e.ctx))
		require.NoError(t, e.hub.Step(e.ctx))
	}
	step(6 * time.Second)
	assert.Equal(t, poller.Ticket, e.status(3).Ticket) // a poll at +6 s
	step(6 * time.Second)                              // +12 s: the silent one is gone
	assert.Equal(t, gate.StateExpired, e.status(1).State)
	assert.Equal(t, int64(1), ws.last(t, time.Second).Position, "the socket's waiter moved up")

	ws.c.Close() // disconnect at +12 s
	require.Eventually(t, func() bool { return e.hub.Sockets() == 0 }, time.Second, 10*time.Millisecond)
	step(time.Second) // the hub records the disconnect at +13 s
	step(7 * time.Second)
	// +20 s: the poller (seen at +6 s) is gone; the socket's waiter (seen at
	// +13 s) reconnects within the grace period and keeps the place.
	ws = e.socket(t, a.Ticket)
	f := ws.next(t, time.Second)
	assert.Equal(t, "position", f.Type)
	assert.Equal(t, int64(1), f.Position)
	assert.Equal(t, gate.StateExpired, e.status(3).State)
	ws.c.Close()
	require.Eventually(t, func() bool { return e.hub.Sockets() == 0 }, time.Second, 10*time.Millisecond)
	step(time.Second)
	step(12 * time.Second) // silent for longer than the grace period
	ws = e.socket(t, a.Ticket)
	assert.Equal(t, "expired", ws.next(t, time.Second).Type)
	err := ws.closed(t)
	assert.True(t, websocket.IsCloseError(err, websocket.CloseNormalClosure), "%v", err)
}
