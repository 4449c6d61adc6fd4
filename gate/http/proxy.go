package http

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/valyala/fasthttp"

	"classmate/gate"
)

// Proxy forwards requests to the core's upstreams, balancing between them
// (least loaded first; an upstream that fails gets less). Safe for
// concurrent use.
type Proxy struct {
	lb      *fasthttp.LBClient
	timeout time.Duration
}

// NewProxy returns a Proxy to the upstream base URLs (http:// or
// https://host:port) with a timeout per request and at most maxConns
// connections per upstream.
func NewProxy(upstreams []string, timeout time.Duration, maxConns int) (*Proxy, error) {
	if len(upstreams) == 0 {
		return nil, fmt.Errorf("proxy: no upstream")
	}
	lb := &fasthttp.LBClient{Timeout: timeout}
	for _, raw := range upstreams {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("proxy: upstream %q must be http(s)://host:port", raw)
		}
		addr := u.Host
		if u.Port() == "" {
			addr += map[string]string{"http": ":80", "https": ":443"}[u.Scheme]
		}
		lb.Clients = append(lb.Clients, &fasthttp.HostClient{
			Addr:                          addr,
			IsTLS:                         u.Scheme == "https",
			MaxConns:                      maxConns,
			ReadTimeout:                   timeout,
			WriteTimeout:                  timeout,
			MaxIdleConnDuration:           30 * time.Second,
			MaxConnWaitTimeout:            timeout,
			DisablePathNormalizing:        true,
			DisableHeaderNamesNormalizing: true,
			NoDefaultUserAgentHeader:      true,
		})
	}
	return &Proxy{lb: lb, timeout: timeout}, nil
}

// hopHeaders are the hop-by-hop headers a proxy must not forward.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// proxyRoute names a proxied path for metrics by its first segment.
func proxyRoute(path []byte) string {
	seg := path[len("/api/v1/"):]
	if i := bytes.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	switch string(seg) {
	case "auth", "courses", "cart", "enrollments":
		return "api_" + string(seg)
	}
	return "api_other"
}

// gated reports whether method and path need an admission token.
func gated(method, path []byte) bool {
	if string(method) != "POST" && string(method) != "DELETE" {
		return false
	}
	p := string(path)
	return p == "/api/v1/enrollments" || strings.HasPrefix(p, "/api/v1/enrollments/")
}

// browserNavigation reports whether the request is a page load: HTML
// accepted and no Authorization header.
func browserNavigation(ctx *fasthttp.RequestCtx) bool {
	return len(ctx.Request.Header.Peek("Authorization")) == 0 &&
		bytes.Contains(ctx.Request.Header.Peek("Accept"), []byte("text/html"))
}

// proxy answers /api/v1/*: the admission check on gated routes, rate
// limits on login and search, then the core's answer, unchanged.
func (s *Server) proxy(ctx *fasthttp.RequestCtx, tooLarge bool) {
	method, path := ctx.Method(), ctx.Path()
	if gated(method, path) {
		if err := s.checkAdmission(ctx); err != nil {
			if browserNavigation(ctx) {
				ctx.Response.Header.Set("Location", "/")
				ctx.SetStatusCode(fasthttp.StatusFound)
				return
			}
			s.writeError(ctx, err)
			return
		}
	}
	login := string(method) == "POST" && string(path) == "/api/v1/auth/login"
	search := (string(method) == "GET" || ctx.IsHead()) && string(path) == "/api/v1/courses"
	if login || search {
		if err := s.limiter.allowIP(s.clientIP(ctx)); err != nil {
			s.writeError(ctx, err)
			return
		}
		if raw, ok := bearer(ctx); ok && search {
			if sess, err := s.Tokens.SessionVerifier(s.Now).Session(raw); err == nil {
				if err := s.limiter.allowStudent(sess.StudentID); err != nil {
					s.writeError(ctx, err)
					return
				}
			}
		}
	}
	if tooLarge {
		ctx.SetConnectionClose()
		s.writeError(ctx, errTooLarge)
		return
	}
	s.forward(ctx)
}

// checkAdmission verifies the admission token: signature, claims and
// expiry, so forged and stale tokens never reach the core. It does not look
// for a revocation: the core does, in the same Redis, before any write, and
// answers a revoked token with the same 401 ADMISSION_REQUIRED, which the
// proxy passes on; a second round trip here would only repeat it.
func (s *Server) checkAdmission(ctx *fasthttp.RequestCtx) error {
	raw, ok := bearer(ctx)
	if !ok {
		return gate.ErrAdmissionRequired
	}
	if _, err := s.Tokens.AdmissionVerifier(s.Now).Admission(raw); err != nil {
		return gate.ErrAdmissionRequired
	}
	return nil
}

// forward sends the request to an upstream and answers with its response:
// status, headers and body, minus hop-by-hop headers. The request id and
// the client's address travel along.
func (s *Server) forward(ctx *fasthttp.RequestCtx) {
	if s.Proxy == nil {
		s.writeError(ctx, errUpstream)
		return
	}
	id := append([]byte(nil), ctx.Response.Header.Peek("X-Request-Id")...)
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	ctx.Request.CopyTo(req)
	for _, h := range hopHeaders {
		req.Header.Del(h)
	}
	req.Header.SetBytesV("X-Request-Id", id)
	ip := ctx.RemoteIP().String()
	if prior := ctx.Request.Header.Peek("X-Forwarded-For"); len(prior) > 0 {
		req.Header.Set("X-Forwarded-For", string(prior)+", "+ip)
	} else {
		req.Header.Set("X-Forwarded-For", ip)
	}
	if ctx.IsTLS() {
		req.Header.Set("X-Forwarded-Proto", "https")
	} else {
		req.Header.Set("X-Forwarded-Proto", "http")
	}
	req.Header.SetBytesV("X-Forwarded-Host", ctx.Host())

	start := time.Now()
	err := s.Proxy.lb.DoTimeout(req, &ctx.Response, s.Proxy.timeout)
	elapsed := time.Since(start)
	status := ctx.Response.StatusCode()
	record := !bytes.Equal(ctx.Path(), []byte("/api/v1/auth/login")) // bcrypt is slow by design
	if err != nil {
		s.log().Warn("upstream", "err", err, "path", string(ctx.Path()))
		ctx.Response.Reset()
		ctx.Response.Header.SetBytesV("X-Request-Id", id)
		if record && s.Meter != nil {
			s.Meter.Record(elapsed, true)
		}
		proxyHistogram("error").Update(elapsed.Seconds())
		s.writeError(ctx, errUpstream)
		return
	}
	if record && s.Meter != nil {
		s.Meter.Record(elapsed, status >= 500)
	}
	proxyHistogram(strconv.Itoa(status)).Update(elapsed.Seconds())
	for _, h := range hopHeaders {
		ctx.Response.Header.Del(h)
	}
	ctx.Response.Header.SetBytesV("X-Request-Id", id)
}

// proxyHistogram is the upstream latency by upstream status ("error" when
// no answer came).
func proxyHistogram(status string) *metrics.PrometheusHistogram {
	return metrics.GetOrCreatePrometheusHistogram(`classmate_gate_proxy_duration_seconds{upstream_status="` + status + `"}`)
}
