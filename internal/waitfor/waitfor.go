// Package waitfor lets a service start before its dependencies answer.
package waitfor

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Reachable calls ping (each call bounded by 2 s) once a second until it
// succeeds, ctx ends or within has passed, logging each failure.
func Reachable(ctx context.Context, name string, log *slog.Logger, within time.Duration, ping func(context.Context) error) error {
	deadline := time.Now().Add(within)
	for {
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := ping(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s not reachable: %w", name, err)
		}
		log.Warn("waiting for "+name, "err", err)
		time.Sleep(time.Second)
	}
}
