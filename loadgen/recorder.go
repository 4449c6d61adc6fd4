package loadgen

import (
	"bytes"
	"sync"
	"sync/atomic"
	"time"
)

// maxSeconds bounds every time series: no run lasts longer than an hour.
const maxSeconds = 3600

// Recorder collects what the simulated clients saw, per endpoint: latency
// histograms, status codes, error codes, and per-second series. Safe for
// concurrent use; recording does not allocate once an endpoint's second
// exists.
type Recorder struct {
	Start time.Time // second 0 of every series

	mu    sync.Mutex
	eps   map[string]*Endpoint
	order []string
}

// NewRecorder returns a recorder whose series start at start.
func NewRecorder(start time.Time) *Recorder {
	return &Recorder{Start: start, eps: map[string]*Endpoint{}}
}

// Endpoint returns the endpoint called name, creating it on first use.
func (r *Recorder) Endpoint(name string) *Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.eps[name]
	if !ok {
		e = &Endpoint{Name: name, start: r.Start, Latency: NewHistogram(5)}
		r.eps[name] = e
		r.order = append(r.order, name)
	}
	return e
}

// Endpoints returns the endpoints in order of first use.
func (r *Recorder) Endpoints() []*Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Endpoint, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.eps[n])
	}
	return out
}

// Endpoint is one kind of call (an HTTP route, a WebSocket handshake, a
// derived interval such as join→admitted).
type Endpoint struct {
	Name    string
	Latency *Histogram

	start  time.Time
	status [600]atomic.Int64 // by HTTP status; 0 = no answer (transport error)
	codes  sync.Map          // error code → *atomic.Int64
	secs   [maxSeconds]atomic.Pointer[second]
	first  atomic.Int64 // unix ns of the first and last completion
	last   atomic.Int64
	secsMu sync.Mutex
}

// second holds one second's completions.
type second struct {
	ok, client, server, failed atomic.Int64 // 2xx/3xx, 4xx, 5xx, no answer
	lat                        *Histogram   // coarse, for percentiles over time
}

func (e *Endpoint) second(at time.Time) *second {
	i := int(at.Sub(e.start) / time.Second)
	if i < 0 {
		i = 0
	}
	if i >= maxSeconds {
		i = maxSeconds - 1
	}
	if s := e.secs[i].Load(); s != nil {
		return s
	}
	e.secsMu.Lock()
	defer e.secsMu.Unlock()
	if s := e.secs[i].Load(); s != nil {
		return s
	}
	s := &second{lat: NewHistogram(2)}
	e.secs[i].Store(s)
	return s
}

// Record records a call that started at t0 and ended now with an HTTP
// status (0 when no answer came) and the body, whose error code is counted
// for statuses ≥ 400.
func (e *Endpoint) Record(t0 time.Time, status int, body []byte) time.Duration {
	now := time.Now()
	d := now.Sub(t0)
	e.Latency.Record(d)
	if status < 0 || status >= len(e.status) {
		status = 0
	}
	e.status[status].Add(1)
	s := e.second(now)
	s.lat.Record(d)
	switch {
	case status == 0:
		s.failed.Add(1)
	case status >= 500:
		s.server.Add(1)
	case status >= 400:
		s.client.Add(1)
	default:
		s.ok.Add(1)
	}
	if status >= 400 {
		e.Code(errorCode(body))
	}
	ns := now.UnixNano()
	e.first.CompareAndSwap(0, t0.UnixNano())
	for {
		l := e.last.Load()
		if ns <= l || e.last.CompareAndSwap(l, ns) {
			break
		}
	}
	return d
}

// Observe records a duration that is not an HTTP call (a wait, an
// interval between frames), counted as a success at now.
func (e *Endpoint) Observe(d time.Duration) {
	e.Record(time.Now().Add(-d), 200, nil)
}

// Code counts one occurrence of an error code.
func (e *Endpoint) Code(code string) {
	if code == "" {
		code = "(none)"
	}
	v, ok := e.codes.Load(code)
	if !ok {
		v, _ = e.codes.LoadOrStore(code, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

// Status returns how many calls ended with status (0: no answer).
func (e *Endpoint) Status(status int) int64 { return e.status[status].Load() }

// Count returns the number of calls recorded.
func (e *Endpoint) Count() int64 { return e.Latency.Count() }

// CountClass returns the number of calls with a status in [lo, hi].
func (e *Endpoint) CountClass(lo, hi int) int64 {
	var n int64
	for s := lo; s <= hi && s < len(e.status); s++ {
		n += e.status[s].Load()
	}
	return n
}

// Codes returns the error codes seen and their counts.
func (e *Endpoint) Codes() map[string]int64 {
	out := map[string]int64{}
	e.codes.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// Statuses returns the statuses seen and their counts.
func (e *Endpoint) Statuses() map[int]int64 {
	out := map[int]int64{}
	for s := range e.status {
		if n := e.status[s].Load(); n > 0 {
			out[s] = n
		}
	}
	return out
}

// Span returns the first call's start and the last call's end.
func (e *Endpoint) Span() (time.Time, time.Time) {
	f, l := e.first.Load(), e.last.Load()
	if f == 0 {
		return time.Time{}, time.Time{}
	}
	return time.Unix(0, f), time.Unix(0, l)
}

// errorCode extracts "code" from the contract's error shape without a full
// JSON decode.
func errorCode(body []byte) string {
	i := bytes.Index(body, []byte(`"code":`))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(body[i+len(`"code":`):], " ")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	rest = rest[1:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || j > 64 {
		return ""
	}
	return string(rest[:j])
}
