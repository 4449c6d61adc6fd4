package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sampler records, twice a second, what the servers report about
// themselves: the room (queue length, admissions), sockets held, the
// processes' RSS, Redis commands per second, the core's durable commits
// per second and the machine's CPU use.
type sampler struct {
	e     *Env
	start time.Time
	every time.Duration

	mu      sync.Mutex
	samples []Sample
	// Hooks set by the scenario.
	sockets func() int64
}

func newSampler(e *Env, start time.Time) *sampler {
	return &sampler{e: e, start: start, every: 500 * time.Millisecond, sockets: e.Sockets.Held}
}

// run samples until ctx ends.
func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	var prev Sample
	var prevAt time.Time
	var prevRedis, prevCommits float64
	prevBusy, prevTotal := cpuTimes()
	procs := map[string]int{"loadgen": 0, "gate": s.e.GatePID, "core": s.e.CorePID, "mysql": s.e.MySQLPID, "redis": s.e.RedisPID}
	prevProc := map[string]float64{}
	for {
		now := time.Now()
		x := Sample{At: round(now.Sub(s.start).Seconds())}
		if st, err := s.e.room(); err == nil {
			x.Waiting, x.Active, x.Admitted, x.AdmitRate = st.Waiting, st.Active, st.AdmittedTotal, st.AdmitRate
		}
		x.Sockets = s.sockets()
		x.Conns = s.e.Src.Open()
		x.GateRSS = round(rssMiB(s.e.GatePID))
		x.CoreRSS = round(rssMiB(s.e.CorePID))
		x.ReplicaLag = s.e.replicaLag(ctx)
		redisTotal := s.redisCommands(ctx)
		commits := s.coreCommits()
		busy, total := cpuTimes()
		proc := map[string]float64{}
		for name, pid := range procs {
			if pid >= 0 && (pid > 0 || name == "loadgen") {
				proc[name] = procCPU(pid)
			}
		}
		if !prevAt.IsZero() {
			x.ProcCPU = map[string]float64{}
			for name, v := range proc {
				if p, ok := prevProc[name]; ok && v >= p && p >= 0 {
					x.ProcCPU[name] = round(100 * (v - p) / now.Sub(prevAt).Seconds())
				}
			}
			dt := now.Sub(prevAt).Seconds()
			if x.Admitted >= prev.Admitted {
				x.Admits = round(float64(x.Admitted-prev.Admitted) / dt)
			}
			if redisTotal >= prevRedis && prevRedis > 0 {
				x.RedisOps = round((redisTotal - prevRedis) / dt)
			}
			if commits >= prevCommits && prevCommits > 0 {
				x.Commits = round((commits - prevCommits) / dt)
			}
			if total > prevTotal {
				x.CPU = round(100 * (busy - prevBusy) / (total - prevTotal))
			}
			s.mu.Lock()
			s.samples = append(s.samples, x)
			s.mu.Unlock()
		}
		prev, prevAt, prevRedis, prevCommits, prevProc = x, now, redisTotal, commits, proc
		prevBusy, prevTotal = busy, total
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Samples returns the samples so far.
func (s *sampler) Samples() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...)
}

func (s *sampler) redisCommands(ctx context.Context) float64 {
	info, err := s.e.Redis.Info(ctx, "stats").Result()
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "total_commands_processed:"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n
		}
	}
	return 0
}

// coreCommits reads classmate_enrollments_committed_total from the core's
// /metrics.
func (s *sampler) coreCommits() float64 {
	r := s.e.Core.Call(nil, 0, "GET", "/metrics", "", nil)
	if r.Status != 200 {
		return 0
	}
	return metricValue(r.Body, "classmate_enrollments_committed_total")
}

// metricValue returns the value of an unlabelled metric in Prometheus text.
func metricValue(body []byte, name string) float64 {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n
		}
	}
	return 0
}
