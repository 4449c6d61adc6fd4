package redis

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Batching limits: at most batchWorkers pipelines of one script in flight,
// each of at most maxBatch calls.
const (
	batchWorkers = 4
	maxBatch     = 256
	batchTimeout = 5 * time.Second
)

// batcher runs the calls of one script in pipelines. A call goes out at
// once when fewer than batchWorkers pipelines are in flight, else it waits
// for the next one and shares its round trip with the calls that arrived
// meanwhile. Under load this turns thousands of round trips a second (and
// their syscalls, in the gate and in Redis) into a few hundred, without
// adding latency when idle. Workers exist only while calls are pending.
// Safe for concurrent use.
type batcher struct {
	mu      sync.Mutex
	pending []*scriptCall
	running int
}

type scriptCall struct {
	args []any
	res  any
	err  error
	done chan struct{}
}

// do runs script with args on keys and returns its result. One batcher
// serves one script.
func (b *batcher) do(ctx context.Context, s *Store, script *redis.Script, keys []string, args ...any) (any, error) {
	c := &scriptCall{args: args, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	if b.running < batchWorkers {
		b.running++
		go b.loop(s, script, keys)
	}
	b.mu.Unlock()
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loop sends pipelines until no call is pending.
func (b *batcher) loop(s *Store, script *redis.Script, keys []string) {
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxBatch)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		batch := make([]*scriptCall, n)
		copy(batch, b.pending)
		b.pending = append(b.pending[:0], b.pending[n:]...)
		b.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		cmds, _ := s.evalMany(ctx, script, keys, n, func(i int) []any { return batch[i].args })
		cancel()
		for i, c := range batch {
			c.res, c.err = cmds[i].Result()
			close(c.done)
		}
	}
}
