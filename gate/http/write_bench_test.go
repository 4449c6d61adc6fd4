package http

import (
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"classmate/gate"
)

// BenchmarkClientWrite is the hub's cost of one position frame alone:
// client.write to 64 WebSockets in turn, upgraded as the gate upgrades
// them, over loopback TCP, with readers draining them in the same process.
// Besides wall time it reports the CPU time of the writing thread alone
// (user and system, the write system call included), which other load on a
// shared machine disturbs less. Run with
//
//	go test -run '^$' -bench ClientWrite -benchtime 200000x ./gate/http/
func BenchmarkClientWrite(b *testing.B) {
	const n = 64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	conns := make(chan *websocket.Conn, n)
	up := &websocket.FastHTTPUpgrader{ReadBufferSize: 256, WriteBufferPool: writePool}
	srv := &fasthttp.Server{KeepHijackedConns: true, Handler: func(ctx *fasthttp.RequestCtx) {
		_ = up.Upgrade(ctx, func(c *websocket.Conn) { conns <- c })
	}}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown() })
	clients := make([]*client, n)
	for i := range clients {
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		cc, _, err := d.Dial("ws://"+ln.Addr().String()+"/", nil)
		require.NoError(b, err)
		b.Cleanup(func() { cc.Close() })
		go func() {
			for {
				_, r, err := cc.NextReader()
				if err != nil {
					return
				}
				io.Copy(io.Discard, r)
			}
		}()
		clients[i] = &client{conn: <-conns, student: int64(i + 1), timeout: writeWait}
		b.Cleanup(func() { clients[i].conn.Close() })
	}
	buf := appendPosition(nil, gate.StateWaiting, 12345, 60, 50, 70)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := threadCPU()
	for i := range b.N {
		if !clients[i%n].write(buf) {
			b.Fatal("write failed")
		}
	}
	b.ReportMetric(float64((threadCPU()-cpu0).Nanoseconds())/float64(b.N), "writer-cpu-ns/frame")
}

// threadCPU returns the user and system CPU time of the calling thread.
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, Linux
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
