package redis

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

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
