package http_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrips is a go-redis hook that counts round trips: one per command
// sent alone, one per pipeline.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRedisRoundTrips counts the core's Redis round trips per enrollment
// attempt, so that a change that adds one shows here.
func TestRedisRoundTrips(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := e.addStudents(6)
	e.putCourse(course(1, 100, 3))
	e.putCourse(course(2, 1, 3, "TUE 09:00-10:00"))
	// Every script is loaded, course 2 is full.
	require.Equal(t, 201, first(e.enroll(ids[0], 2, "Idempotency-Key", "warm-1")))
	require.Equal(t, 409, first(e.enroll(ids[5], 2, "Idempotency-Key", "warm-2")))
	h := &roundTrips{}
	e.rdb.AddHook(h)

	for _, tc := range []struct {
		name    string
		student int64
		course  int64
		key     string
		status  int
		want    int64
	}{
		{"CreatedWithKey", ids[1], 1, "k1", 201, 3},
		{"SoldOutWithKey", ids[2], 2, "k2", 409, 3},
		{"ReplayWithKey", ids[2], 2, "k2", 409, 1},
		{"Created", ids[3], 1, "", 201, 2},
		{"SoldOut", ids[4], 2, "", 409, 1},
	} {
		var headers []string
		if tc.key != "" {
			headers = []string{"Idempotency-Key", tc.key}
		}
		h.n.Store(0)
		status, body := e.enroll(tc.student, tc.course, headers...)
		require.Equal(t, tc.status, status, string(body))
		t.Logf("%s: %d round trips", tc.name, h.n.Load())
		assert.Equal(t, tc.want, h.n.Load(), tc.name)
	}
	e.checkSeats()
}

func first(status int, _ []byte) int { return status }
