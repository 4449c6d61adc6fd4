// Package redisclient opens the Redis client the gate and the core share the
// shape of: one pooled client, and optionally go-redis's autopipeliner on top
// of it for the request paths.
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
	// AutoPipeline sends the commands of concurrent callers in shared
	// pipelines: under load, one write and one read carry many requests'
	// commands instead of one round trip each. Transactions (WATCH) and
	// explicit pipelines still run on the pooled client.
	AutoPipeline bool
}

// Client is an open Redis client.
type Client struct {
	// Plain is the pooled client: pings, locks, transactions.
	Plain *redis.Client
	// Fast is the autopipeliner when Config.AutoPipeline is set, else Plain.
	Fast redis.UniversalClient
	ap   *redis.AutoPipeliner
}

// Open returns a client of cfg; it does not dial yet.
func Open(cfg Config, hooks ...redis.Hook) (*Client, error) {
	rdb := redis.NewClient(&redis.Options{
		Addr: cfg.Addr, Password: cfg.Password,
		PoolSize: 256, DialTimeout: 2 * time.Second, ReadTimeout: cfg.Timeout, WriteTimeout: cfg.Timeout,
	})
	for _, h := range hooks {
		rdb.AddHook(h)
	}
	c := &Client{Plain: rdb, Fast: rdb}
	if cfg.AutoPipeline {
		ap, err := rdb.AutoPipeline()
		if err != nil {
			rdb.Close()
			return nil, fmt.Errorf("redis autopipeline: %w", err)
		}
		c.ap, c.Fast = ap, ap
	}
	return c, nil
}

// Close drains the autopipeliner, then closes the pool.
func (c *Client) Close() error {
	if c.ap != nil {
		c.ap.Close()
	}
	return c.Plain.Close()
}

// ParseBool reads a "true"/"false" setting, def when empty.
func ParseBool(name, v string, def bool) (bool, error) {
	switch v {
	case "":
		return def, nil
	case "true", "false":
		return v == "true", nil
	}
	return false, fmt.Errorf("%s must be true or false, not %q", name, v)
}
