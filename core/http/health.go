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

// readyz answers 200 when MySQL and Redis answer, else 503.
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

// metrics answers the Prometheus text format.
func (s *Server) metrics(c *call) error {
	c.ctx.SetContentType("text/plain; version=0.0.4")
	metrics.WritePrometheus(c.ctx, true)
	return nil
}
