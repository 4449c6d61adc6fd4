package token_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/token"
)

func TestAdmissionRoundTrip(t *testing.T) {
	keys := mustRing(t, testKey("a1"))
	// Half a second past t0: iat and exp must both drop the fraction.
	iss := token.Issuer{Keys: keys, Now: at(t0.Add(500 * time.Millisecond))}
	ver := token.Verifier{Keys: keys, Now: at(t0.Add(time.Minute))}

	tok, adm, err := iss.Admission(42, 600*time.Second)
	require.NoError(t, err)
	assert.Equal(t, int64(42), adm.StudentID)
	assert.Equal(t, t0, adm.IssuedAt)
	assert.Equal(t, t0.Add(600*time.Second), adm.ExpiresAt)
	assert.Equal(t, time.UTC, adm.ExpiresAt.Location())
	assert.Len(t, adm.ID, 22, "128 bits in unpadded base64url")

	got, err := ver.Admission(tok)
	require.NoError(t, err)
	assert.Equal(t, adm, got)

	t.Run("Payload", func(t *testing.T) {
		p := segment(t, tok, 1)
		assert.Equal(t, "classmate-gate", p["iss"])
		assert.Equal(t, "classmate-core", p["aud"], "aud must be a JSON string, not an array")
		assert.Equal(t, "42", p["sub"], "sub must be the id as a decimal string")
		assert.Equal(t, adm.ID, p["jti"])
		assert.Equal(t, float64(t0.Unix()), p["iat"])
		assert.Equal(t, float64(adm.ExpiresAt.Unix()), p["exp"])
		assert.NotContains(t, p, "sno")
		assert.Len(t, p, 6)

		h := segment(t, tok, 0)
		assert.Equal(t, "HS256", h["alg"])
		assert.Equal(t, "a1", h["kid"])
	})
}

func TestSessionRoundTrip(t *testing.T) {
	keys := mustRing(t, testKey("s1"))
	iss := token.Issuer{Keys: keys, Now: at(t0.Add(999 * time.Millisecond))}
	ver := token.Verifier{Keys: keys, Now: at(t0.Add(time.Hour))}

	tok, ses, err := iss.Session(7, "2026000007", 12*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, token.Session{
		StudentID: 7,
		StudentNo: "2026000007",
		ID:        ses.ID,
		IssuedAt:  t0,
		ExpiresAt: t0.Add(12 * time.Hour),
	}, ses)

	got, err := ver.Session(tok)
	require.NoError(t, err)
	assert.Equal(t, ses, got)

	p := segment(t, tok, 1)
	assert.Equal(t, "classmate-core", p["iss"])
	assert.Equal(t, "classmate-session", p["aud"])
	assert.Equal(t, "7", p["sub"])
	assert.Equal(t, "2026000007", p["sno"])
}

func TestIssuerDefaultsToTimeNow(t *testing.T) {
	keys := mustRing(t, testKey("a1"))
	before := time.Now().Truncate(time.Second)
	tok, adm, err := token.Issuer{Keys: keys}.Admission(1, time.Minute)
	require.NoError(t, err)
	assert.False(t, adm.IssuedAt.Before(before))
	assert.Equal(t, time.Minute, adm.ExpiresAt.Sub(adm.IssuedAt))
	_, err = token.Verifier{Keys: keys}.Admission(tok)
	assert.NoError(t, err)
}

func TestIssuerErrors(t *testing.T) {
	keys := mustRing(t, testKey("a1"))
	tests := []struct {
		name string
		mint func() error
	}{
		{"NilKeyring", func() error { _, _, err := token.Issuer{}.Admission(1, time.Minute); return err }},
		{"EmptyKeyring", func() error {
			_, _, err := token.Issuer{Keys: &token.Keyring{}}.Admission(1, time.Minute)
			return err
		}},
		{"ZeroStudent", func() error { _, _, err := token.Issuer{Keys: keys}.Admission(0, time.Minute); return err }},
		{"NegativeStudent", func() error { _, _, err := token.Issuer{Keys: keys}.Admission(-5, time.Minute); return err }},
		{"ZeroTTL", func() error { _, _, err := token.Issuer{Keys: keys}.Admission(1, 0); return err }},
		{"SubSecondTTL", func() error { _, _, err := token.Issuer{Keys: keys}.Admission(1, time.Second/2); return err }},
		{"ShortStudentNo", func() error {
			_, _, err := token.Issuer{Keys: keys}.Session(1, "202600001", time.Hour)
			return err
		}},
		{"LetterStudentNo", func() error {
			_, _, err := token.Issuer{Keys: keys}.Session(1, "20260000a1", time.Hour)
			return err
		}},
		{"SessionZeroStudent", func() error {
			_, _, err := token.Issuer{Keys: keys}.Session(0, "2026000001", time.Hour)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, tt.mint())
		})
	}
}

func TestUniqueJTI(t *testing.T) {
	iss := token.Issuer{Keys: mustRing(t, testKey("a1")), Now: at(t0)}
	seen := make(map[string]bool)
	for range 1000 {
		_, adm, err := iss.Admission(1, time.Minute)
		require.NoError(t, err)
		require.False(t, seen[adm.ID], "jti repeated")
		seen[adm.ID] = true
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := testKey("2026-01"), testKey("2026-02")
	before := mustRing(t, oldKey)
	during := mustRing(t, newKey, oldKey) // new key in front, old one kept
	after := mustRing(t, newKey)          // old key dropped

	now := at(t0)
	oldTok, _, err := token.Issuer{Keys: before, Now: now}.Admission(1, time.Hour)
	require.NoError(t, err)
	newTok, _, err := token.Issuer{Keys: during, Now: now}.Admission(1, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, "2026-02", segment(t, newTok, 0)["kid"], "the first key signs")

	tests := []struct {
		name  string
		keys  *token.Keyring
		tok   string
		valid bool
	}{
		{"OldTokenBeforeRotation", before, oldTok, true},
		{"OldTokenDuringRotation", during, oldTok, true},
		{"NewTokenDuringRotation", during, newTok, true},
		{"NewTokenAfterRotation", after, newTok, true},
		{"OldTokenAfterOldKeyRemoved", after, oldTok, false},
		{"NewTokenOnVerifierNotYetRotated", before, newTok, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := token.Verifier{Keys: tt.keys, Now: now}.Admission(tt.tok)
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, token.ErrInvalid)
			}
		})
	}
}

func TestRevokedKey(t *testing.T) {
	assert.Equal(t, "classmate:revoked:{abc-DEF_123}", token.RevokedKey("abc-DEF_123"))
}

func TestErrExpiredIsErrInvalid(t *testing.T) {
	assert.True(t, errors.Is(token.ErrExpired, token.ErrInvalid))
	assert.False(t, errors.Is(token.ErrInvalid, token.ErrExpired))
}

// TestConcurrentUse shares one Issuer and one Verifier between goroutines;
// run it with -race.
func TestConcurrentUse(t *testing.T) {
	keys := mustRing(t, testKey("a2"), testKey("a1"))
	iss := token.Issuer{Keys: keys, Now: at(t0)}
	ver := token.Verifier{Keys: keys, Now: at(t0.Add(time.Second)), Leeway: time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, 16*50)
	for g := range 16 {
		wg.Go(func() {
			for n := range 50 {
				id := int64(g*1000 + n + 1)
				tok, _, err := iss.Admission(id, time.Minute)
				if err == nil {
					var adm token.Admission
					adm, err = ver.Admission(tok)
					if err == nil && adm.StudentID != id {
						err = errors.New("wrong student")
					}
				}
				if err == nil {
					var stok string
					stok, _, err = iss.Session(id, "2026000001", time.Hour)
					if err == nil {
						_, err = ver.Session(stok)
					}
				}
				if err != nil {
					errs <- err
				}
				_ = keys.String()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
