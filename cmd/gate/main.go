// Command gate runs the waiting room in front of the core: the queue, the
// WebSocket positions, the admission tick, the pages and the proxy to the
// core. Configuration comes from CLASSMATE_* environment variables; see
// package classmate/gate/service and the README.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"classmate/gate/service"
	"classmate/internal/profiling"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := profiling.ListenFromEnv(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "gate:", err)
		os.Exit(1)
	}
	if err := service.Run(ctx, os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "gate:", err)
		os.Exit(1)
	}
}
