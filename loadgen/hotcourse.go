package loadgen

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// runS2 is the hot course: admitted students fire at one course of few
// seats at the same instant, through the gate; then the same students fire
// at a second such course straight at the core (the gate's share of the
// cost, in the same run).
func runS2(ctx context.Context, e *Env) (*Scenario, error) {
	cfg := e.Cfg.S2
	sc := &Scenario{
		Measures: "All students are admitted first (join, then the queue socket until admitted). Then every student " +
			"sends one POST /api/v1/enrollments for the same course at the same instant (released by one channel " +
			"close), through the gate, each on a keep-alive connection of its own opened just before. attempts/s = " +
			"students / (last answer − release). " +
			"By Little's law, with every student firing at once the p99 cannot be below about 0.99 × students ÷ " +
			"attempts/s, so the services' own p99 (their latency histograms on /metrics, interpolated within " +
			"Prometheus buckets) is reported too: the time a request spends inside the gate or the core. " +
			"Baselines: the same burst at a second identical course sent straight to the core, and the in-process " +
			"naive path (every attempt its own MySQL transaction, no Redis filter) from BenchmarkHotCourse (run by S6).",
		Params: map[string]any{"students": cfg.Students, "capacity": cfg.Capacity},
	}
	sessions, err := e.login(ctx, "S2", sc, cfg.Students)
	if err != nil {
		return sc, err
	}
	hot := []Course{
		{ID: hotCourseID, Code: "LG-HOT-1", Title: "부하시험 인기강좌 (게이트)", Professor: "김부하", Department: "교양학부",
			Credits: 1, Capacity: cfg.Capacity, Schedule: []Slot{{"SAT", "07:00", "07:50"}}, Room: "부하관 101"},
		{ID: hotCourseID + 1, Code: "LG-HOT-2", Title: "부하시험 인기강좌 (코어 직접)", Professor: "김부하", Department: "교양학부",
			Credits: 1, Capacity: cfg.Capacity, Schedule: []Slot{{"SAT", "08:00", "08:50"}}, Room: "부하관 102"},
	}
	for _, c := range hot {
		if _, err := e.putCourse(nil, c); err != nil {
			return sc, fmt.Errorf("create hot course %s: %w", c.Code, err)
		}
	}
	if err := e.reset(ctx); err != nil {
		return sc, err
	}
	if _, err := e.quietRoom(ctx, 15*time.Second); err != nil {
		return sc, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	if err := e.configureRoom(RoomPatch{
		OpensAt: &now, PrequeueSeconds: ptr(3600), MaxActive: ptr(cfg.Students + 100),
		AdmitPerSecond: ptr(100000.0), Mode: "fifo", Paused: ptr(false), SessionSeconds: ptr(600),
	}); err != nil {
		return sc, err
	}

	start := time.Now()
	rec := NewRecorder(start)
	c := newCrowd(e, rec, e.Cfg.Seed)
	smp := newSampler(e, start)
	sctx, stopSampler := context.WithCancel(context.Background())
	go smp.run(sctx)
	defer stopSampler()

	// Admit everyone.
	tokens := make([]string, len(sessions))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 512)
	for k, s := range sessions {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			t, err := c.joinQueue(ctx, k+1, s)
			<-sem
			if err != nil {
				c.fail(err)
				return
			}
			tok, err := c.awaitAdmission(ctx, k+1, s, t)
			if err != nil {
				c.fail(err)
				return
			}
			tokens[k] = tok
		}()
	}
	wg.Wait()
	if f := c.failed.Load(); f > 0 {
		return sc, fmt.Errorf("%d of %d students were not admitted: %v", f, len(sessions), c.failures())
	}
	e.logf("S2: %d students admitted in %.1fs", len(sessions), time.Since(start).Seconds())

	// Every student fires on a keep-alive connection of its own, opened
	// before the burst, as each browser has one.
	perSource := (len(sessions) + e.Src.Len() - 1) / e.Src.Len()
	gateConns, err := NewClient(e.Src, e.Cfg.Gate, perSource)
	if err != nil {
		return sc, err
	}
	coreConns, err := NewClient(e.Src, e.Cfg.Core, perSource)
	if err != nil {
		return sc, err
	}
	bursts := []struct {
		name   string
		client *Client
		course int64
	}{{"enroll_hot_gate", gateConns, hotCourseID}, {"enroll_hot_core", coreConns, hotCourseID + 1}}
	type outcome struct {
		elapsed        time.Duration
		created, sold  atomic.Int64
		other          atomic.Int64
		p50, p99, rate float64
		coreP99        float64 // as the core measured itself (/metrics)
		gateP99        float64 // as the gate measured itself
	}
	results := make([]*outcome, len(bursts))
	for b, burst := range bursts {
		ep := rec.Endpoint(burst.name)
		o := &outcome{}
		results[b] = o
		body := enrollBody(burst.course)
		release := make(chan struct{})
		var ready, done sync.WaitGroup
		for k := range sessions {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				burst.client.Call(nil, k+1, "GET", "/healthz", "", nil) // opens this student's connection
				ready.Done()
				<-release
				r := burst.client.Call(ep, k+1, "POST", "/api/v1/enrollments", tokens[k], body)
				switch {
				case r.Status == 201:
					o.created.Add(1)
					c.commits.Add(sessions[k].ID, burst.course)
				case r.Status == 409 && errorCode(r.Body) == "SOLD_OUT":
					o.sold.Add(1)
				default:
					o.other.Add(1)
					if r.Status == 0 {
						c.commits.AddUnknown()
					}
				}
			}()
		}
		ready.Wait()
		time.Sleep(200 * time.Millisecond) // every goroutine parked on release
		watch := e.watchServers()
		sc.Events = append(sc.Events, Event{At: round(time.Since(start).Seconds()), Label: burst.name})
		t0 := time.Now()
		close(release)
		done.Wait()
		o.elapsed = time.Since(t0)
		gateIn, coreIn := watch.done()
		o.coreP99, o.gateP99 = coreIn.quantile("http route=enroll", 0.99), gateIn.quantile("http route=api_enrollments", 0.99)
		if b == 0 { // the burst through the gate: what happened inside
			sc.Server = append(serverStats("gate", gateIn), serverStats("core", coreIn)...)
		}
		q := ep.Latency.Quantiles(0.5, 0.99)
		o.p50, o.p99 = ms(q[0]), ms(q[1])
		o.rate = float64(len(sessions)) / o.elapsed.Seconds()
		burst.client.CloseIdle()
		e.logf("S2: %s: %d created, %d SOLD_OUT, %d other in %v: %s attempts/s, p50 %.1f ms, p99 %.1f ms",
			burst.name, o.created.Load(), o.sold.Load(), o.other.Load(), o.elapsed.Round(time.Millisecond),
			human(o.rate), o.p50, o.p99)
		time.Sleep(time.Second)
	}
	var lw sync.WaitGroup
	for k := range sessions {
		lw.Add(1)
		sem <- struct{}{}
		go func() {
			defer lw.Done()
			defer func() { <-sem }()
			c.leaveRoom(k+1, tokens[k])
		}()
	}
	lw.Wait()
	end := time.Now()
	stopSampler()

	g, d := results[0], results[1]
	naive := e.ceiling("s2_inproc_naive")
	rateFig := figure("attempt_rate", "attempts/s through the gate", "attempts/s", g.rate, d.rate, "same burst straight to the core").
		original("598 TPS (50k users in 10 s, Redis sold-out flag)").target("≥ 15,000", ">=", 15000)
	sc.Figures = []Figure{
		figure("successes", "successes (201)", "enrollments", float64(g.created.Load()), float64(cfg.Capacity), "capacity").
			target(fmt.Sprintf("exactly %d", cfg.Capacity), "==", float64(cfg.Capacity)),
		figure("sold_out", "SOLD_OUT answers", "answers", float64(g.sold.Load()), float64(len(sessions)-cfg.Capacity), "expected"),
		figure("other", "other answers", "answers", float64(g.other.Load()), 0, "").lower().target("0", "==", 0),
		rateFig,
		figure("p99", "p99 through the gate", "ms", g.p99, d.p99, "straight to the core").lower().
			original("297 ms average").target("≤ 50 ms", "<=", 50),
		figure("p50", "p50 through the gate", "ms", g.p50, d.p50, "straight to the core").lower(),
		figure("server_p99", "p99 inside the core (its /metrics), through the gate", "ms", g.coreP99, d.coreP99, "straight to the core").lower(),
		figure("gate_p99", "p99 inside the gate (its /metrics)", "ms", g.gateP99, 0, "").lower(),
		figure("core_rate", "attempts/s straight to the core", "attempts/s", d.rate, naive, "in-process naive path (S6 run)"),
		figure("core_successes", "successes straight to the core", "enrollments", float64(d.created.Load()), float64(cfg.Capacity), "capacity").
			target(fmt.Sprintf("exactly %d", cfg.Capacity), "==", float64(cfg.Capacity)),
	}
	sc.Endpoints = endpointStats(rec)
	sc.Series = buildSeries(rec, smp.Samples(), end)
	e.logf("S2: checking invariants")
	sc.Invariants = e.checkInvariants(context.Background(), rec, c.commits)
	return sc, nil
}
