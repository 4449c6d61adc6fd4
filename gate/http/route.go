package http

import (
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// auth is what a route demands of the Authorization header.
type auth int

const (
	authNone    auth = iota
	authSession      // a session token
	authStudent      // a session or an admission token
	authAdmin        // the admin token
)

// limit is which rate limits a route takes.
type limit int

const (
	limitNone    limit = iota
	limitIP            // per client IP
	limitStudent       // per client IP, and per student once known
)

// call is one request being served: the student the token names, and for
// an admission token its id and expiry.
type call struct {
	ctx       *fasthttp.RequestCtx
	studentID int64
	jti       string
	exp       time.Time
	ip        string
}

// route is one method on one path.
type route struct {
	method string
	path   string
	auth   auth
	limit  limit
	body   bool // the route reads a JSON body
	name   string
	handle func(*Server, *call) error
}

// routes is the gate's own route table; /api/v1/* goes to the proxy and
// paths outside /queue/, /admin/, /api/ and the health routes to the web
// pages.
var routes = []*route{
	{method: "POST", path: "/queue/v1/join", auth: authSession, limit: limitStudent, name: "join", handle: (*Server).join},
	{method: "GET", path: "/queue/v1/status", limit: limitStudent, name: "status", handle: (*Server).status},
	{method: "GET", path: "/queue/v1/ws", name: "ws", handle: (*Server).ws},
	{method: "POST", path: "/queue/v1/leave", auth: authStudent, name: "leave", handle: (*Server).leave},
	{method: "GET", path: "/admin/v1/room", auth: authAdmin, name: "room", handle: (*Server).room},
	{method: "PUT", path: "/admin/v1/room", auth: authAdmin, body: true, name: "room_put", handle: (*Server).putRoom},
	{method: "GET", path: "/admin/v1/room/draw", auth: authAdmin, name: "draw", handle: (*Server).draw},
	{method: "GET", path: "/healthz", name: "healthz", handle: (*Server).healthz},
	{method: "GET", path: "/readyz", name: "readyz", handle: (*Server).readyz},
	{method: "GET", path: "/metrics", name: "metrics", handle: (*Server).metrics},
}

// lookup finds the route for method and path. When the path is known but
// the method is not, it returns the path's least demanding route and
// methodOK false.
func lookup(method, path string) (r *route, methodOK bool) {
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	for _, rt := range routes {
		if rt.path != path {
			continue
		}
		if rt.method == method || (method == "HEAD" && rt.method == "GET") {
			return rt, true
		}
		if r == nil || rt.auth < r.auth {
			r = rt
		}
	}
	return r, false
}

// owned reports whether the gate itself answers path (or the proxy does),
// rather than the web pages.
func owned(path []byte) bool {
	p := string(path)
	return strings.HasPrefix(p, "/api/") || p == "/api" ||
		strings.HasPrefix(p, "/queue/") || p == "/queue" ||
		strings.HasPrefix(p, "/admin/") || p == "/admin" ||
		p == "/healthz" || p == "/readyz" || p == "/metrics"
}
