package http_test

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"classmate/token"
)

// BenchmarkProxy sends gated enrollments (admission token) and searches
// (session token, read for the per-student rate limit) through the gate's
// handler, over its in-memory listener, to a stand-in core on loopback TCP
// that answers at once; 64 requests in flight, 1,000 students' tokens in
// turn. Client, gate and stand-in share the process; Redis is the real one.
// It reports requests per second and the process's CPU time per request.
// Run with
//
//	go test -run '^$' -bench Proxy -benchtime 20000x ./gate/http/
func BenchmarkProxy(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	core := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/json")
		if string(ctx.Method()) == "POST" {
			ctx.SetStatusCode(201)
			ctx.SetBodyString(`{"enrollment":{"student_id":1,"course_id":12,"enrolled_at":"2026-02-02T09:00:00Z"},"total_credits":3}`)
			return
		}
		ctx.SetBodyString(`{"items":[],"next_cursor":null}`)
	}}
	go core.Serve(ln)
	b.Cleanup(func() { core.Shutdown() })
	e := newEnv(b, func(o *options) { o.upstream = "http://" + ln.Addr().String() })

	const students = 1000
	adm, ses := make([]string, students), make([]string, students)
	for i := range students {
		adm[i], _, err = token.Issuer{Keys: e.tokens.Admission}.Admission(int64(i+1), time.Hour)
		require.NoError(b, err)
		ses[i] = e.session(int64(i + 1))
	}
	for _, bc := range []struct {
		name, method, path string
		body               string
		tokens             []string
		want               int
	}{
		{"Enroll", "POST", "/api/v1/enrollments", `{"course_id":12}`, adm, 201},
		{"Search", "GET", "/api/v1/courses?q=%EC%9E%90%EB%A3%8C", "", ses, 200},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var next atomic.Int64
			cpu0 := cpuTime()
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for pb.Next() {
					i := next.Add(1)
					req.Reset()
					req.SetRequestURI("http://gate" + bc.path)
					req.Header.SetMethod(bc.method)
					req.Header.Set("Authorization", "Bearer "+bc.tokens[i%students])
					if bc.body != "" {
						req.Header.SetContentType("application/json")
						req.SetBodyString(bc.body)
					}
					if err := e.client.Do(req, resp); err != nil || resp.StatusCode() != bc.want {
						b.Errorf("%s %s: %v %d %s", bc.method, bc.path, err, resp.StatusCode(), resp.Body())
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/req")
		})
	}
}
