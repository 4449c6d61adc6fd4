package service_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	goredis "github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"classmate/internal/dbtest"
)

// gapHistogram counts the gaps between consecutive frames of a socket in
// 10 ms buckets up to a minute. Safe for concurrent use.
type gapHistogram struct {
	buckets [6000]atomic.Int64
	n       atomic.Int64
}

func (h *gapHistogram) add(d time.Duration) {
	i := min(int(d/(10*time.Millisecond)), len(h.buckets)-1)
	h.buckets[i].Add(1)
	h.n.Add(1)
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *gapHistogram) quantile(q float64) time.Duration {
	need := int64(q * float64(h.n.Load()))
	var seen int64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= need {
			return time.Duration(i+1) * 10 * time.Millisecond
		}
	}
	return time.Minute
}

// procStatus returns a field of /proc/<pid>/status, such as VmRSS.
func procStatus(pid int, field string) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// BenchmarkSockets (S3): one gate process holds CLASSMATE_BENCH_SOCKETS
// WebSockets (default 19,000: this machine allows 20,000 open files per
// process, for the gate and for this load generator alike) of students
// waiting in a room that admits 100 a second; over a 20-second window it
// reports the gaps between consecutive frames of a socket (the contract
// wants one at least every 2 s), the gate's memory, and the join rate of
// the students' joins. Run with
//
//	go test -run '^$' -bench Sockets -benchtime 1x -timeout 30m ./gate/service/
func BenchmarkSockets(b *testing.B) {
	n := envInt("CLASSMATE_BENCH_SOCKETS", 19000)
	window := time.Duration(envInt("CLASSMATE_BENCH_WINDOW_SECONDS", 20)) * time.Second
	toks := sessions(b, n)
	for range b.N {
		rdb, prefix := dbtest.MustOpenRedis(b)
		vars := map[string]string{"CLASSMATE_GATE_RATE_IP": "0", "CLASSMATE_GATE_TICK": "200ms"}
		for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
			if v := os.Getenv("CLASSMATE_BENCH_GATE_" + k); v != "" {
				vars[k] = v // the gate's Go runtime settings
			}
		}
		g := startChild(b, prefix, "bench", vars)
		b.Cleanup(func() { g.cmd.Process.Kill(); g.cmd.Wait() })
		pid := g.cmd.Process.Pid
		rssIdle := procStatus(pid, "VmRSS")
		admin := func(body string) {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + g.addr + "/admin/v1/room")
			req.Header.SetMethod("PUT")
			req.Header.SetContentType("application/json")
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.SetBodyString(body)
			if err := fasthttp.Do(req, resp); err != nil || resp.StatusCode() != 200 {
				b.Fatalf("admin: %v %s", err, resp.Body())
			}
		}
		admin(`{"paused": true, "admit_per_second": 100, "max_active": 1000000}`)

		// Join everyone.
		tickets := make([]string, n+1)
		client := &fasthttp.Client{MaxConnsPerHost: 128, ReadTimeout: 30 * time.Second}
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range 128 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for s := int(next.Add(1)); s <= n; s = int(next.Add(1)) {
					req.Reset()
					req.SetRequestURI("http://" + g.addr + "/queue/v1/join")
					req.Header.SetMethod("POST")
					req.Header.Set("Authorization", "Bearer "+toks[s])
					if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
						b.Errorf("join %d: %v %d", s, err, resp.StatusCode())
						return
					}
					body := string(resp.Body())
					i := strings.Index(body, `"ticket":"`) + len(`"ticket":"`)
					tickets[s] = body[i : i+strings.IndexByte(body[i:], '"')]
				}
			}()
		}
		wg.Wait()
		joinRate := float64(n) / time.Since(start).Seconds()
		client.CloseIdleConnections()

		// Connect everyone, spread over source addresses.
		var gaps gapHistogram
		var measuring atomic.Bool
		var frames, admitted, open atomic.Int64
		var maxGapSeen atomic.Int64
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		next.Store(0)
		start = time.Now()
		var conns sync.WaitGroup
		for w := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := websocket.Dialer{ReadBufferSize: 512, WriteBufferSize: 256, HandshakeTimeout: 30 * time.Second,
					NetDial: func(network, addr string) (net.Conn, error) {
						src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+w%8))}
						return (&net.Dialer{LocalAddr: src}).Dial(network, addr)
					}}
				for s := int(next.Add(1)); s <= n; s = int(next.Add(1)) {
					c, _, err := d.Dial("ws://"+g.addr+"/queue/v1/ws?ticket="+tickets[s], nil)
					if err != nil {
						b.Errorf("socket %d: %v", s, err)
						return
					}
					open.Add(1)
					conns.Add(1)
					go func() {
						defer conns.Done()
						defer c.Close()
						go func() { <-ctx.Done(); c.Close() }()
						last := time.Now()
						for {
							_, msg, err := c.ReadMessage()
							if err != nil {
								open.Add(-1)
								return
							}
							now := time.Now()
							if measuring.Load() {
								gap := now.Sub(last)
								gaps.add(gap)
								for m := maxGapSeen.Load(); int64(gap) > m && !maxGapSeen.CompareAndSwap(m, int64(gap)); m = maxGapSeen.Load() {
								}
								frames.Add(1)
							}
							last = now
							if strings.Contains(string(msg), `"admitted"`) {
								admitted.Add(1)
							}
						}
					}()
				}
			}()
		}
		wg.Wait()
		connectRate := float64(n) / time.Since(start).Seconds()
		time.Sleep(3 * time.Second) // settle: every socket had a frame since
		admin(`{"paused": false}`)
		const intervalName, lagName, tickName = "classmate_gate_frame_interval_seconds",
			"classmate_gate_push_lag_seconds", "classmate_gate_hub_tick_seconds"
		interval0, lag0, tick0 := readHistogram(g.addr, intervalName), readHistogram(g.addr, lagName), readHistogram(g.addr, tickName)
		cmdsBefore := redisCommands(rdb)
		measuring.Store(true)
		time.Sleep(window)
		measuring.Store(false)
		cmdsAfter := redisCommands(rdb)

		rss, hwm := procStatus(pid, "VmRSS"), procStatus(pid, "VmHWM")
		q99 := func(name string, before histogram) string {
			return readHistogram(g.addr, name).quantile(before, 0.99)
		}
		interval, lag, tick := q99(intervalName, interval0), q99(lagName, lag0), q99(tickName, tick0)
		if os.Getenv("CLASSMATE_BENCH_MEMSTATS") != "" {
			_, body, _ := fasthttp.Get(nil, "http://"+g.addr+"/metrics")
			for _, line := range strings.Split(string(body), "\n") {
				if strings.HasPrefix(line, "go_memstats_") || strings.HasPrefix(line, "go_goroutines") ||
					strings.HasPrefix(line, "process_resident") {
					fmt.Println(line)
				}
			}
		}
		held := open.Load()
		stop()
		conns.Wait()

		b.Logf("joins: %d at %.0f/s; sockets connected at %.0f/s", n, joinRate, connectRate)
		b.Logf("held %d sockets at the end of a %v window (%d admitted and closed during it)", held, window, admitted.Load())
		b.Logf("frame gaps over %d frames: p50 %v, p99 %v, p99.9 %v, max %v",
			frames.Load(), gaps.quantile(0.50), gaps.quantile(0.99), gaps.quantile(0.999), time.Duration(maxGapSeen.Load()).Round(time.Millisecond))
		b.Logf("gate side during the window, p99 as a bucket bound: frame interval ≤ %s s, push lag ≤ %s s, hub tick ≤ %s s",
			interval, lag, tick)
		b.Logf("gate RSS: %s idle, %s with the sockets (peak %s); Redis: %.0f commands/s during the window (shared server)",
			rssIdle, rss, hwm, float64(cmdsAfter-cmdsBefore)/window.Seconds())
		b.ReportMetric(float64(gaps.quantile(0.99).Milliseconds()), "gap-p99-ms")
		b.ReportMetric(float64(held), "sockets")
		b.ReportMetric(joinRate, "joins/s")
	}
}

// redisCommands returns Redis's total_commands_processed.
func redisCommands(rdb *goredis.Client) int64 {
	info, _ := rdb.Info(context.Background(), "stats").Result()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// histogram is a Prometheus histogram of the gate: cumulative counts by
// upper bound, in order.
type histogram []struct {
	le string
	n  float64
}

// readHistogram reads the histogram name from the gate at addr.
func readHistogram(addr, name string) histogram {
	_, body, err := fasthttp.Get(nil, "http://"+addr+"/metrics")
	if err != nil {
		return nil
	}
	var h histogram
	for _, line := range strings.Split(string(body), "\n") {
		rest, ok := strings.CutPrefix(line, name+`_bucket{le="`)
		if !ok {
			continue
		}
		le, count, _ := strings.Cut(rest, `"} `)
		n, _ := strconv.ParseFloat(count, 64)
		h = append(h, struct {
			le string
			n  float64
		}{le, n})
	}
	return h
}

// quantile returns the upper bound of the bucket holding quantile q of the
// observations made between before and h.
func (h histogram) quantile(before histogram, q float64) string {
	if len(h) == 0 || len(before) != len(h) {
		return "?"
	}
	total := h[len(h)-1].n - before[len(h)-1].n
	for i, x := range h {
		if total > 0 && x.n-before[i].n >= q*total {
			return x.le
		}
	}
	return "?"
}
