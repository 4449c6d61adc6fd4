package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The ceilings are the in-run baselines of the raw machinery: what the
// gate and the core answer per second when they do nothing (GET /healthz
// over the same connections the scenarios use), and what Redis answers
// per second with and without pipelining. They are measured once per
// invocation, on the same machine as the scenarios, minutes apart.

// measureCeilings fills e.Ceilings.
func (e *Env) measureCeilings(ctx context.Context) {
	workers := min(512, e.Src.Len()*e.Cfg.ConnsPerSource)
	for _, c := range []struct {
		key, name string
		client    *Client
	}{
		{"gate_healthz", "gate GET /healthz", e.Gate},
		{"core_healthz", "core GET /healthz", e.Core},
	} {
		rps, p99 := httpCeiling(ctx, c.client, "/healthz", workers, 3*time.Second)
		e.Ceilings[c.key] = figure(c.key, c.name+" (fasthttp ceiling)", "req/s", rps, 0, "")
		e.Ceilings[c.key+"_p99"] = figure(c.key+"_p99", c.name+" p99", "ms", p99, 0, "")
		e.logf("ceiling: %s %s req/s, p99 %.1f ms with %d workers", c.name, human(rps), p99, workers)
	}
	for _, depth := range []int{1, 16} {
		ops := redisCeiling(ctx, e, 64, depth, 2*time.Second)
		key, name := "redis_ping", "Redis PING, unpipelined"
		if depth > 1 {
			key, name = "redis_ping_pipelined", "Redis PING, pipelined by 16"
		}
		e.Ceilings[key] = figure(key, name, "ops/s", ops, 0, "")
		e.logf("ceiling: %s %s ops/s", name, human(ops))
	}
}

// httpCeiling runs workers closed-loop GETs of path for d and returns the
// rate and the p99 in ms.
func httpCeiling(ctx context.Context, c *Client, path string, workers int, d time.Duration) (float64, float64) {
	rec := NewRecorder(time.Now())
	ep := rec.Endpoint("ceiling")
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var n atomic.Int64
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if r := c.Call(ep, w, "GET", path, "", nil); r.Status == 200 {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	q := ep.Latency.Quantiles(0.99)
	return float64(n.Load()) / time.Since(start).Seconds(), ms(q[0])
}

// redisCeiling runs workers closed-loop PINGs, depth per round trip, for d.
func redisCeiling(ctx context.Context, e *Env, workers, depth int, d time.Duration) float64 {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var n atomic.Int64
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if depth == 1 {
					if e.Redis.Ping(ctx).Err() == nil {
						n.Add(1)
					}
					continue
				}
				p := e.Redis.Pipeline()
				for i := 0; i < depth; i++ {
					p.Ping(ctx)
				}
				if _, err := p.Exec(ctx); err == nil {
					n.Add(int64(depth))
				}
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// ceiling returns a ceiling's value, or 0 when not measured.
func (e *Env) ceiling(key string) float64 {
	if f, ok := e.Ceilings[key]; ok {
		return f.Value
	}
	return 0
}
