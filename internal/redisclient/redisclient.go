// Package redisclient opens the Redis client of the gate and the core: one
// pooled client, and go-redis's autopipeliner on top of it for the request
// paths.
package redisclient

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config says how to reach Redis.
type Config struct {
	Addr, Password string
	Timeout        time.Duration // read and write timeout of one command
	AutoPipeline   Mode
}

// Mode is how the commands of concurrent callers share round trips (go-redis
// autopipelining). Transactions (WATCH) and blocking commands run on the
// pooled client in every mode.
type Mode string

// The modes, as CLASSMATE_REDIS_AUTOPIPELINE spells them.
const (
	// Off gives each command, or explicit pipeline, a round trip of its own.
	Off Mode = "off"
	// Batched sends the single commands of concurrent callers in shared
	// pipelines; an explicit pipeline still takes a pooled connection.
	Batched Mode = "batched"
	// FullDuplex streams every command and explicit pipeline over one held
	// connection, replies matched in order: under load one write and one read
	// carry many requests' commands.
	FullDuplex Mode = "full-duplex"
)

// ParseMode reads CLASSMATE_REDIS_AUTOPIPELINE; empty means FullDuplex.
func ParseMode(v string) (Mode, error) {
	switch m := Mode(v); m {
	case "":
		return FullDuplex, nil
	case Off, Batched, FullDuplex:
		return m, nil
	}
	return "", fmt.Errorf("CLASSMATE_REDIS_AUTOPIPELINE must be off, batched or full-duplex, not %q", v)
}

// Client is an open Redis client.
type Client struct {
	// Plain is the pooled client: pings, locks, transactions.
	Plain *redis.Client
	// Fast is the autopipeliner, or Plain when the mode is Off.
	Fast  redis.UniversalClient
	close func() error
}

// Open returns a client of cfg with hooks added; it does not dial yet.
func Open(cfg Config, hooks ...redis.Hook) (*Client, error) {
	rdb := redis.NewClient(&redis.Options{
		Addr: cfg.Addr, Password: cfg.Password,
		PoolSize: 256, DialTimeout: 2 * time.Second, ReadTimeout: cfg.Timeout, WriteTimeout: cfg.Timeout,
	})
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	c, err := Wrap(rdb, cfg.AutoPipeline)
	if err != nil {
		rdb.Close()
		return nil, err
	}
	return c, nil
}

// Wrap puts the autopipeliner of mode on rdb. Closing the result closes rdb.
func Wrap(rdb *redis.Client, mode Mode) (*Client, error) {
	c := &Client{Plain: rdb, Fast: rdb, close: rdb.Close}
	if mode == Off {
		return c, nil
	}
	opts := redis.DefaultBlockingAutoPipelineOptions()
	opts.FullDuplex = mode == FullDuplex
	ap, err := rdb.AutoPipelineWithOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("redis autopipeline %s: %w", mode, err)
	}
	c.Fast = ap
	c.close = func() error {
		ap.Close()
		return rdb.Close()
	}
	return c, nil
}

// Close drains the autopipeliner, then closes the pool.
func (c *Client) Close() error { return c.close() }
