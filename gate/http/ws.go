package http

import (
	"strconv"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"classmate/gate"
)

// writePool lends the sockets write buffers only while they write, so an
// idle socket holds none (websocket.BufferPool).
var writePool = &sync.Pool{}

// ws upgrades GET /queue/v1/ws?ticket=… to a WebSocket held by the hub. An
// unknown ticket is refused before the upgrade, with 404.
func (s *Server) ws(c *call) error {
	ticket := c.ctx.QueryArgs().Peek("ticket")
	if !validTicket(ticket) {
		return gate.ErrNotFound
	}
	t := string(ticket) // the RequestCtx's bytes die with the handler
	ctx, cancel := s.context()
	student, err := s.Queue.StudentOf(ctx, t)
	cancel()
	if err != nil {
		return s.storeError(err)
	}
	if !websocket.FastHTTPIsWebSocketUpgrade(c.ctx) {
		return gate.Errorf(gate.CodeBadRequest, "a WebSocket upgrade is required")
	}
	if s.Hub == nil || s.Hub.closing.Load() {
		return gate.ErrUnavailable
	}
	// The first view is read here, on fasthttp's pooled worker, so the
	// socket's own goroutine never runs the deep Redis client code and its
	// stack stays small for the socket's whole life.
	now := s.Hub.now()
	ctx, cancel = s.context()
	v, err := s.Queue.View(ctx, student, now, true)
	cancel()
	if err != nil {
		return s.storeError(err)
	}
	_ = s.upgrader.Upgrade(c.ctx, func(conn *websocket.Conn) { s.Hub.Serve(conn, t, v, now) })
	return nil // a failed upgrade was answered by the upgrader's Error
}

// Serve takes over conn for the ticket: it sends the first frame at once
// from v, the ticket's view at now, and unless that ended the ticket's
// stream, hands the socket to the hub and returns. The server must keep
// hijacked connections open (fasthttp's KeepHijackedConns): fasthttp's
// hijack goroutine then returns at once and gives its RequestCtx back to
// its pool, and the socket lives on in a goroutine of its own that only
// reads, so its stack stays at the minimum. Memory per socket matters at
// 100,000 of them.
func (h *Hub) Serve(conn *websocket.Conn, ticket string, v gate.TicketView, now time.Time) {
	c := &client{conn: conn, student: v.StudentID, ticket: ticket, timeout: h.writeTimeout()}
	if _, open := h.frameFor(c, v, now, nil); !open {
		conn.Close()
		return
	}
	c.touchedAt, c.pingedAt = now, now
	if !h.add(c) {
		c.close(websocket.CloseGoingAway, "gate shutting down")
		return
	}
	pongWait := 2*h.ping() + 10*time.Second
	conn.SetReadLimit(512)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	go h.hold(c)
}

// hold reads the socket (pongs, a close) until it fails, then forgets it.
func (h *Hub) hold(c *client) {
	defer h.remove(c)
	defer c.conn.Close()
	for {
		if _, _, err := c.conn.NextReader(); err != nil {
			c.closed.Store(true)
			return
		}
	}
}

// write sends one text frame, waiting at most the client's timeout; a
// failed write closes the socket. It reports success.
func (c *client) write(b []byte) bool {
	if c.closed.Load() {
		return false
	}
	c.mu.Lock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	err := c.conn.WriteMessage(websocket.TextMessage, b)
	c.mu.Unlock()
	if err != nil {
		c.closed.Store(true)
		c.conn.Close()
		return false
	}
	hubFrames.Inc()
	return true
}

// ping sends a ping, waiting at most the client's timeout; the pong
// extends the read deadline.
func (c *client) ping(now time.Time) {
	c.pingedAt = now
	if c.closed.Load() {
		return
	}
	if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.timeout)); err != nil {
		c.closed.Store(true)
		c.conn.Close()
	}
}

// close sends a close frame with code and reason, then closes the
// connection. Only the first call does anything.
func (c *client) close(code int, reason string) {
	if c.closed.Swap(true) {
		return
	}
	c.mu.Lock()
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.conn.Close()
	c.mu.Unlock()
}

// appendPosition appends a position frame:
// {"type":"position","state":…,"position":…,"ahead":…,"eta_seconds":…,"eta_low":…,"eta_high":…}.
func appendPosition(b []byte, st gate.State, pos, eta, lo, hi int64) []byte {
	b = append(b, `{"type":"position","state":"`...)
	b = append(b, st...)
	b = append(b, `","position":`...)
	b = strconv.AppendInt(b, pos, 10)
	b = append(b, `,"ahead":`...)
	b = strconv.AppendInt(b, max(pos-1, 0), 10)
	b = append(b, `,"eta_seconds":`...)
	b = strconv.AppendInt(b, eta, 10)
	b = append(b, `,"eta_low":`...)
	b = strconv.AppendInt(b, lo, 10)
	b = append(b, `,"eta_high":`...)
	b = strconv.AppendInt(b, hi, 10)
	return append(b, '}')
}

// appendAdmitted appends an admitted frame with the admission token.
func appendAdmitted(b []byte, a *gate.Admission) []byte {
	b = append(b, `{"type":"admitted","admission_token":"`...)
	b = append(b, a.Token...)
	b = append(b, `","admission_expires_at":"`...)
	b = a.ExpiresAt.UTC().AppendFormat(b, time.RFC3339)
	return append(b, `"}`...)
}
