// Package http serves the gate with fasthttp: the queue API, the WebSocket
// position stream and its hub, the room admin routes, the reverse proxy to
// the core with its admission check, rate limits, the contract's error
// shape, request ids and metrics. Pages come from package classmate/gate/web.
package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"classmate/gate"
	"classmate/internal/contract"
	"classmate/token"
)

// Server is the gate's HTTP server. Set the exported fields, then call
// Serve. Safe for concurrent use once serving.
type Server struct {
	Queue      gate.Queue
	Hub        *Hub
	Proxy      *Proxy // nil answers /api/v1/* with 503
	Web        fasthttp.RequestHandler
	Tokens     token.Config
	AdminToken string
	Limits     Limits
	// TrustForwarded takes the client's address from the last
	// X-Forwarded-For entry (behind a load balancer that appends it).
	TrustForwarded bool
	// Estimator gives ETAs; the Hub feeds it.
	Estimator *gate.Estimator
	// Meter receives the proxy's latencies and errors for AIMD.
	Meter *gate.LoadMeter
	// Leader reports whether this instance runs the admission tick.
	Leader func() bool
	// Ready reports whether the dependencies answer, for /readyz.
	Ready func(ctx context.Context) error
	// Timeout bounds each request's work on Redis (default 5 s).
	Timeout time.Duration
	Log     *slog.Logger
	Now     func() time.Time

	idPrefix  string
	srv       *fasthttp.Server
	limiter   *limiter
	upgrader  *websocket.FastHTTPUpgrader
	metricSet *metrics.Set
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Handler returns the request handler; Serve uses it. Call it once.
func (s *Server) Handler() fasthttp.RequestHandler {
	if s.idPrefix == "" {
		var b [4]byte
		rand.Read(b[:])
		s.idPrefix = hex.EncodeToString(b[:]) + "-"
	}
	s.limiter = newLimiter(s.Limits)
	s.upgrader = &websocket.FastHTTPUpgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   256, // clients send only pongs and a close
		WriteBufferPool:  writePool,
		Error: func(ctx *fasthttp.RequestCtx, status int, reason error) {
			code := gate.CodeBadRequest
			switch status {
			case fasthttp.StatusForbidden:
				code = gate.CodeForbidden
			case fasthttp.StatusMethodNotAllowed:
				code = gate.CodeMethodNotAllowed
			}
			s.writeError(ctx, gate.Errorf(code, "%s", reason.Error()))
		},
	}
	s.metricSet = s.newMetrics()
	return func(ctx *fasthttp.RequestCtx) { s.serve(ctx, false) }
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	h := s.Handler()
	s.srv = &fasthttp.Server{
		Handler:                      h,
		Name:                         "classmate-gate",
		MaxRequestBodySize:           1 << 20,
		ReadTimeout:                  10 * time.Second,
		WriteTimeout:                 10 * time.Second,
		IdleTimeout:                  60 * time.Second,
		NoDefaultServerHeader:        true,
		DisablePreParseMultipartForm: true,
		// Sockets held by the hub are connections too; the hub closes them.
		Concurrency:       1 << 20,
		KeepHijackedConns: true,
		ErrorHandler: func(ctx *fasthttp.RequestCtx, err error) {
			if errors.Is(err, fasthttp.ErrBodyTooLarge) && ctx.Request.Header.ContentLength() > 0 {
				s.serve(ctx, true)
				return
			}
			contract.SetRequestID(ctx, s.idPrefix)
			if errors.Is(err, fasthttp.ErrBodyTooLarge) {
				s.writeError(ctx, errTooLarge)
				return
			}
			s.writeError(ctx, gate.Errorf(gate.CodeBadRequest, "malformed HTTP request"))
		},
	}
	return s.srv.Serve(ln)
}

// Shutdown closes the hub's sockets, stops accepting connections and waits
// for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.Hub != nil {
		s.Hub.Close()
	}
	if s.srv == nil {
		return nil
	}
	return s.srv.ShutdownWithContext(ctx)
}

// serve runs one request through the contract's order of checks: route,
// token (401/403), method (405), body size (413), media type (415), then
// the handler (400, 404, …). The proxy and the pages have their own.
func (s *Server) serve(ctx *fasthttp.RequestCtx, tooLarge bool) {
	start := time.Now()
	contract.SetRequestID(ctx, s.idPrefix)
	name := "unknown"
	defer func() {
		if p := recover(); p != nil {
			s.log().Error("panic", "path", string(ctx.Path()), "panic", p)
			s.writeError(ctx, errInternal)
		}
		if ctx.Response.StatusCode() != fasthttp.StatusSwitchingProtocols {
			observe(name, ctx.Response.StatusCode(), start)
		}
	}()
	path := ctx.Path()
	if bytes.HasPrefix(path, []byte("/api/v1/")) {
		name = proxyRoute(path)
		s.proxy(ctx, tooLarge)
		return
	}
	if !owned(path) {
		name = "web"
		if s.Web == nil {
			s.writeError(ctx, gate.ErrNotFound)
			return
		}
		s.Web(ctx)
		return
	}
	rt, methodOK := lookup(string(ctx.Method()), string(path))
	if rt == nil {
		s.writeError(ctx, gate.ErrNotFound)
		return
	}
	name = rt.name
	c := &call{ctx: ctx}
	if rt.limit != limitNone {
		c.ip = s.clientIP(ctx)
		if err := s.limiter.allowIP(c.ip); err != nil {
			s.writeError(ctx, err)
			return
		}
	}
	if err := s.authorize(c, rt.auth); err != nil {
		s.writeError(ctx, err)
		return
	}
	if !methodOK {
		s.writeError(ctx, errMethodNotAllowed)
		return
	}
	if rt.limit == limitStudent && c.studentID != 0 {
		if err := s.limiter.allowStudent(c.studentID); err != nil {
			s.writeError(ctx, err)
			return
		}
	}
	if tooLarge || len(ctx.Request.Body()) > MaxBody {
		ctx.SetConnectionClose()
		s.writeError(ctx, errTooLarge)
		return
	}
	if rt.body && !contract.IsJSON(ctx) {
		s.writeError(ctx, errMediaType)
		return
	}
	if err := rt.handle(s, c); err != nil {
		s.writeError(ctx, err)
	}
}

// context returns a context for one request's calls to Redis: a fasthttp
// RequestCtx is done only at shutdown.
func (s *Server) context() (context.Context, context.CancelFunc) {
	t := s.Timeout
	if t == 0 {
		t = 5 * time.Second
	}
	return context.WithTimeout(context.Background(), t)
}

// authorize checks the Authorization header against what the route
// demands, and records the student it names.
func (s *Server) authorize(c *call, need auth) error {
	if need == authNone {
		return nil
	}
	raw, ok := bearer(c.ctx)
	switch need {
	case authAdmin:
		if !ok || s.AdminToken == "" || subtle.ConstantTimeCompare([]byte(raw), []byte(s.AdminToken)) != 1 {
			if ok && s.isStudentToken(raw) {
				return gate.ErrForbidden
			}
			return gate.ErrUnauthenticated
		}
		return nil
	case authSession:
		if !ok {
			return gate.ErrUnauthenticated
		}
		sess, err := s.Tokens.SessionVerifier(s.Now).Session(raw)
		if err != nil {
			return gate.ErrUnauthenticated
		}
		c.studentID = sess.StudentID
		return nil
	case authStudent:
		if !ok {
			return gate.ErrUnauthenticated
		}
		if sess, err := s.Tokens.SessionVerifier(s.Now).Session(raw); err == nil {
			c.studentID = sess.StudentID
			return nil
		}
		adm, err := s.Tokens.AdmissionVerifier(s.Now).Admission(raw)
		if err != nil {
			return gate.ErrUnauthenticated
		}
		c.studentID, c.jti, c.exp = adm.StudentID, adm.ID, adm.ExpiresAt
		return nil
	}
	return gate.ErrUnauthenticated
}

func (s *Server) isStudentToken(raw string) bool {
	if _, err := s.Tokens.SessionVerifier(s.Now).Session(raw); err == nil {
		return true
	}
	_, err := s.Tokens.AdmissionVerifier(s.Now).Admission(raw)
	return err == nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(ctx *fasthttp.RequestCtx) (string, bool) {
	h := ctx.Request.Header.Peek("Authorization")
	const p = "Bearer "
	if len(h) <= len(p) || !bytes.EqualFold(h[:len(p)], []byte(p)) {
		return "", false
	}
	return string(h[len(p):]), true
}

// histograms caches the request histograms by route and status, sparing
// the hot path a metric name to build and look up.
var histograms sync.Map // routeStatus → *metrics.PrometheusHistogram

type routeStatus struct {
	route  string
	status int
}

// observe records a request's latency by route and status.
func observe(route string, status int, start time.Time) {
	k := routeStatus{route, status}
	h, ok := histograms.Load(k)
	if !ok {
		h, _ = histograms.LoadOrStore(k, metrics.GetOrCreatePrometheusHistogram(
			`classmate_http_request_duration_seconds{service="gate",route="`+route+`",status="`+strconv.Itoa(status)+`"}`))
	}
	h.(*metrics.PrometheusHistogram).UpdateDuration(start)
}
