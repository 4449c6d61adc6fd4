package loadgen

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// runS3 is the waiting crowd: many students join and hold the queue
// WebSocket on one gate while the room is paused, so that only the gate's
// periodic updates reach them; the figures are the join rate, the interval
// between updates each client sees, the gate's memory and Redis's load.
func runS3(ctx context.Context, e *Env) (*Scenario, error) {
	cfg := e.Cfg.S3
	n := cfg.Clients
	sc := &Scenario{
		Measures: "Phase 1: every student POSTs /queue/v1/join as fast as 512 workers can (joins/s = students / phase " +
			"time). Phase 2: every student opens its own WebSocket (from one of several loopback source addresses) and " +
			"keeps reading. The room is paused, so positions do not move and every frame is the gate's periodic update: " +
			"the update interval is the time between consecutive frames on a socket (the first one measured from the " +
			"handshake). Gate RSS is read from /proc; Redis ops/s from INFO total_commands_processed.",
		Params: map[string]any{"requested_clients": cfg.Clients, "hold": cfg.Hold.String()},
	}
	var capped []string
	if lim := int(e.FileLimit) - 3000; n > lim {
		n = lim
		capped = append(capped, fmt.Sprintf("the load generator's RLIMIT_NOFILE is %d", e.FileLimit))
	}
	if gl := processFileLimit(e.GatePID); gl > 0 && n > int(gl)-3000 {
		n = int(gl) - 3000
		capped = append(capped, fmt.Sprintf("the gate's RLIMIT_NOFILE is %d", gl))
	}
	var students int
	if err := e.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM students").Scan(&students); err != nil {
		return sc, fmt.Errorf("count students: %w", err)
	}
	if n > students {
		n = students
		capped = append(capped, fmt.Sprintf("the database holds %d students (CLASSMATE_DEMO_STUDENTS)", students))
	}
	if n < 1 {
		return sc, fmt.Errorf("no room for sockets: %v", capped)
	}
	if len(capped) > 0 {
		sc.Note = fmt.Sprintf("Capped from %d to %d sockets: %s. Raise the hard limit (ulimit -Hn, LimitNOFILE) as root with CAP_SYS_RESOURCE to run the full size.",
			cfg.Clients, n, joinAnd(capped))
		e.logf("S3: %s", sc.Note)
	}
	sc.Params["clients"] = n
	sessions, err := e.login(ctx, "S3", sc, n)
	if err != nil {
		return sc, err
	}
	if _, err := e.quietRoom(ctx, 15*time.Second); err != nil {
		return sc, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := e.configureRoom(RoomPatch{OpensAt: &now, PrequeueSeconds: ptr(3600), Paused: ptr(true), Mode: "fifo"}); err != nil {
		return sc, err
	}
	defer e.configureRoom(RoomPatch{Paused: ptr(false)})

	start := time.Now()
	rec := NewRecorder(start)
	c := newCrowd(e, rec, e.Cfg.Seed)
	firstFrame := rec.Endpoint("ws_first_frame")
	gap := rec.Endpoint("ws_update_interval")
	maxGap := rec.Endpoint("ws_worst_interval_per_client")
	smp := newSampler(e, start)
	sctx, stopSampler := context.WithCancel(context.Background())
	go smp.run(sctx)
	defer stopSampler()
	var phase atomic.Value
	phase.Store("join")
	pctx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	go progress(pctx, e, 2*time.Second, func() string {
		return fmt.Sprintf("S3 %5.1fs %s: joined %d/%d sockets %d frames %d failed %d",
			time.Since(start).Seconds(), phase.Load(), c.joined.Load(), n, e.Sockets.Held(), gap.Count()+firstFrame.Count(), c.failed.Load())
	})

	// Phase 1: join.
	tickets := make([]string, n)
	t0 := time.Now()
	forEach(ctx, n, 512, func(k int) {
		t, err := c.joinQueue(ctx, k+1, sessions[k])
		if err != nil {
			c.fail(err)
			return
		}
		tickets[k] = t.Ticket
	})
	joinTime := time.Since(t0)
	joinRate := float64(c.joined.Load()) / joinTime.Seconds()
	sc.Events = append(sc.Events, Event{At: round(time.Since(start).Seconds()), Label: "joined"})
	e.logf("S3: %d joins in %.1fs: %s joins/s", c.joined.Load(), joinTime.Seconds(), human(joinRate))

	// Phase 2: connect and hold.
	phase.Store("connect")
	hctx, stopHold := context.WithCancel(ctx)
	var readers sync.WaitGroup
	var worst []time.Duration
	var worstMu sync.Mutex
	t1 := time.Now()
	forEach(ctx, n, 512, func(k int) {
		if tickets[k] == "" {
			return
		}
		w, err := e.Sockets.Open(ctx, c.ws, k+1, tickets[k])
		if err != nil {
			c.fail(err)
			return
		}
		opened := time.Now()
		readers.Add(1)
		go func() {
			defer readers.Done()
			stop := context.AfterFunc(hctx, w.Close)
			defer stop()
			defer w.Close()
			last, first, longest := opened, true, time.Duration(0)
			for {
				_, err := w.Next(time.Now().Add(30 * time.Second))
				if err != nil {
					if hctx.Err() == nil {
						c.fail(fmt.Errorf("socket ended: %w", err))
					}
					break
				}
				now := time.Now()
				if first {
					firstFrame.Observe(now.Sub(last))
					first = false
				} else {
					d := now.Sub(last)
					gap.Observe(d)
					longest = max(longest, d)
				}
				last = now
			}
			if longest > 0 {
				worstMu.Lock()
				worst = append(worst, longest)
				worstMu.Unlock()
			}
		}()
	})
	connectTime := time.Since(t1)
	held := e.Sockets.Held()
	connectRate := float64(c.ws.CountClass(101, 101)) / connectTime.Seconds()
	sc.Events = append(sc.Events, Event{At: round(time.Since(start).Seconds()), Label: "connected"})
	e.logf("S3: %d sockets open in %.1fs (%s/s); holding for %v", held, connectTime.Seconds(), human(connectRate), cfg.Hold)
	phase.Store("hold")
	holdStart := time.Since(start).Seconds()
	select {
	case <-time.After(cfg.Hold):
	case <-ctx.Done():
	}
	holdEnd := time.Since(start).Seconds()
	peakHeld := e.Sockets.Held()
	phase.Store("leave")
	stopHold()
	readers.Wait()
	for _, d := range worst {
		maxGap.Observe(d)
	}
	forEach(context.Background(), n, 512, func(k int) { c.leaveRoom(k+1, sessions[k].Token) })
	end := time.Now()
	stopSampler()
	stopProgress()

	samples := smp.Samples()
	var redisSum, redisN, peakRSS, peakSockets float64
	baseRSS := math.NaN() // before the first socket
	for _, s := range samples {
		if s.Sockets == 0 && s.GateRSS > 0 && math.IsNaN(baseRSS) {
			baseRSS = s.GateRSS
		}
		peakRSS = max(peakRSS, s.GateRSS)
		peakSockets = max(peakSockets, float64(s.Sockets))
		if s.At >= holdStart && s.At <= holdEnd {
			redisSum += s.RedisOps
			redisN++
		}
	}
	q := gap.Latency.Quantiles(0.5, 0.99)
	wq := maxGap.Latency.Quantiles(0.99)
	fq := firstFrame.Latency.Quantiles(0.99)
	jq := c.join.Latency.Quantiles(0.99)
	sc.Figures = []Figure{
		figure("sockets", "sockets held", "sockets", float64(max(held, peakHeld)), float64(cfg.Clients), "requested"),
		figure("join_rate", "join rate", "joins/s", joinRate, e.ceiling("gate_healthz"), "gate /healthz ceiling").
			target("≥ 20,000", ">=", 20000),
		figure("join_p99", "join p99", "ms", ms(jq[0]), 0, "").lower(),
		figure("connect_rate", "WebSocket handshakes/s", "sockets/s", connectRate, 0, ""),
		figure("update_p99", "update interval p99", "s", ms(q[1])/1000, 2, "the contract's 2 s").lower().target("≤ 2 s", "<=", 2),
		figure("update_p50", "update interval p50", "s", ms(q[0])/1000, 0, "").lower(),
		figure("worst_p99", "worst interval per client, p99", "s", ms(wq[0])/1000, 2, "the contract's 2 s").lower(),
		figure("first_frame_p99", "first frame after handshake, p99", "ms", ms(fq[0]), 0, "").lower(),
		figure("gate_rss", "gate RSS, peak", "MiB", peakRSS, 0, "").lower().target("≤ 2 GiB", "<=", 2048),
		figure("gate_rss_per_socket", "gate RSS per socket (peak − before the sockets)", "KiB", (peakRSS-baseRSS)*1024/max(1, peakSockets), 0, "").lower(),
		// A gate warmed by earlier scenarios reuses heap for the sockets,
		// so run S3 alone on a fresh gate for a marginal that projects.
		figure("gate_rss_100k", "gate RSS projected linearly to 100,000 sockets (meaningful on a fresh gate)", "MiB",
			baseRSS+(peakRSS-baseRSS)*100000/max(1, peakSockets), 0, "").lower(),
		figure("redis_ops", "Redis ops/s while holding", "ops/s", redisSum/max(1, redisN), e.ceiling("redis_ping"), "Redis PING ceiling, unpipelined").lower(),
		figure("failed", "clients that failed", "clients", float64(c.failed.Load()), 0, "").lower().target("0", "==", 0),
	}
	if c.failed.Load() > 0 {
		sc.Note = joinAnd([]string{sc.Note, fmt.Sprintf("Failures: %v", c.failures())})
	}
	sc.Endpoints = endpointStats(rec)
	sc.Series = buildSeries(rec, samples, end)
	sc.Invariants = e.checkInvariants(context.Background(), rec, nil)
	return sc, nil
}

// forEach runs fn(0…n-1) on workers goroutines.
func forEach(ctx context.Context, n, workers int, fn func(k int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				fn(k)
			}
		}()
	}
	wg.Wait()
}

func joinAnd(parts []string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += "; "
		}
		out += p
	}
	return out
}
