package token_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"classmate/token"
)

// t0 is the fixed clock of these tests; tokens are minted at t0 and verified
// a minute later.
var t0 = time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// testKey returns a deterministic key whose secret is the SHA-256 of id.
func testKey(id string) token.Key {
	s := sha256.Sum256([]byte("test secret " + id))
	return token.Key{ID: id, Secret: s[:]}
}

func mustRing(tb testing.TB, keys ...token.Key) *token.Keyring {
	tb.Helper()
	k, err := token.NewKeyring(keys...)
	require.NoError(tb, err)
	return k
}

// formatKeyring renders keys in the form ParseKeyring reads.
func formatKeyring(keys ...token.Key) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret)
	}
	return strings.Join(parts, ",")
}

// sign signs c with method and key, setting the header's kid unless it is
// nil. It builds tokens the Issuer never would.
func sign(tb testing.TB, method jwt.SigningMethod, key any, kid any, c jwt.MapClaims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, c)
	if kid != nil {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	require.NoError(tb, err)
	return s
}

// admissionClaims returns valid admission claims issued at t0 for 10
// minutes, as a map the caller may change.
func admissionClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": token.AdmissionIssuer,
		"aud": token.AdmissionAudience,
		"sub": "42",
		"jti": "jti-admission-0001",
		"iat": t0.Unix(),
		"exp": t0.Add(10 * time.Minute).Unix(),
	}
}

// sessionClaims returns valid session claims issued at t0 for 12 hours.
func sessionClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": token.SessionIssuer,
		"aud": token.SessionAudience,
		"sub": "42",
		"sno": "2026000042",
		"jti": "jti-session-0001",
		"iat": t0.Unix(),
		"exp": t0.Add(12 * time.Hour).Unix(),
	}
}

// with returns a copy of c with the given claims set; a nil value deletes
// the claim.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// segment decodes part i (0 header, 1 payload) of a compact token into a map.
func segment(tb testing.TB, tok string, i int) map[string]any {
	tb.Helper()
	parts := strings.Split(tok, ".")
	require.Len(tb, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	require.NoError(tb, err)
	var m map[string]any
	require.NoError(tb, json.Unmarshal(raw, &m))
	return m
}

// rsaKey is generated once; RS256 tokens only need to be well formed.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
