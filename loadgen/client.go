package loadgen

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// Client sends HTTP requests to one server (the gate or the core) over
// keep-alive connections spread across the source addresses: simulated
// student i always uses source address i mod Sources.Len(), as students
// behind one campus NAT share an address. Safe for concurrent use.
type Client struct {
	Addr  string // host:port, on loopback
	hosts []*fasthttp.HostClient
}

// NewClient returns a client of the server at rawURL with at most
// connsPerSource connections per source address.
func NewClient(src *Sources, rawURL string, connsPerSource int) (*Client, error) {
	addr, err := hostPort("server", rawURL)
	if err != nil {
		return nil, err
	}
	c := &Client{Addr: addr}
	for i := 0; i < src.Len(); i++ {
		i := i
		c.hosts = append(c.hosts, &fasthttp.HostClient{
			Addr:               addr,
			Name:               "classmate-loadgen",
			MaxConns:           max(1, connsPerSource),
			MaxConnWaitTimeout: 2 * time.Minute,
			// Well below the servers' idle timeouts (60 s): a connection the
			// server closed while idle would fail the next request, and
			// failures are not retried.
			MaxIdleConnDuration:       10 * time.Second,
			MaxIdemponentCallAttempts: 1, // a failure is a figure, not something to hide
			ReadTimeout:               60 * time.Second,
			WriteTimeout:              10 * time.Second,
			ReadBufferSize:            8 << 10,
			MaxResponseBodySize:       16 << 20,
			Dial: func(a string) (net.Conn, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				return src.Dial(ctx, i, a)
			},
		})
	}
	return c, nil
}

// Resp is an answer: the status (0 when none came), a copy of the body, and
// the transport error if any.
type Resp struct {
	Status     int
	Body       []byte
	Err        error
	RetryAfter time.Duration // from a Retry-After header in whole seconds
}

// Call sends one request as student who (which picks the source address)
// and records it on ep (when not nil). token, when not empty, is sent as a
// bearer token; body, when not nil, as JSON; hdr holds extra header
// name/value pairs.
func (c *Client) Call(ep *Endpoint, who int, method, path, token string, body []byte, hdr ...string) Resp {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(path)
	req.Header.SetHost(c.Addr)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if who < 0 {
		who = -who
	}
	t0 := time.Now()
	err := c.hosts[who%len(c.hosts)].Do(req, resp)
	r := Resp{Err: err}
	if err == nil {
		r.Status = resp.StatusCode()
		r.Body = append([]byte(nil), resp.Body()...)
		if ra := resp.Header.Peek("Retry-After"); len(ra) > 0 {
			if n, err := strconv.Atoi(string(ra)); err == nil && n >= 0 {
				r.RetryAfter = time.Duration(n) * time.Second
			}
		}
	}
	if ep != nil {
		ep.Record(t0, r.Status, r.Body)
	}
	return r
}

// Conns returns the number of connections the client holds open.
func (c *Client) Conns() int {
	n := 0
	for _, h := range c.hosts {
		n += h.ConnsCount()
	}
	return n
}

// CloseIdle closes the idle connections.
func (c *Client) CloseIdle() {
	for _, h := range c.hosts {
		h.CloseIdleConnections()
	}
}
