package redisclient_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/internal/dbtest"
	"classmate/internal/redisclient"
)

func TestParseMode(t *testing.T) {
	for in, want := range map[string]redisclient.Mode{
		"": redisclient.FullDuplex, "off": redisclient.Off, "batched": redisclient.Batched, "full-duplex": redisclient.FullDuplex,
	} {
		got, err := redisclient.ParseMode(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"true", "on", "FULL-DUPLEX", "fullduplex"} {
		_, err := redisclient.ParseMode(bad)
		assert.Error(t, err, bad)
	}
}

var incrBy = redis.NewScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`)

// TestModes runs what the services send (scripts, explicit pipelines, WATCH
// transactions, plain commands) from many goroutines at once in every mode,
// and checks every answer reaches the caller that asked.
func TestModes(t *testing.T) {
	for _, mode := range []redisclient.Mode{redisclient.Off, redisclient.Batched, redisclient.FullDuplex} {
		t.Run(string(mode), func(t *testing.T) {
			rdb, prefix := dbtest.MustOpenRedis(t)
			c, err := redisclient.Wrap(rdb, mode)
			require.NoError(t, err)
			defer c.Close()
			ctx := context.Background()
			const workers, rounds = 32, 50
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					own := fmt.Sprintf("%sw%d", prefix, w)
					for i := 1; i <= rounds; i++ {
						n, err := incrBy.Run(ctx, c.Fast, []string{own + ":n"}, 1).Int()
						if !assert.NoError(t, err) || !assert.Equal(t, i, n) {
							return
						}
						var get *redis.StringCmd
						_, err = c.Fast.Pipelined(ctx, func(p redis.Pipeliner) error {
							p.Set(ctx, own+":v", i, 0)
							get = p.Get(ctx, own+":n")
							return nil
						})
						if !assert.NoError(t, err) || !assert.Equal(t, fmt.Sprint(i), get.Val()) {
							return
						}
						// A shared counter under optimistic locking.
						err = c.Fast.Watch(ctx, func(tx *redis.Tx) error {
							v, err := tx.Get(ctx, prefix+"shared").Int()
							if err != nil && err != redis.Nil {
								return err
							}
							_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
								p.Set(ctx, prefix+"shared", v+1, 0)
								return nil
							})
							return err
						}, prefix+"shared")
						if err == redis.TxFailedErr {
							i--
							n, _ := c.Fast.DecrBy(ctx, own+":n", 1).Result()
							if !assert.Equal(t, int64(i), n) {
								return
							}
							continue
						}
						if !assert.NoError(t, err) {
							return
						}
					}
				}()
			}
			wg.Wait()
			shared, err := c.Fast.Get(ctx, prefix+"shared").Int()
			require.NoError(t, err)
			assert.Equal(t, workers*rounds, shared)
		})
	}
}
