package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	"classmate/internal/dbtest"
	"classmate/token"
)

// TestRunAdmittedLoadsScript: a script Redis has never seen still runs
// when pipelined with the revocation check.
func TestRunAdmittedLoadsScript(t *testing.T) {
	t.Parallel()
	c, prefix := dbtest.MustOpenRedis(t)
	ctx := context.Background()
	var b [8]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	// A source of its own, so that no other test loaded it.
	script := goredis.NewScript("-- " + nonce + "\nreturn redis.call('INCR', KEYS[1])")
	key := prefix + "n"

	res, err := runAdmitted(ctx, c, "jti-"+nonce, script, []string{key})
	require.NoError(t, err)
	n, err := res.Int()
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	require.NoError(t, c.Set(ctx, token.RevokedKey("jti-"+nonce), 1, time.Minute).Err())
	t.Cleanup(func() { c.Del(context.Background(), token.RevokedKey("jti-"+nonce)) })
	res, err = runAdmitted(ctx, c, "jti-"+nonce, script, []string{key})
	assert.ErrorIs(t, err, core.ErrAdmissionRequired)
	n, rerr := res.Int()
	require.NoError(t, rerr)
	assert.Equal(t, 2, n, "the script ran: the caller undoes it")
}
