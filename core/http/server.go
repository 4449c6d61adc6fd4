// Package http serves the core's HTTP API with fasthttp: routing, tokens,
// the contract's error shape, request ids, body limits and metrics.
package http

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"classmate/core"
	"classmate/internal/contract"
	"classmate/token"
)

// Server is the core's HTTP server. Set the exported fields, then call
// Serve. Safe for concurrent use once serving.
type Server struct {
	Students    core.StudentStore
	Courses     core.CourseStore
	Carts       core.CartStore
	Enrollments core.EnrollmentStore
	Registrar   *core.Registrar
	Seats       core.Seats
	Replies     core.Replies
	Revocations core.Revocations
	Tokens      token.Config
	AdminToken  string
	SessionTTL  time.Duration
	// Ready reports whether the dependencies answer, for /readyz.
	Ready func(ctx context.Context) error
	// Timeout bounds each request's work on MySQL and Redis (default 5 s).
	Timeout time.Duration
	Log     *slog.Logger
	Now     func() time.Time

	// Search answers GET /api/v1/courses; nil answers 503.
	Search core.Searcher

	idPrefix string
	srv      *fasthttp.Server
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Handler returns the request handler; Serve uses it.
func (s *Server) Handler() fasthttp.RequestHandler {
	if s.idPrefix == "" {
		var b [4]byte
		rand.Read(b[:])
		s.idPrefix = hex.EncodeToString(b[:]) + "-"
	}
	return func(ctx *fasthttp.RequestCtx) { s.serve(ctx, false) }
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	h := s.Handler()
	s.srv = &fasthttp.Server{
		Handler: h,
		Name:    "classmate-core",
		// Bodies up to 1 MiB are read so that the handler can answer 413 in
		// the contract's shape after checking the token; larger ones get the
		// same answer from ErrorHandler.
		MaxRequestBodySize:            1 << 20,
		ReadTimeout:                   10 * time.Second,
		WriteTimeout:                  10 * time.Second,
		IdleTimeout:                   60 * time.Second,
		NoDefaultServerHeader:         true,
		DisableHeaderNamesNormalizing: false,

		// The API takes JSON only: a multipart body must reach the handler
		// (and get 401 or 415 in the contract's order), not fail in
		// fasthttp's form parser with a bare 400.
		DisablePreParseMultipartForm: true,
		ErrorHandler: func(ctx *fasthttp.RequestCtx, err error) {
			if errors.Is(err, fasthttp.ErrBodyTooLarge) {
				if ctx.Request.Header.ContentLength() > 0 {
					s.serve(ctx, true)
					return
				}
				// A chunked body: fasthttp reset the request, headers and
				// all, so neither route nor token can be checked first.
				contract.SetRequestID(ctx, s.idPrefix)
				s.writeError(ctx, errTooLarge)
				return
			}
			contract.SetRequestID(ctx, s.idPrefix)
			s.writeError(ctx, core.Errorf(core.CodeBadRequest, "malformed HTTP request"))
		},
	}
	return s.srv.Serve(ln)
}

// Shutdown stops accepting connections and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.ShutdownWithContext(ctx)
}

// serve runs one request through the contract's order of checks: route,
// token (401/403), method (405), body size (413), media type (415), then the
// handler (400, 404, domain errors).
func (s *Server) serve(ctx *fasthttp.RequestCtx, tooLarge bool) {
	start := time.Now()
	contract.SetRequestID(ctx, s.idPrefix)
	name := "unknown"
	defer func() {
		if p := recover(); p != nil {
			s.log().Error("panic", "path", string(ctx.Path()), "panic", p)
			s.writeError(ctx, errInternal)
		}
		observe(name, ctx.Response.StatusCode(), start)
	}()

	rt, param, methodOK := lookup(string(ctx.Method()), string(ctx.Path()))
	if rt == nil {
		s.writeError(ctx, core.ErrNotFound)
		return
	}
	name = rt.name
	c := &call{ctx: ctx, param: param}
	// A handler may check the admission token's revocation with its own
	// first call to Redis only when no 405, 413 or 415 comes before it.
	c.lateRevocation = rt.lateRevocation && methodOK && !tooLarge && len(ctx.Request.Body()) <= MaxBody &&
		(!rt.body || contract.IsJSON(ctx))
	if err := s.authorize(c, rt.auth); err != nil {
		s.writeError(ctx, err)
		return
	}
	if !methodOK {
		ctx.Response.Header.Set("Allow", allowed(string(ctx.Path())))
		s.writeError(ctx, errMethodNotAllowed)
		return
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

// context returns a context for one request's calls to MySQL and Redis: a
// fasthttp RequestCtx is done only at shutdown.
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
				return core.ErrForbidden
			}
			return core.ErrUnauthenticated
		}
		return nil
	case authSession:
		if !ok {
			return core.ErrUnauthenticated
		}
		sess, err := s.Tokens.SessionVerifier(s.Now).Session(raw)
		if err != nil {
			return core.ErrUnauthenticated
		}
		c.studentID = sess.StudentID
		return nil
	case authStudent:
		if !ok {
			return core.ErrUnauthenticated
		}
		if sess, err := s.Tokens.SessionVerifier(s.Now).Session(raw); err == nil {
			c.studentID = sess.StudentID
			return nil
		}
		if err := s.admission(c, raw); err != nil {
			if errors.Is(err, core.ErrUnavailable) {
				return err
			}
			return core.ErrUnauthenticated
		}
		return nil
	case authAdmission:
		if !ok {
			return core.ErrAdmissionRequired
		}
		return s.admission(c, raw)
	}
	return core.ErrUnauthenticated
}

// admission verifies an admission token and that the gate has not revoked
// it, or leaves the revocation to a handler with lateRevocation.
func (s *Server) admission(c *call, raw string) error {
	adm, err := s.Tokens.AdmissionVerifier(s.Now).Admission(raw)
	if err != nil {
		return core.ErrAdmissionRequired
	}
	c.studentID, c.jti = adm.StudentID, adm.ID
	if c.lateRevocation {
		return nil // the handler checks it with its first call to Redis
	}
	return s.checkRevocation(adm.ID)
}

// checkRevocation answers ErrAdmissionRequired when the gate revoked the
// admission token jti.
func (s *Server) checkRevocation(jti string) error {
	ctx, cancel := s.context()
	defer cancel()
	revoked, err := s.Revocations.Revoked(ctx, jti)
	if err != nil {
		s.log().Error("revocation check", "err", err)
		return core.ErrUnavailable
	}
	if revoked {
		return core.ErrAdmissionRequired
	}
	return nil
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
	if len(h) <= len(p) || !equalFoldASCII(h[:len(p)], p) {
		return "", false
	}
	return string(h[len(p):]), true
}

func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i]|0x20, s[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// observe records a request's latency by route and status.
func observe(route string, status int, start time.Time) {
	metrics.GetOrCreatePrometheusHistogram(`classmate_http_request_duration_seconds{service="core",route="` +
		route + `",status="` + strconv.Itoa(status) + `"}`).UpdateDuration(start)
}
