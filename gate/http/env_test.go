package http_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"classmate/gate"
	gatehttp "classmate/gate/http"
	gateredis "classmate/gate/redis"
	"classmate/internal/dbtest"
	"classmate/internal/redisclient"
	"classmate/token"
)

const adminToken = "test-admin-token"

// clock is a settable time source, safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// env is a gate server on a fresh Redis key prefix, served over an
// in-memory listener, with its hub and admitter stepped by the test.
type env struct {
	t      testing.TB
	ctx    context.Context
	rdb    *goredis.Client
	store  *gateredis.Store
	srv    *gatehttp.Server
	hub    *gatehttp.Hub
	adm    *gate.Admitter
	tokens token.Config
	ln     *fasthttputil.InmemoryListener
	client *fasthttp.Client
	now    func() time.Time // the server's clock; nil is time.Now
}

// options adjust an env before it starts.
type options struct {
	limits   gatehttp.Limits
	upstream string // core URL; "" leaves the proxy unset
	grace    time.Duration
	now      func() time.Time
}

func newEnv(t testing.TB, opts ...func(*options)) *env {
	t.Helper()
	o := options{grace: time.Minute}
	for _, f := range opts {
		f(&o)
	}
	rdb, prefix := dbtest.MustOpenRedis(t)
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	// The store uses the production client: the autopipeliner.
	rc, err := redisclient.Wrap(rdb, redisclient.FullDuplex)
	require.NoError(t, err)
	t.Cleanup(func() { rc.Close() })
	store := &gateredis.Store{Client: rc.Fast, Prefix: prefix}
	e := &env{t: t, ctx: context.Background(), rdb: rdb, store: store, tokens: tokens, now: o.now}
	est := &gate.Estimator{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.hub = &gatehttp.Hub{Queue: store, Estimator: est, Tick: 100 * time.Millisecond, Grace: o.grace, Now: o.now, Log: log}
	e.adm = &gate.Admitter{Store: store, Lock: &gateredis.Lock{Store: store, TTL: 5 * time.Second},
		Issuer: token.Issuer{Keys: tokens.Admission}, Tick: 100 * time.Millisecond, Grace: o.grace, Now: o.now, Log: log}
	e.srv = &gatehttp.Server{
		Queue: store, Hub: e.hub, Tokens: tokens, AdminToken: adminToken, Limits: o.limits,
		Estimator: est, Meter: &gate.LoadMeter{}, Leader: e.adm.Leader, Now: o.now, Log: log,
		Web: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/html")
			ctx.SetBodyString("<h1>page</h1>")
		},
		Ready: func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
	}
	if o.upstream != "" {
		e.srv.Proxy, err = gatehttp.NewProxy([]string{o.upstream}, 2*time.Second, 64)
		require.NoError(t, err)
	}
	e.ln = fasthttputil.NewInmemoryListener()
	go e.srv.Serve(e.ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.srv.Shutdown(ctx)
	})
	e.client = &fasthttp.Client{
		Dial:            func(string) (net.Conn, error) { return e.ln.Dial() },
		MaxConnsPerHost: 4096,
		ReadTimeout:     30 * time.Second,
	}
	return e
}

// room configures the room with opens relative to now.
func (e *env) room(opens time.Duration, body map[string]any) {
	e.t.Helper()
	b := map[string]any{"opens_at": time.Now().Add(opens).UTC().Format(time.RFC3339Nano), "prequeue_seconds": 3600,
		"max_active": 1000, "admit_per_second": 1000, "mode": "fifo", "paused": false, "session_seconds": 600}
	for k, v := range body {
		b[k] = v
	}
	raw, _ := json.Marshal(b)
	status, resp := e.do("PUT", "/admin/v1/room", string(raw), "Authorization", "Bearer "+adminToken)
	require.Equal(e.t, 200, status, string(resp))
}

func (e *env) session(studentID int64) string {
	no := "2026" + leftPad(strconv.FormatInt(studentID, 10), 6)
	// Issued on the server's clock: a token issued in the server's future
	// is refused.
	tok, _, err := token.Issuer{Keys: e.tokens.Session, Now: e.now}.Session(studentID, no, time.Hour)
	require.NoError(e.t, err)
	return tok
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// do sends a request; headers come as name, value pairs. A body is sent as
// application/json unless a Content-Type header is given.
func (e *env) do(method, path, body string, headers ...string) (int, []byte) {
	status, _, b := e.doFull(method, path, body, headers...)
	return status, b
}

func (e *env) doFull(method, path, body string, headers ...string) (int, *fasthttp.ResponseHeader, []byte) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://gate" + path)
	req.Header.SetMethod(method)
	if body != "" {
		req.Header.SetContentType("application/json")
		req.SetBodyString(body)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if err := e.client.Do(req, resp); err != nil {
		e.t.Errorf("%s %s: %v", method, path, err)
		return 0, nil, nil
	}
	h := &fasthttp.ResponseHeader{}
	resp.Header.CopyTo(h)
	return resp.StatusCode(), h, append([]byte(nil), resp.Body()...)
}

// ticket joins or reads a ticket and decodes it.
func (e *env) ticket(method, path string, student int64) (int, gate.Ticket) {
	e.t.Helper()
	status, body := e.do(method, path, "", "Authorization", "Bearer "+e.session(student))
	var t gate.Ticket
	if status == 200 {
		require.NoError(e.t, json.Unmarshal(body, &t), string(body))
	}
	return status, t
}

func (e *env) join(student int64) gate.Ticket {
	e.t.Helper()
	status, t := e.ticket("POST", "/queue/v1/join", student)
	require.Equal(e.t, 200, status)
	return t
}

func (e *env) status(student int64) gate.Ticket {
	e.t.Helper()
	status, t := e.ticket("GET", "/queue/v1/status", student)
	require.Equal(e.t, 200, status)
	return t
}

// admit runs admission ticks until the student is admitted.
func (e *env) admit(student int64) gate.Ticket {
	e.t.Helper()
	for range 100 {
		require.NoError(e.t, e.adm.Step(e.ctx))
		if t := e.status(student); t.State == gate.StateAdmitted {
			return t
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.t.Fatalf("student %d not admitted", student)
	return gate.Ticket{}
}

// dial opens a WebSocket for ticket over the in-memory listener.
func (e *env) dial(ticket string) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{NetDial: func(string, string) (net.Conn, error) { return e.ln.Dial() },
		HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws://gate/queue/v1/ws?ticket="+ticket, nil)
}

// errorCode returns the code of an error body.
func errorCode(body []byte) string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(body, &b)
	return b.Error.Code
}

func tokenVerifier(e *env) token.Verifier { return token.Verifier{Keys: e.tokens.Admission} }

// jwtSecret decodes the secret of a one-key "kid:base64url" keyring.
func jwtSecret(keyring string) ([]byte, error) {
	_, b64, _ := strings.Cut(keyring, ":")
	return base64.RawURLEncoding.DecodeString(b64)
}

func contextWithCancel(e *env) (context.Context, context.CancelFunc) {
	return context.WithCancel(e.ctx)
}
