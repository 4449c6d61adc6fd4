package token_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/token"
)

// minted is a token of the concurrency tests and what verifying it must give.
type minted struct {
	tok     string
	session bool
	key     string // kid of the signing key
	adm     token.Admission
	ses     token.Session
}

// TestCacheConcurrent verifies a mix of tokens from many goroutines through
// one shared, deliberately small cache, with two keyrings (k1 alone, and
// the rotated k2,k1), both formats, and clocks that run past the tokens'
// exp (and start before their iat). Every answer must be the one an
// uncached Verifier gives: a success only for the right format, a keyring
// holding the signing key and a time within [iat, exp); ErrExpired exactly
// for the right format and key after exp.
func TestCacheConcurrent(t *testing.T) {
	for _, size := range []int{8, 4096} {
		t.Run(fmt.Sprintf("Size%d", size), func(t *testing.T) {
			t.Parallel()
			testCacheConcurrent(t, size)
		})
	}
}

func testCacheConcurrent(t *testing.T, size int) {
	k1, k2 := testKey("k1"), testKey("k2")
	ring1, ring21 := mustRing(t, k1), mustRing(t, k2, k1)
	var toks []minted
	for _, keys := range []*token.Keyring{ring1, mustRing(t, k2)} {
		for s := int64(1); s <= 20; s++ {
			iss := token.Issuer{Keys: keys, Now: at(t0)}
			ttl := time.Duration(s) * time.Second // expire one after another
			tok, adm, err := iss.Admission(s, ttl)
			require.NoError(t, err)
			toks = append(toks, minted{tok: tok, key: keys.IDs()[0], adm: adm})
			tok, ses, err := iss.Session(s, fmt.Sprintf("2026%06d", s), ttl+time.Second)
			require.NoError(t, err)
			toks = append(toks, minted{tok: tok, session: true, key: keys.IDs()[0], ses: ses})
		}
	}
	toks = append(toks, minted{tok: "a.b.c"}, minted{tok: toks[0].tok + "x"})
	rings := map[*token.Keyring][]string{ring1: {"k1"}, ring21: {"k2", "k1"}}

	c := token.NewCache(size)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			now := t0.Add(-time.Second) // before every iat at first
			clock := func() time.Time { return now }
			for now.Before(t0.Add(25 * time.Second)) {
				now = now.Add(time.Duration(r.IntN(int(50 * time.Millisecond))))
				m := toks[r.IntN(len(toks))]
				keys := ring1
				if r.IntN(2) == 0 {
					keys = ring21
				}
				v := token.Verifier{Keys: keys, Now: clock, Cache: c}
				asSession := r.IntN(2) == 0
				var err error
				var got any
				if asSession {
					got, err = v.Session(m.tok)
				} else {
					got, err = v.Admission(m.tok)
				}
				if !check(t, m, asSession, rings[keys], now, got, err) {
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), max(size, 32))
}

// check reports whether a verification's answer is the uncached one.
func check(t *testing.T, m minted, asSession bool, kids []string, now time.Time, got any, err error) bool {
	t.Helper()
	signed := m.key != "" && (m.key == kids[0] || len(kids) > 1 && m.key == kids[1])
	format := signed && m.session == asSession
	iat, exp := m.adm.IssuedAt, m.adm.ExpiresAt
	var want any = m.adm
	if asSession {
		iat, exp, want = m.ses.IssuedAt, m.ses.ExpiresAt, m.ses
	}
	switch {
	case format && !now.Before(iat) && now.Before(exp):
		return assert.NoError(t, err, "%s at %v", m.tok, now) && assert.Equal(t, want, got)
	case format && !now.Before(exp):
		return assert.ErrorIs(t, err, token.ErrExpired, "%s at %v", m.tok, now)
	default:
		return assert.ErrorIs(t, err, token.ErrInvalid) &&
			assert.False(t, errors.Is(err, token.ErrExpired), "%v", err)
	}
}

// TestCacheRotation: a token cached under one keyring is still refused by
// a keyring without its key, and accepted by one that has it.
func TestCacheRotation(t *testing.T) {
	k1, k2 := testKey("k1"), testKey("k2")
	old, rotated := mustRing(t, k1), mustRing(t, k2, k1)
	c := token.NewCache(64)
	tok, _, err := token.Issuer{Keys: rotated, Now: at(t0)}.Admission(1, time.Hour) // signed by k2
	require.NoError(t, err)
	_, err = token.Verifier{Keys: rotated, Now: at(t0), Cache: c}.Admission(tok)
	require.NoError(t, err)
	require.Equal(t, 1, c.Len())
	_, err = token.Verifier{Keys: old, Now: at(t0), Cache: c}.Admission(tok)
	assert.ErrorIs(t, err, token.ErrInvalid, "k2 is unknown to the old keyring")
	_, err = token.Verifier{Keys: mustRing(t, k2), Now: at(t0), Cache: c}.Admission(tok)
	assert.NoError(t, err, "another keyring with k2")
}

// TestConfigVerifiers: FromEnv's Config shares one cache between both
// formats' Verifiers.
func TestConfigVerifiers(t *testing.T) {
	cfg, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	require.NotNil(t, cfg.Cache)
	adm, _, err := token.Issuer{Keys: cfg.Admission}.Admission(3, time.Minute)
	require.NoError(t, err)
	ses, _, err := token.Issuer{Keys: cfg.Session}.Session(3, "2026000003", time.Minute)
	require.NoError(t, err)
	for range 2 {
		_, err = cfg.AdmissionVerifier(nil).Admission(adm)
		require.NoError(t, err)
		_, err = cfg.SessionVerifier(nil).Session(ses)
		require.NoError(t, err)
		_, err = cfg.SessionVerifier(nil).Session(adm)
		require.ErrorIs(t, err, token.ErrInvalid)
		_, err = cfg.AdmissionVerifier(nil).Admission(ses)
		require.ErrorIs(t, err, token.ErrInvalid)
	}
	assert.Equal(t, 2, cfg.Cache.Len())
}
