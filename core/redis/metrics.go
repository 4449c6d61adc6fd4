package redis

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/redis/go-redis/v9"
)

// Timing is a go-redis hook that records each command's and pipeline's
// round-trip time as classmate_redis_command_duration_seconds{cmd=…}.
// Add it with client.AddHook(redis.Timing{}).
type Timing struct{}

var histograms sync.Map // command name → *metrics.PrometheusHistogram

func histogram(name string) *metrics.PrometheusHistogram {
	if h, ok := histograms.Load(name); ok {
		return h.(*metrics.PrometheusHistogram)
	}
	h := metrics.GetOrCreatePrometheusHistogram(`classmate_redis_command_duration_seconds{cmd="` + name + `"}`)
	histograms.Store(name, h)
	return h
}

// DialHook implements redis.Hook.
func (Timing) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

// ProcessHook implements redis.Hook.
func (Timing) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		histogram(cmd.Name()).UpdateDuration(start)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook.
func (Timing) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		histogram("pipeline").UpdateDuration(start)
		return err
	}
}
