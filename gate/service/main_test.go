package service_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"classmate/gate/service"
)

// TestMain runs the gate itself when the test binary is started as a child
// gate process (see startGate): the failover test kills real processes.
func TestMain(m *testing.M) {
	if os.Getenv("CLASSMATE_GATE_TEST_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		err := service.Run(ctx, os.Getenv, os.Stderr, func(addr string) { fmt.Println("READY " + addr) })
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "gate:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
