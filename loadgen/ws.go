package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Sockets opens the queue WebSockets of /queue/v1/ws, spread over the
// source addresses like Client. Safe for concurrent use.
type Sockets struct {
	Addr    string // the gate's host:port
	Sources *Sources
	held    atomic.Int64
	dialer  websocket.Dialer
}

// NewSockets returns a socket opener for the gate at addr.
func NewSockets(src *Sources, addr string) *Sockets {
	s := &Sockets{Addr: addr, Sources: src}
	s.dialer = websocket.Dialer{
		HandshakeTimeout: 20 * time.Second,
		// Small buffers: S3 holds 100,000 of these.
		ReadBufferSize:  1024,
		WriteBufferSize: 256,
	}
	return s
}

// Held returns the number of sockets open now.
func (s *Sockets) Held() int64 { return s.held.Load() }

// Watch is one student's open queue socket.
type Watch struct {
	conn *websocket.Conn
	s    *Sockets
	done atomic.Bool
}

// Open dials the socket of ticket as student who, recording the handshake
// on ep. It returns the HTTP status of a refused handshake in the error.
func (s *Sockets) Open(ctx context.Context, ep *Endpoint, who int, ticket string) (*Watch, error) {
	d := s.dialer
	d.NetDialContext = func(ctx context.Context, _, addr string) (net.Conn, error) {
		return s.Sources.Dial(ctx, who, addr)
	}
	u := "ws://" + s.Addr + "/queue/v1/ws?ticket=" + url.QueryEscape(ticket)
	t0 := time.Now()
	conn, resp, err := d.DialContext(ctx, u, nil)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	if err != nil {
		if ep != nil {
			ep.Record(t0, status, nil)
		}
		return nil, &SocketError{Status: status, Err: err}
	}
	if ep != nil {
		ep.Record(t0, 101, nil)
	}
	s.held.Add(1)
	return &Watch{conn: conn, s: s}, nil
}

// SocketError is a failed handshake: the status the server answered with,
// or 0 when the connection failed.
type SocketError struct {
	Status int
	Err    error
}

func (e *SocketError) Error() string { return e.Err.Error() }
func (e *SocketError) Unwrap() error { return e.Err }

// errClosed reports a socket closed by the server or by Close.
var errClosed = errors.New("socket closed")

// Next reads the next frame; the default ping handler answers pings while
// it reads. It returns errClosed when the socket closed normally.
func (w *Watch) Next(deadline time.Time) (Frame, error) {
	var f Frame
	_ = w.conn.SetReadDeadline(deadline)
	_, msg, err := w.conn.ReadMessage()
	if err != nil {
		if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) || w.done.Load() {
			return f, errClosed
		}
		return f, err
	}
	err = json.Unmarshal(msg, &f)
	return f, err
}

// Close closes the socket once.
func (w *Watch) Close() {
	if w.done.CompareAndSwap(false, true) {
		_ = w.conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = w.conn.Close()
		w.s.held.Add(-1)
	}
}
