package token

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheAnswersOnlyItsOwn plants an entry for a string that is no token
// at all, so every success below can only come from the cache, and every
// refusal shows the cache declined to answer.
func TestCacheAnswersOnlyItsOwn(t *testing.T) {
	t0 := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }
	secret := sha256.Sum256([]byte("k1"))
	keys, err := NewKeyring(Key{ID: "k1", Secret: secret[:]})
	require.NoError(t, err)
	same, err := NewKeyring(Key{ID: "k1", Secret: secret[:]}) // equal keys, another keyring
	require.NoError(t, err)
	const fake = "planted.not-a.token"
	plant := func(c *Cache) {
		c.put(fake, cacheEntry{keys: keys, aud: AdmissionAudience, sub: 7, jti: "j7",
			iat: t0, exp: t0.Add(time.Minute)})
	}

	t.Run("Hit", func(t *testing.T) {
		c := NewCache(64)
		plant(c)
		adm, err := Verifier{Keys: keys, Now: at(t0.Add(30 * time.Second)), Cache: c}.Admission(fake)
		require.NoError(t, err)
		assert.Equal(t, Admission{StudentID: 7, ID: "j7", IssuedAt: t0, ExpiresAt: t0.Add(time.Minute)}, adm)
	})
	t.Run("OtherKeyring", func(t *testing.T) {
		c := NewCache(64)
		plant(c)
		_, err := Verifier{Keys: same, Now: at(t0), Cache: c}.Admission(fake)
		assert.ErrorIs(t, err, ErrInvalid)
		_, err = Verifier{Now: at(t0), Cache: c}.Admission(fake)
		assert.ErrorIs(t, err, ErrInvalid, "nil keyring")
		_, ok := c.get(fake)
		assert.True(t, ok, "another keyring's miss leaves the entry")
	})
	t.Run("OtherFormat", func(t *testing.T) {
		c := NewCache(64)
		plant(c)
		_, err := Verifier{Keys: keys, Now: at(t0), Cache: c}.Session(fake)
		assert.ErrorIs(t, err, ErrInvalid)
		assert.ErrorIs(t, err, errOtherFormat)
	})
	for _, tt := range []struct {
		name   string
		now    time.Time
		leeway time.Duration
		ok     bool
	}{
		{"JustBeforeExp", t0.Add(time.Minute - time.Nanosecond), 0, true},
		{"AtExp", t0.Add(time.Minute), 0, false},
		{"AfterExpWithinLeeway", t0.Add(time.Minute + 4*time.Second), 5 * time.Second, true},
		{"AfterExpBeyondLeeway", t0.Add(time.Minute + 5*time.Second), 5 * time.Second, false},
		{"NegativeLeewayIsZero", t0.Add(time.Minute), -time.Hour, false},
		{"AtIat", t0, 0, true},
		{"BeforeIat", t0.Add(-time.Nanosecond), 0, false},
		{"BeforeIatWithinLeeway", t0.Add(-4 * time.Second), 5 * time.Second, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCache(64)
			plant(c)
			_, err := Verifier{Keys: keys, Now: at(tt.now), Leeway: tt.leeway, Cache: c}.Admission(fake)
			_, kept := c.get(fake)
			if tt.ok {
				assert.NoError(t, err)
				assert.True(t, kept)
			} else {
				assert.ErrorIs(t, err, ErrInvalid)
				assert.False(t, kept, "an entry out of its time is dropped")
			}
		})
	}
}

// TestCacheNeverStoresFailures: refused tokens, expired ones included,
// leave the cache empty; an accepted one is stored once.
func TestCacheNeverStoresFailures(t *testing.T) {
	secret := sha256.Sum256([]byte("k1"))
	keys, err := NewKeyring(Key{ID: "k1", Secret: secret[:]})
	require.NoError(t, err)
	now := time.Now()
	iss := Issuer{Keys: keys, Now: func() time.Time { return now.Add(-time.Hour) }}
	expired, _, err := iss.Admission(1, time.Minute)
	require.NoError(t, err)
	session, _, err := iss.Session(1, "2026000001", 2*time.Hour)
	require.NoError(t, err)
	c := NewCache(64)
	v := Verifier{Keys: keys, Now: func() time.Time { return now }, Cache: c}
	for _, tok := range []string{expired, "a.b.c", "", session + "x"} {
		_, err := v.Admission(tok)
		assert.ErrorIs(t, err, ErrInvalid)
	}
	_, err = v.Admission(session)
	assert.ErrorIs(t, err, ErrInvalid)
	assert.False(t, errors.Is(err, ErrExpired))
	assert.Equal(t, 0, c.Len())
	for range 3 {
		_, err = v.Session(session)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, c.Len())
}
