package http_test

import (
	"context"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"

	gatehttp "classmate/gate/http"
)

// BenchmarkHubFrames measures what one position frame costs the hub: a
// gate server holds CLASSMATE_BENCH_HUB_FRAME_SOCKETS WebSockets (default
// 2,000) over loopback TCP, as in production, in a paused room; each
// iteration advances the hub's clock by the 2 s frame interval, so one
// Step sends every socket a frame (and, like production, a ping every 30 s
// of hub time and a touch every Grace/4). Readers drain the frames in the
// same process without allocating. It reports wall time per frame
// (including the tick's Redis round trips), the process's CPU time per frame
// (both ends), and allocations per frame (both ends). Run with
//
//	go test -run '^$' -bench HubFrames -benchtime 200x ./gate/http/
func BenchmarkHubFrames(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(getenv("CLASSMATE_BENCH_HUB_FRAME_SOCKETS")); err == nil && v > 0 {
		n = v
	}
	clk := &clock{}
	clk.Advance(time.Duration(time.Now().Add(time.Second).UnixNano()))
	e := newEnv(b, func(o *options) { o.now = clk.Now })
	e.room(0, map[string]any{"paused": true, "max_active": 1000000})

	// The same server, on a real TCP listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	srv := &gatehttp.Server{Queue: e.store, Hub: e.hub, Tokens: e.tokens, AdminToken: adminToken,
		Estimator: e.srv.Estimator, Meter: e.srv.Meter, Leader: e.srv.Leader, Now: e.srv.Now, Log: e.srv.Log}
	go srv.Serve(ln)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})

	var frames atomic.Int64
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 512, WriteBufferSize: 256}
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				v, err := e.store.Join(e.ctx, i, clk.Now())
				if err != nil {
					b.Error(err)
					return
				}
				c, _, err := d.Dial("ws://"+ln.Addr().String()+"/queue/v1/ws?ticket="+v.Ticket, nil)
				if err != nil {
					b.Error(err)
					return
				}
				go func() {
					defer c.Close()
					for {
						_, r, err := c.NextReader()
						if err != nil {
							return
						}
						io.Copy(io.Discard, r)
						frames.Add(1)
					}
				}()
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	for e.hub.Sockets() < int64(n) {
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(b, e.hub.Step(e.ctx)) // the first tick reads the room

	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := cpuTime()
	f0 := frames.Load()
	b.ResetTimer()
	for range b.N {
		clk.Advance(2 * time.Second)
		if err := e.hub.Step(e.ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&m1)
	sent := float64(b.N) * float64(n)
	// Frames still in flight to the readers are delivered shortly.
	for deadline := time.Now().Add(5 * time.Second); frames.Load()-f0 < int64(sent) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := frames.Load() - f0; got < int64(sent) {
		b.Fatalf("%d frames read, want %v", got, sent)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/sent, "ns/frame")
	b.ReportMetric(float64(cpu.Nanoseconds())/sent, "cpu-ns/frame")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/sent, "allocs/frame")
	b.ReportMetric(0, "ns/op")
}

// cpuTime returns the user and system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
