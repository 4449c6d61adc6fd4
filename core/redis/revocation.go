package redis

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"classmate/core"
	"classmate/token"
)

// Revocations answers whether the gate revoked an admission token. It
// implements core.Revocations; safe for concurrent use.
type Revocations struct {
	Client redis.UniversalClient
}

// Revoked reports whether the admission token with that jti was revoked.
func (r *Revocations) Revoked(ctx context.Context, jti string) (bool, error) {
	n, err := r.Client.Exists(ctx, token.RevokedKey(jti)).Result()
	if err != nil {
		return false, fmt.Errorf("check revocation: %w", err)
	}
	return n > 0, nil
}

// runAdmitted runs script like Script.Run, in one round trip with the
// revocation check of the admission token jti (none when jti is empty). It
// returns the script's command and core.ErrAdmissionRequired when the token
// was revoked, or the check's error. The script may have run either way:
// on an error the caller undoes what it did.
func runAdmitted(ctx context.Context, c redis.UniversalClient, jti string, script *redis.Script, keys []string, args ...any) (*redis.Cmd, error) {
	if jti == "" {
		return script.Run(ctx, c, keys, args...), nil
	}
	// The revocation key is in another hash slot than the script's keys: a
	// pipeline, not the script, reads it.
	var exists *redis.IntCmd
	var run *redis.Cmd
	_, _ = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, token.RevokedKey(jti))
		run = script.EvalSha(ctx, p, keys, args...)
		return nil
	})
	revoked, err := exists.Result()
	switch {
	case err != nil:
		return run, fmt.Errorf("check revocation: %w", err)
	case revoked > 0:
		return run, core.ErrAdmissionRequired
	}
	if errors.Is(run.Err(), redis.ErrNoScript) || redis.HasErrorPrefix(run.Err(), "NOSCRIPT") {
		// The script's first run since Redis started.
		run = script.Run(ctx, c, keys, args...)
	}
	return run, nil
}
