// Command loadgen is classmate's load generator and benchmark runner
// (S1–S6 of BENCHMARKS.md) against a local stack; see package
// classmate/loadgen and `loadgen help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"classmate/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := loadgen.Main(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
