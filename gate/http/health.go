package http

import (
	"classmate/internal/contract"

	"github.com/VictoriaMetrics/metrics"
)

// healthz answers while the process runs.
func (s *Server) healthz(c *call) error {
	contract.WriteRaw(c.ctx, 200, []byte(`{"status":"ok"}`))
	return nil
}

// readyz answers 200 when Redis answers, else 503. The core's health is
// its own: a gate without upstreams still holds the queue.
func (s *Server) readyz(c *call) error {
	if s.Ready != nil {
		ctx, cancel := s.context()
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			s.log().Warn("not ready", "err", err)
			contract.WriteRaw(c.ctx, 503, []byte(`{"error":{"code":"UNAVAILABLE","message":"dependencies not reachable"}}`))
			c.ctx.Response.Header.Set("Retry-After", "1")
			return nil
		}
	}
	contract.WriteRaw(c.ctx, 200, []byte(`{"status":"ready"}`))
	return nil
}

// metrics answers the Prometheus text format: the process-wide metrics
// and this server's gauges.
func (s *Server) metrics(c *call) error {
	c.ctx.SetContentType("text/plain; version=0.0.4")
	metrics.WritePrometheus(c.ctx, true)
	s.metricSet.WritePrometheus(c.ctx)
	return nil
}

// newMetrics registers the room's gauges, read from the hub's last tick.
func (s *Server) newMetrics() *metrics.Set {
	set := metrics.NewSet()
	room := func(f func(st *roomFigures) float64) func() float64 {
		return func() float64 {
			if s.Hub == nil {
				return 0
			}
			st := s.Hub.Room()
			if st == nil {
				return 0
			}
			return f(&roomFigures{st.Waiting, st.Active, st.AdmittedTotal, st.Room.AdmitPerSecond, st.EffectiveRate})
		}
	}
	set.NewGauge(`classmate_gate_waiting`, room(func(r *roomFigures) float64 { return float64(r.waiting) }))
	set.NewGauge(`classmate_gate_active`, room(func(r *roomFigures) float64 { return float64(r.active) }))
	set.NewGauge(`classmate_gate_admitted_total`, room(func(r *roomFigures) float64 { return float64(r.admitted) }))
	set.NewGauge(`classmate_gate_admit_rate{kind="configured"}`, room(func(r *roomFigures) float64 { return r.configured }))
	set.NewGauge(`classmate_gate_admit_rate{kind="effective"}`, room(func(r *roomFigures) float64 { return r.effective }))
	set.NewGauge(`classmate_gate_admit_rate{kind="observed"}`, func() float64 {
		return s.Estimator.Rates().Mean
	})
	set.NewGauge(`classmate_gate_sockets`, func() float64 {
		if s.Hub == nil {
			return 0
		}
		return float64(s.Hub.Sockets())
	})
	set.NewGauge(`classmate_gate_leader`, func() float64 {
		if s.Leader != nil && s.Leader() {
			return 1
		}
		return 0
	})
	return set
}

type roomFigures struct {
	waiting, active, admitted int64
	configured, effective     float64
}
