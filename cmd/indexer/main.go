// Command indexer runs the standalone change data capture: it reads the
// MySQL primary's row binlog and keeps the Elasticsearch course index
// converging to the courses table. Configuration comes from CLASSMATE_*
// environment variables (see indexer/service.LoadConfig); without
// CLASSMATE_ES_URL there is nothing for it to do, as the core then hosts
// the embedded index itself.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"classmate/indexer/service"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := service.Run(ctx, os.Getenv, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "indexer:", err)
		os.Exit(1)
	}
}
