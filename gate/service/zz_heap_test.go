package service_test

import (
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"classmate/internal/dbtest"
)

func TestZZHeap(t *testing.T) {
	if os.Getenv("ZZHEAP") == "" {
		t.Skip()
	}
	_, prefix := dbtest.MustOpenRedis(t)
	addr := startGate(t, prefix, "http://127.0.0.1:1", map[string]string{"CLASSMATE_GATE_RATE_IP": "0"})
	request(t, "PUT", "http://"+addr+"/admin/v1/room", adminToken, `{"paused": true}`, nil)
	toks := sessions(t, 3000)
	var tickets []string
	for s := 1; s <= 3000; s++ {
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		req.SetRequestURI("http://" + addr + "/queue/v1/join")
		req.Header.SetMethod("POST")
		req.Header.Set("Authorization", "Bearer "+toks[s])
		fasthttp.Do(req, resp)
		body := string(resp.Body())
		i := strings.Index(body, `"ticket":"`) + 10
		tickets = append(tickets, body[i:i+strings.IndexByte(body[i:], '"')])
	}
	runtime.GC()
	f0, _ := os.Create("/tmp/heap0.prof")
	pprof.WriteHeapProfile(f0)
	f0.Close()
	d := websocket.Dialer{NetDial: func(n, a string) (net.Conn, error) { return net.Dial(n, a) }}
	var cs []*websocket.Conn
	for _, tk := range tickets {
		c, _, err := d.Dial("ws://"+addr+"/queue/v1/ws?ticket="+tk, nil)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(3 * time.Second)
	runtime.GC()
	f, _ := os.Create("/tmp/heap1.prof")
	pprof.WriteHeapProfile(f)
	f.Close()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("stack inuse %d MB, heap inuse %d MB, goroutines %d", ms.StackInuse>>20, ms.HeapInuse>>20, runtime.NumGoroutine())
}
