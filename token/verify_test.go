package token_test

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/token"
)

// TestVerifyAdmissionRejects feeds the admission verifier everything it must
// refuse. Every case fails with ErrInvalid; wantExpired marks the cases that
// must also match ErrExpired.
func TestVerifyAdmissionRejects(t *testing.T) {
	key, other := testKey("a1"), testKey("a0")
	hs := jwt.SigningMethodHS256
	ok := func(c jwt.MapClaims) string { return sign(t, hs, key.Secret, key.ID, c) }
	ac := admissionClaims()
	valid := ok(ac)
	validParts := strings.Split(valid, ".")
	session := sign(t, hs, key.Secret, key.ID, sessionClaims())
	sessionParts := strings.Split(session, ".")
	random := make([]byte, 300)
	_, _ = rand.Read(random)

	tests := []struct {
		name        string
		tok         string
		wantExpired bool
	}{
		// Signature and header.
		{"ForgedSignature", sign(t, hs, other.Secret, key.ID, ac), false},
		{"TamperedPayload", validParts[0] + "." + base64.RawURLEncoding.EncodeToString(
			[]byte(`{"iss":"classmate-gate","aud":"classmate-core","sub":"1","jti":"x","iat":1,"exp":9999999999}`)) +
			"." + validParts[2], false},
		{"SignatureOfAnotherToken", validParts[0] + "." + validParts[1] + "." + sessionParts[2], false},
		{"AlgNone", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, key.ID, ac), false},
		{"AlgNoneWithSignature", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, key.ID, ac) + validParts[2], false},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey(), key.ID, ac), false},
		{"HS512WithRightSecret", sign(t, jwt.SigningMethodHS512, key.Secret, key.ID, ac), false},
		{"HS384WithRightSecret", sign(t, jwt.SigningMethodHS384, key.Secret, key.ID, ac), false},
		{"UnknownKid", sign(t, hs, key.Secret, "a9", ac), false},
		{"MissingKid", sign(t, hs, key.Secret, nil, ac), false},
		{"EmptyKid", sign(t, hs, key.Secret, "", ac), false},
		{"NumericKid", sign(t, hs, key.Secret, 1, ac), false},
		// Kind of token.
		{"WrongIssuer", ok(with(ac, "iss", "classmate-core")), false},
		{"WrongAudience", ok(with(ac, "aud", "classmate-session")), false},
		{"AudienceArray", ok(with(ac, "aud", []string{"classmate-core"})), false},
		{"AudienceArrayOfTwo", ok(with(ac, "aud", []string{"classmate-core", "x"})), false},
		{"SessionTokenSameKey", session, false},
		{"ExpiredSessionToken", sign(t, hs, key.Secret, key.ID, with(sessionClaims(),
			"exp", t0.Add(30*time.Second).Unix())), false},
		// Time.
		{"Expired", ok(with(ac, "exp", t0.Add(30*time.Second).Unix())), true},
		{"ExpiresNow", ok(with(ac, "exp", t0.Add(time.Minute).Unix())), true},
		{"IssuedInFuture", ok(with(ac, "iat", t0.Add(2*time.Minute).Unix(),
			"exp", t0.Add(20*time.Minute).Unix())), false},
		{"ExpBeforeIat", ok(with(ac, "iat", t0.Add(30*time.Second).Unix(), "exp", t0.Unix()+1)), false},
		{"ExpiredAndExpBeforeIat", ok(with(ac, "iat", t0.Unix(), "exp", t0.Unix()-10)), false},
		// Required claims.
		{"MissingExp", ok(with(ac, "exp", nil)), false},
		{"MissingIat", ok(with(ac, "iat", nil)), false},
		{"MissingSub", ok(with(ac, "sub", nil)), false},
		{"MissingJTI", ok(with(ac, "jti", nil)), false},
		{"MissingIss", ok(with(ac, "iss", nil)), false},
		{"MissingAud", ok(with(ac, "aud", nil)), false},
		{"EmptyJTI", ok(with(ac, "jti", "")), false},
		{"JTIWithBraces", ok(with(ac, "jti", "a}{b")), false},
		{"JTITooLong", ok(with(ac, "jti", strings.Repeat("j", 65))), false},
		// Subject.
		{"SubNotNumeric", ok(with(ac, "sub", "abc")), false},
		{"SubNegative", ok(with(ac, "sub", "-42")), false},
		{"SubPlus", ok(with(ac, "sub", "+42")), false},
		{"SubZero", ok(with(ac, "sub", "0")), false},
		{"SubLeadingZero", ok(with(ac, "sub", "042")), false},
		{"SubSpace", ok(with(ac, "sub", " 42")), false},
		{"SubOverflow", ok(with(ac, "sub", "9223372036854775808")), false},
		{"SubAsNumber", ok(with(ac, "sub", 42)), false},
		{"SubStudentNo", ok(with(ac, "sub", "2026000042x")), false},
		// Shape.
		{"Oversized", ok(with(ac, "pad", strings.Repeat("x", token.MaxLen))), false},
		{"Empty", "", false},
		{"ABC", "a.b.c", false},
		{"Dots", "...", false},
		{"TwoParts", validParts[0] + "." + validParts[1], false},
		{"FourParts", valid + "." + validParts[2], false},
		{"EmptySignature", validParts[0] + "." + validParts[1] + ".", false},
		{"TrailingNewline", valid + "\n", false},
		{"NewlineInSignature", valid[:len(valid)-4] + "\r\n" + valid[len(valid)-4:], false},
		{"LeadingSpace", " " + valid, false},
		{"PaddedSignature", valid + "=", false},
		{"StdAlphabetChar", valid[:len(valid)-1] + "+", false},
		{"Truncated", valid[:len(valid)-1], false},
		{"SwappedHeaderAndPayload", validParts[1] + "." + validParts[0] + "." + validParts[2], false},
		{"RandomBase64", base64.RawURLEncoding.EncodeToString(random), false},
		{"RandomBase64Parts", base64.RawURLEncoding.EncodeToString(random[:100]) + "." +
			base64.RawURLEncoding.EncodeToString(random[100:200]) + "." +
			base64.RawURLEncoding.EncodeToString(random[200:]), false},
		{"Bearer", "Bearer " + valid, false},
	}

	// The cached Verifier holds the valid token (and the session token as
	// the other format) before it sees the rest.
	for name, ver := range verifiers(mustRing(t, key), at(t0.Add(time.Minute))) {
		t.Run(name, func(t *testing.T) {
			_, err := ver.Admission(valid)
			require.NoError(t, err, "the unmodified claims must verify")
			_, _ = ver.Session(session)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					adm, err := ver.Admission(tt.tok)
					require.ErrorIs(t, err, token.ErrInvalid)
					assert.Equal(t, tt.wantExpired, errors.Is(err, token.ErrExpired), "ErrExpired: %v", err)
					assert.Zero(t, adm)
				})
			}
		})
	}
}

// verifiers returns an uncached and a cached Verifier of keys on now.
func verifiers(keys *token.Keyring, now func() time.Time) map[string]token.Verifier {
	return map[string]token.Verifier{
		"Uncached": {Keys: keys, Now: now},
		"Cached":   {Keys: keys, Now: now, Cache: token.NewCache(64)},
	}
}

func TestVerifySessionRejects(t *testing.T) {
	key := testKey("s1")
	hs := jwt.SigningMethodHS256
	sc := sessionClaims()
	tests := []struct {
		name string
		c    jwt.MapClaims
	}{
		{"AdmissionClaims", admissionClaims()},
		{"MissingSno", with(sc, "sno", nil)},
		{"ShortSno", with(sc, "sno", "202600004")},
		{"LetterSno", with(sc, "sno", "202600004x")},
		{"SnoAsNumber", with(sc, "sno", 2026000042)},
		{"WrongIssuer", with(sc, "iss", "classmate-gate")},
		{"WrongAudience", with(sc, "aud", "classmate-core")},
		{"AudienceArray", with(sc, "aud", []string{"classmate-session"})},
	}
	for name, ver := range verifiers(mustRing(t, key), at(t0.Add(time.Minute))) {
		t.Run(name, func(t *testing.T) {
			_, err := ver.Session(sign(t, hs, key.Secret, key.ID, sc))
			require.NoError(t, err, "the unmodified claims must verify")
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					tok := sign(t, hs, key.Secret, key.ID, tt.c)
					_, _ = ver.Admission(tok) // cached when it is a valid admission
					ses, err := ver.Session(tok)
					assert.ErrorIs(t, err, token.ErrInvalid)
					assert.Zero(t, ses)
				})
			}
		})
	}
}

// TestTokensDoNotCross mints each kind with the real Issuer and presents it
// as the other, once with one shared keyring and once with separate ones.
func TestTokensDoNotCross(t *testing.T) {
	shared := mustRing(t, testKey("k1"))
	separate := token.Config{Session: mustRing(t, testKey("s1")), Admission: mustRing(t, testKey("a1"))}
	for _, cfg := range []struct {
		name string
		token.Config
	}{
		{"SharedKeyring", token.Config{Session: shared, Admission: shared}},
		{"SeparateKeyrings", separate},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			adm, _, err := token.Issuer{Keys: cfg.Admission, Now: at(t0)}.Admission(1, time.Hour)
			require.NoError(t, err)
			ses, _, err := token.Issuer{Keys: cfg.Session, Now: at(t0)}.Session(1, "2026000001", time.Hour)
			require.NoError(t, err)

			// Twice, sharing a cache: the second round meets both tokens
			// cached.
			c := token.NewCache(64)
			admVer := token.Verifier{Keys: cfg.Admission, Now: at(t0), Cache: c}
			sesVer := token.Verifier{Keys: cfg.Session, Now: at(t0), Cache: c}
			for range 2 {
				_, err = admVer.Admission(ses)
				assert.ErrorIs(t, err, token.ErrInvalid, "session as admission")
				_, err = sesVer.Session(adm)
				assert.ErrorIs(t, err, token.ErrInvalid, "admission as session")
				_, err = admVer.Admission(adm)
				assert.NoError(t, err)
				_, err = sesVer.Session(ses)
				assert.NoError(t, err)
			}
			assert.Equal(t, 2, c.Len())
		})
	}
}

func TestVerifyLeeway(t *testing.T) {
	key := testKey("a1")
	keys := mustRing(t, key)
	ac := admissionClaims()
	exp := t0.Add(10 * time.Minute)
	future := sign(t, jwt.SigningMethodHS256, key.Secret, key.ID, with(ac, "iat", t0.Add(5*time.Second).Unix()))
	current := sign(t, jwt.SigningMethodHS256, key.Secret, key.ID, ac)

	tests := []struct {
		name   string
		tok    string
		now    time.Time
		leeway time.Duration
		err    error
	}{
		{"JustBeforeExp", current, exp.Add(-time.Nanosecond), 0, nil},
		{"AtExp", current, exp, 0, token.ErrExpired},
		{"AfterExpWithinLeeway", current, exp.Add(4 * time.Second), 5 * time.Second, nil},
		{"AfterExpBeyondLeeway", current, exp.Add(5 * time.Second), 5 * time.Second, token.ErrExpired},
		{"NegativeLeewayIsZero", current, exp.Add(-time.Second), -time.Hour, nil},
		{"IatInFutureWithinLeeway", future, t0, 10 * time.Second, nil},
		{"IatInFutureNoLeeway", future, t0, 0, token.ErrInvalid},
		{"IatNow", current, t0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Uncached, then from a cache that took the token while it was
			// valid.
			c := token.NewCache(64)
			_, err := token.Verifier{Keys: keys, Now: at(t0.Add(5 * time.Second)), Cache: c}.Admission(tt.tok)
			require.NoError(t, err)
			for _, cache := range []*token.Cache{nil, c} {
				_, err := token.Verifier{Keys: keys, Now: at(tt.now), Leeway: tt.leeway, Cache: cache}.Admission(tt.tok)
				if tt.err == nil {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, tt.err)
					assert.Equal(t, errors.Is(tt.err, token.ErrExpired), errors.Is(err, token.ErrExpired))
				}
			}
		})
	}
}

func TestVerifyNilKeyring(t *testing.T) {
	tok, _, err := token.Issuer{Keys: mustRing(t, testKey("a1"))}.Admission(1, time.Minute)
	require.NoError(t, err)
	_, err = token.Verifier{}.Admission(tok)
	assert.ErrorIs(t, err, token.ErrInvalid)
	_, err = token.Verifier{Keys: &token.Keyring{}}.Admission(tok)
	assert.ErrorIs(t, err, token.ErrInvalid)
}

func TestVerifyLongValidToken(t *testing.T) {
	// A token just under MaxLen is not refused for its size alone.
	key := testKey("a1")
	tok := sign(t, jwt.SigningMethodHS256, key.Secret, key.ID,
		with(admissionClaims(), "pad", strings.Repeat("x", 2800)))
	require.LessOrEqual(t, len(tok), token.MaxLen)
	require.Greater(t, len(tok), token.MaxLen-200)
	_, err := token.Verifier{Keys: mustRing(t, key), Now: at(t0)}.Admission(tok)
	assert.NoError(t, err)
}
