package redis_test

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
	"classmate/core/redis"
	"classmate/token"
)

// admission returns a fresh admission token id, revoked or not.
func admission(t *testing.T, c *goredis.Client, revoked bool) string {
	t.Helper()
	var b [8]byte
	rand.Read(b[:])
	jti := "test-" + hex.EncodeToString(b[:])
	if revoked {
		require.NoError(t, c.Set(context.Background(), token.RevokedKey(jti), 1, time.Minute).Err())
		t.Cleanup(func() { c.Del(context.Background(), token.RevokedKey(jti)) })
	}
	return jti
}

// TestTakeAdmitted: a take with a revoked admission token answers
// ErrAdmissionRequired whatever the seat, and holds nothing.
func TestTakeAdmitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(e *seatsEnv)
		revoked bool
		want    error
		// remaining and holds of course 1 afterwards
		remaining int
		holds     int64
	}{
		{"OK", func(e *seatsEnv) { e.set(1, 2) }, false, nil, 1, 1},
		{"SoldOut", func(e *seatsEnv) { e.set(1, 1, 11) }, false, core.ErrSoldOut, 0, 0},
		{"Revoked", func(e *seatsEnv) { e.set(1, 2) }, true, core.ErrAdmissionRequired, 2, 0},
		{"RevokedSoldOut", func(e *seatsEnv) { e.set(1, 1, 11) }, true, core.ErrAdmissionRequired, 0, 0},
		{"RevokedAlreadyEnrolled", func(e *seatsEnv) { e.set(1, 2, 10) }, true, core.ErrAdmissionRequired, 1, 0},
		{"RevokedNoCounter", func(e *seatsEnv) {}, true, core.ErrAdmissionRequired, 0, 0},
		// The student's earlier hold is not the revoked request's to give back.
		{"RevokedPending", func(e *seatsEnv) {
			e.set(1, 2)
			require.NoError(e.t, e.seats.Take(ctx, 1, 10, ""))
		}, true, core.ErrAdmissionRequired, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSeats(t)
			tc.prepare(e)
			err := e.seats.Take(ctx, 1, 10, admission(t, e.client, tc.revoked))
			if tc.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tc.want)
			}
			n, _ := e.remaining(1)
			assert.Equal(t, tc.remaining, n, "remaining")
			assert.Equal(t, tc.holds, e.holds(), "holds")
			if tc.name == "Revoked" {
				member, err := e.client.SIsMember(ctx, e.prefix+"seat:{c1}:s", 10).Result()
				require.NoError(t, err)
				assert.False(t, member, "the revoked request's student keeps no seat")
			}
		})
	}
}

// TestAdmittedUnreachable: without Redis a take or a claim fails, and never
// answers as if the token had been checked.
func TestAdmittedUnreachable(t *testing.T) {
	t.Parallel()
	dead := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { dead.Close() })
	ctx := context.Background()
	err := (&redis.Seats{Client: dead}).Take(ctx, 1, 10, "some-jti")
	require.Error(t, err)
	assert.NotErrorIs(t, err, core.ErrAdmissionRequired)
	_, claimed, err := (&redis.Replies{Client: dead}).Claim(ctx, 10, "k", "some-jti")
	require.Error(t, err)
	assert.False(t, claimed)
	assert.NotErrorIs(t, err, core.ErrAdmissionRequired)
}

// TestClaimAdmitted: a claim with a revoked admission token answers
// ErrAdmissionRequired at once and leaves the key as it found it.
func TestClaimAdmitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	reply := core.Reply{Status: 409, Body: []byte(`{"error":{"code":"SOLD_OUT","message":"x"}}`)}
	for _, tc := range []struct {
		name string
		// prepare sets the key "k" of student 10 up; value is its raw value
		// afterwards ("" for none).
		prepare func(e *seatsEnv, r *redis.Replies)
		revoked bool
		want    error
		value   string
	}{
		{"New", func(*seatsEnv, *redis.Replies) {}, false, nil, "P"},
		{"RevokedNew", func(*seatsEnv, *redis.Replies) {}, true, core.ErrAdmissionRequired, ""},
		{"RevokedStored", func(e *seatsEnv, r *redis.Replies) {
			require.NoError(e.t, r.Store(ctx, 10, "k", reply))
		}, true, core.ErrAdmissionRequired, "409 " + string(reply.Body)},
		{"RevokedPending", func(e *seatsEnv, r *redis.Replies) {
			_, claimed, err := r.Claim(ctx, 10, "k", "")
			require.NoError(e.t, err)
			require.True(e.t, claimed)
		}, true, core.ErrAdmissionRequired, "P"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSeats(t)
			r := &redis.Replies{Client: e.client, Prefix: e.prefix}
			tc.prepare(e, r)
			// A pending key would make Claim wait until ctx ends.
			cctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			_, claimed, err := r.Claim(cctx, 10, "k", admission(t, e.client, tc.revoked))
			if tc.want == nil {
				assert.NoError(t, err)
				assert.True(t, claimed)
			} else {
				assert.ErrorIs(t, err, tc.want)
				assert.False(t, claimed)
			}
			v, err := e.client.Get(ctx, e.prefix+"idem:{s10}:k").Result()
			if tc.value == "" {
				assert.ErrorIs(t, err, goredis.Nil, "the key stays free")
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.value, v)
			}
		})
	}
}

// TestConfirmStoresReply: Confirm with a reply turns the hold into a seat
// and stores the reply, which a repeat's claim then returns.
func TestConfirmStoresReply(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newSeats(t)
	r := &redis.Replies{Client: e.client, Prefix: e.prefix}
	e.seats.Replies = r
	e.set(1, 2)
	_, claimed, err := r.Claim(ctx, 10, "k", "")
	require.NoError(t, err)
	require.True(t, claimed)
	require.NoError(t, e.seats.Take(ctx, 1, 10, ""))
	want := core.Reply{Status: 201, Body: []byte(`{"enrollment":{}}`)}
	require.NoError(t, e.seats.Confirm(ctx, 1, 10, &core.KeyedReply{StudentID: 10, Key: "k", Reply: want}))
	assert.Zero(t, e.holds())
	n, _ := e.remaining(1)
	assert.Equal(t, 1, n)
	got, claimed, err := r.Claim(ctx, 10, "k", "")
	require.NoError(t, err)
	assert.False(t, claimed)
	assert.Equal(t, want, got)
	ttl, err := e.client.PTTL(ctx, e.prefix+"idem:{s10}:k").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, 10*time.Minute, "kept as long as Store keeps it")
}
