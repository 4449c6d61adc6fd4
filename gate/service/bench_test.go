package service_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"classmate/gate"
	gateredis "classmate/gate/redis"
	"classmate/internal/dbtest"
	"classmate/token"
)

// envInt reads a positive integer from the environment, or def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// sessions mints session tokens for students 1..n.
func sessions(b testing.TB, n int) []string {
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]string, n+1)
	for s := 1; s <= n; s++ {
		out[s], _, err = token.Issuer{Keys: tokens.Session}.Session(int64(s), fmt.Sprintf("2026%06d", s), time.Hour)
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// percentile returns the p-th percentile (0–100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// BenchmarkJoin20k: 20,000 students join an open room through one gate
// process (HTTP over loopback, CLASSMATE_BENCH_CONNS connections, default
// 256) while its admission tick runs; the baseline, in the same run, is
// the join script alone, called on Redis from this process by as many
// goroutines through the same pipelining store. Run with
//
//	go test -run '^$' -bench Join20k -benchtime 1x ./gate/service/
//
// CLASSMATE_BENCH_JOINS changes the number of students.
func BenchmarkJoin20k(b *testing.B) {
	n := envInt("CLASSMATE_BENCH_JOINS", 20000)
	conns := envInt("CLASSMATE_BENCH_CONNS", 256)
	toks := sessions(b, n)
	for range b.N {
		rdb, prefix := dbtest.MustOpenRedis(b)
		addr := startChild(b, prefix, "join-bench", map[string]string{"CLASSMATE_GATE_RATE_IP": "0"}).addr
		client := &fasthttp.Client{MaxConnsPerHost: conns, ReadTimeout: 30 * time.Second}
		lat := make([]time.Duration, n)
		var next atomic.Int64
		var failed atomic.Int64
		start := time.Now()
		var wg sync.WaitGroup
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for {
					s := int(next.Add(1))
					if s > n {
						return
					}
					req.Reset()
					req.SetRequestURI("http://" + addr + "/queue/v1/join")
					req.Header.SetMethod("POST")
					req.Header.Set("Authorization", "Bearer "+toks[s])
					t0 := time.Now()
					err := client.Do(req, resp)
					lat[s-1] = time.Since(t0)
					if err != nil || resp.StatusCode() != 200 {
						failed.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(lat)
		rate := float64(n) / elapsed.Seconds()

		// Baseline: the join script alone, straight on Redis.
		store := &gateredis.Store{Client: rdb, Prefix: prefix + "base:"}
		opens := time.Now()
		if _, err := store.CreateRoom(context.Background(), gate.DefaultRoom(opens)); err != nil {
			b.Fatal(err)
		}
		next.Store(0)
		base := make([]time.Duration, n)
		bstart := time.Now()
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					s := int(next.Add(1))
					if s > n {
						return
					}
					t0 := time.Now()
					if _, err := store.Join(context.Background(), int64(s), time.Now()); err != nil {
						failed.Add(1)
					}
					base[s-1] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		belapsed := time.Since(bstart)
		slices.Sort(base)
		brate := float64(n) / belapsed.Seconds()
		b.Logf("%d joins through the gate in %v: %.0f joins/s, p50 %v, p99 %v, max %v, %d failed",
			n, elapsed.Round(time.Millisecond), rate, percentile(lat, 50), percentile(lat, 99), lat[n-1], failed.Load())
		b.Logf("baseline, the join script alone on Redis: %.0f joins/s, p50 %v, p99 %v; gate/baseline %.2f",
			brate, percentile(base, 50), percentile(base, 99), rate/brate)
		b.ReportMetric(rate, "joins/s")
		b.ReportMetric(float64(percentile(lat, 99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(brate, "baseline-joins/s")
		if failed.Load() > 0 {
			b.Errorf("%d joins failed", failed.Load())
		}
	}
}
