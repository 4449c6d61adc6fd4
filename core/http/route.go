package http

import (
	"strings"

	"github.com/valyala/fasthttp"
)

// auth is what a route demands of the Authorization header.
type auth int

const (
	authNone      auth = iota
	authSession        // a session token
	authStudent        // a session or an admission token
	authAdmission      // an admission token (gated routes)
	authAdmin          // the admin token
)

// call is one request being served: the route's path parameter and the
// student the token names.
type call struct {
	ctx       *fasthttp.RequestCtx
	param     string
	studentID int64
	jti       string
	// lateRevocation: the handler checks the admission token's revocation
	// itself, in its first round trip to Redis (see Server.serve).
	lateRevocation bool
}

// admission returns the id of the admission token when the handler still
// has to check its revocation, else "".
func (c *call) admission() string {
	if c.lateRevocation {
		return c.jti
	}
	return ""
}

// route is one method on one path pattern. A pattern segment "*" matches
// one path segment, handed to the handler as call.param.
type route struct {
	method  string
	pattern []string
	auth    auth
	body    bool // the route reads a JSON body
	// lateRevocation: the handler checks the admission token's revocation
	// with its first call to Redis (the contract's 401 still comes first).
	lateRevocation bool
	name           string
	handle         func(*Server, *call) error
}

func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

func (r *route) match(segs []string) (string, bool) {
	if len(segs) != len(r.pattern) {
		return "", false
	}
	param := ""
	for i, p := range r.pattern {
		if p == "*" {
			param = segs[i]
			continue
		}
		if p != segs[i] {
			return "", false
		}
	}
	return param, true
}

// routes is the core's route table.
var routes = []*route{
	{method: "POST", pattern: split("/api/v1/auth/login"), body: true, name: "login", handle: (*Server).login},
	{method: "GET", pattern: split("/api/v1/courses"), name: "search", handle: (*Server).search},
	{method: "GET", pattern: split("/api/v1/courses/*"), name: "course", handle: (*Server).course},
	{method: "POST", pattern: split("/api/v1/enrollments"), auth: authAdmission, body: true, lateRevocation: true, name: "enroll", handle: (*Server).enroll},
	{method: "GET", pattern: split("/api/v1/enrollments"), auth: authStudent, name: "enrollments", handle: (*Server).enrollments},
	{method: "DELETE", pattern: split("/api/v1/enrollments/*"), auth: authAdmission, name: "cancel", handle: (*Server).cancel},
	{method: "GET", pattern: split("/api/v1/cart"), auth: authSession, name: "cart", handle: (*Server).cart},
	{method: "PUT", pattern: split("/api/v1/cart/*"), auth: authSession, name: "cart_add", handle: (*Server).cartAdd},
	{method: "DELETE", pattern: split("/api/v1/cart/*"), auth: authSession, name: "cart_remove", handle: (*Server).cartRemove},
	{method: "PUT", pattern: split("/admin/v1/courses/*"), auth: authAdmin, body: true, name: "admin_course", handle: (*Server).putCourse},
	{method: "POST", pattern: split("/admin/v1/seats/reconcile"), auth: authAdmin, name: "reconcile", handle: (*Server).reconcile},
	{method: "GET", pattern: split("/healthz"), name: "healthz", handle: (*Server).healthz},
	{method: "GET", pattern: split("/readyz"), name: "readyz", handle: (*Server).readyz},
	{method: "GET", pattern: split("/metrics"), name: "metrics", handle: (*Server).metrics},
}

// lookup finds the route for method and path. When the path is known but
// the method is not, it returns the path's least demanding route and
// methodOK false.
func lookup(method, path string) (r *route, param string, methodOK bool) {
	segs := split(path)
	for _, rt := range routes {
		p, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method == method || (method == "HEAD" && rt.method == "GET") {
			return rt, p, true
		}
		if r == nil || rt.auth < r.auth {
			r, param = rt, p
		}
	}
	return r, param, false
}

// allowed lists the methods of the routes matching path, for the Allow
// header of a 405.
func allowed(path string) string {
	segs := split(path)
	var methods []string
	for _, rt := range routes {
		if _, ok := rt.match(segs); ok {
			methods = append(methods, rt.method)
		}
	}
	return strings.Join(methods, ", ")
}
