package redisclient_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/internal/redisclient"
)

// TestRestart stops the Redis server under a client in each mode and starts
// it again: while it is down every command fails within its timeout (none
// hangs), and once it is back the same client works again.
func TestRestart(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("redis-server not found (scripts/stack.sh up installs it)")
		}
		t.Skip("redis-server not found; scripts/stack.sh up installs it")
	}
	for _, mode := range []redisclient.Mode{redisclient.Off, redisclient.Batched, redisclient.FullDuplex} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			addr := freeAddr(t)
			stop := startRedis(t, bin, addr)
			c, err := redisclient.Open(redisclient.Config{Addr: addr, Timeout: 500 * time.Millisecond, AutoPipeline: mode})
			require.NoError(t, err)
			defer c.Close()
			ctx := context.Background()
			require.NoError(t, c.Fast.Set(ctx, "k", "1", 0).Err())

			stop()
			for i := range 5 {
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				start := time.Now()
				err := c.Fast.Get(cctx, "k").Err()
				cancel()
				require.Error(t, err, "command %d with the server down", i)
				require.Less(t, time.Since(start), 4*time.Second, "command %d hung: %v", i, err)
			}

			startRedis(t, bin, addr)
			deadline := time.Now().Add(10 * time.Second)
			for {
				cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				err := c.Fast.Set(cctx, "k", "2", 0).Err()
				cancel()
				if err == nil {
					break
				}
				require.True(t, time.Now().Before(deadline), "no recovery after restart: %v", err)
				time.Sleep(100 * time.Millisecond)
			}
			v, err := c.Fast.Get(ctx, "k").Result()
			require.NoError(t, err)
			require.Equal(t, "2", v)
			// The new server knows no script: EVALSHA fails with NOSCRIPT
			// and the script is sent again.
			n, err := incrBy.Run(ctx, c.Fast, []string{"n"}, 5).Int()
			require.NoError(t, err)
			require.Equal(t, 5, n)
		})
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// startRedis runs a throwaway redis-server (no persistence) on addr and
// returns a function stopping it; the test's end stops it too.
func startRedis(t *testing.T, bin, addr string) func() {
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--bind", host, "--port", port, "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	require.NoError(t, cmd.Start())
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	for i := 0; ; i++ {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			return stop
		}
		require.Less(t, i, 100, fmt.Sprintf("redis-server on %s did not start: %v", addr, err))
		time.Sleep(50 * time.Millisecond)
	}
}
