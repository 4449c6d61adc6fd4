package http_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkHub (S3 without the file limit): one gate server holds
// CLASSMATE_BENCH_HUB_SOCKETS WebSockets (default 100,000) over an
// in-memory listener, so no file descriptors are needed (this machine
// allows 20,000 per process), in a room admitting 200 a second. Clients
// and server share the process, its two cores and its memory; the figures
// are the hub's: tick duration, the gaps between a socket's frames, Redis
// commands, and the heap and stacks per socket (both ends included, so an
// upper bound for the gate's share). Run with
//
//	go test -run '^$' -bench Hub -benchtime 1x -timeout 30m ./gate/http/
func BenchmarkHub(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(getenv("CLASSMATE_BENCH_HUB_SOCKETS")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		e := newEnv(b)
		e.hub.Tick = 200 * time.Millisecond
		e.room(0, map[string]any{"paused": true, "admit_per_second": 200, "max_active": 1000000})
		tickets := make([]string, n)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					v, err := e.store.Join(e.ctx, int64(i+1), time.Now())
					if err != nil {
						b.Error(err)
						return
					}
					tickets[i] = v.Ticket
				}
			}()
		}
		wg.Wait()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)

		var measuring atomic.Bool
		var gaps []time.Duration
		var gapsMu sync.Mutex
		var open atomic.Int64
		next.Store(0)
		start := time.Now()
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
					c, _, err := e.dial(tickets[i])
					if err != nil {
						b.Error(err)
						return
					}
					open.Add(1)
					go func() {
						defer c.Close()
						var mine []time.Duration
						last := time.Now()
						for {
							_, msg, err := c.ReadMessage()
							if err != nil {
								break
							}
							now := time.Now()
							if measuring.Load() {
								mine = append(mine, now.Sub(last))
							}
							last = now
							if strings.Contains(string(msg), `"admitted"`) {
								break
							}
						}
						open.Add(-1)
						gapsMu.Lock()
						gaps = append(gaps, mine...)
						gapsMu.Unlock()
					}()
				}
			}()
		}
		wg.Wait()
		connect := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		held := open.Load()

		ctx, cancel := context.WithCancel(context.Background())
		go e.hub.Run(ctx)
		go e.adm.Run(ctx)
		time.Sleep(3 * time.Second)
		e.do("PUT", "/admin/v1/room", `{"paused": false}`, "Authorization", "Bearer "+adminToken)
		cmds0 := redisCommands(e)
		measuring.Store(true)
		window := 20 * time.Second
		time.Sleep(window)
		measuring.Store(false)
		cmds1 := redisCommands(e)
		stillOpen := open.Load()
		cancel()
		e.hub.Close()
		time.Sleep(time.Second)
		gapsMu.Lock()
		slices.Sort(gaps)
		q := func(p float64) time.Duration {
			if len(gaps) == 0 {
				return 0
			}
			return gaps[min(int(p*float64(len(gaps))), len(gaps)-1)].Round(time.Millisecond)
		}
		perSocket := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) / float64(held)
		b.Logf("%d sockets connected in %v; %d still open after the %v window", held, connect.Round(time.Millisecond), stillOpen, window)
		b.Logf("frame gaps over %d frames: p50 %v, p99 %v, p99.9 %v, max %v", len(gaps), q(0.5), q(0.99), q(0.999), q(1))
		b.Logf("heap+stacks per socket, both ends: %.1f KiB; Redis commands %.0f/s (shared server)",
			perSocket/1024, float64(cmds1-cmds0)/window.Seconds())
		gapsMu.Unlock()
		b.ReportMetric(float64(q(0.99).Milliseconds()), "gap-p99-ms")
		b.ReportMetric(float64(held), "sockets")
	}
}

// redisCommands returns Redis's total_commands_processed.
func redisCommands(e *env) int64 {
	info, _ := e.rdb.Info(context.Background(), "stats").Result()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

func getenv(k string) string { return os.Getenv(k) }
