package token_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/token"
)

func TestParseKeyring(t *testing.T) {
	secret := bytes.Repeat([]byte{0xfb, 0xff, 0x3e}, 11) // 33 bytes, uses +/ and -_
	std := base64.StdEncoding.EncodeToString(secret)
	rawURL := base64.RawURLEncoding.EncodeToString(secret)
	short := base64.StdEncoding.EncodeToString(secret[:31])
	require.Contains(t, std, "+")
	require.Contains(t, rawURL, "-")

	tests := []struct {
		name string
		in   string
		ids  []string // nil: an error is expected
	}{
		{"OK", "k1:" + std, []string{"k1"}},
		{"RawURL", "k1:" + rawURL, []string{"k1"}},
		{"RawStd", "k1:" + strings.TrimRight(base64.StdEncoding.EncodeToString(secret[:32]), "="), []string{"k1"}},
		{"PaddedURL", "k1:" + base64.URLEncoding.EncodeToString(secret[:32]), []string{"k1"}},
		{"Two", "new:" + std + ",old:" + rawURL, []string{"new", "old"}},
		{"Blanks", " new:" + std + " , old:" + rawURL + " ", []string{"new", "old"}},
		{"KidAlphabet", "Ab.9_-z:" + std, []string{"Ab.9_-z"}},
		{"Kid32", strings.Repeat("k", 32) + ":" + std, []string{strings.Repeat("k", 32)}},
		{"ErrEmpty", "", nil},
		{"ErrBlank", "  ", nil},
		{"ErrNoColon", "k1" + std, nil},
		{"ErrNoKid", ":" + std, nil},
		{"ErrNoSecret", "k1:", nil},
		{"ErrBadBase64", "k1:" + std[:len(std)-2] + "!!", nil},
		{"ErrMixedAlphabets", "k1:" + std + "-", nil},
		{"ErrShortSecret", "k1:" + short, nil},
		{"ErrDuplicateKid", "k1:" + std + ",k1:" + rawURL, nil},
		{"ErrKidSpace", "k 1:" + std, nil},
		{"ErrKidSlash", "k/1:" + std, nil},
		{"ErrKidUnicode", "키:" + std, nil},
		{"ErrKid33", strings.Repeat("k", 33) + ":" + std, nil},
		{"ErrTrailingComma", "k1:" + std + ",", nil},
		{"ErrEmptyEntry", "k1:" + std + ",,k2:" + std, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := token.ParseKeyring(tt.in)
			if tt.ids == nil {
				require.Error(t, err)
				assert.Nil(t, k)
				assert.NotContains(t, err.Error(), std, "errors must not echo secrets")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ids, k.IDs())
			assert.Equal(t, strings.Join(tt.ids, ","), k.String())
		})
	}
}

func TestParseKeyringDecodesSecret(t *testing.T) {
	key := testKey("k1")
	k, err := token.ParseKeyring(formatKeyring(key))
	require.NoError(t, err)
	// The parsed secret verifies what the original key signed.
	tok, _, err := token.Issuer{Keys: mustRing(t, key), Now: at(t0)}.Admission(1, time.Minute)
	require.NoError(t, err)
	_, err = token.Verifier{Keys: k, Now: at(t0)}.Admission(tok)
	assert.NoError(t, err)
}

func TestNewKeyring(t *testing.T) {
	_, err := token.NewKeyring()
	assert.Error(t, err, "no keys")
	_, err = token.NewKeyring(token.Key{ID: "k1", Secret: make([]byte, 31)})
	assert.Error(t, err, "short secret")
	_, err = token.NewKeyring(testKey("k1"), testKey("k1"))
	assert.Error(t, err, "duplicate")
	_, err = token.NewKeyring(token.Key{ID: "", Secret: make([]byte, 32)})
	assert.Error(t, err, "empty kid")

	// The Keyring copies the secrets: changing the caller's slice later
	// changes nothing.
	key := testKey("k1")
	secret := append([]byte(nil), key.Secret...)
	k, err := token.NewKeyring(token.Key{ID: "k1", Secret: secret})
	require.NoError(t, err)
	tok, _, err := token.Issuer{Keys: k, Now: at(t0)}.Admission(1, time.Minute)
	require.NoError(t, err)
	secret[0] ^= 0xff
	_, err = token.Verifier{Keys: mustRing(t, key), Now: at(t0)}.Admission(tok)
	assert.NoError(t, err)
	assert.NotContains(t, k.String(), string(key.Secret))
}

func TestDevelopmentKeys(t *testing.T) {
	// The documented derivation of the published constants.
	for _, tt := range []struct{ keys, kid, phrase string }{
		{token.DevelopmentSessionKeys, "dev-session", "classmate development session key v1"},
		{token.DevelopmentAdmissionKeys, "dev-admission", "classmate development admission key v1"},
	} {
		sum := sha256.Sum256([]byte(tt.phrase))
		assert.Equal(t, tt.kid+":"+base64.RawURLEncoding.EncodeToString(sum[:]), tt.keys)
	}
}

func TestFromEnv(t *testing.T) {
	prodSession := formatKeyring(testKey("s2"), testKey("s1"))
	prodAdmission := formatKeyring(testKey("a1"))
	tests := []struct {
		name          string
		env           map[string]string
		dev           bool
		session       []string // key ids; nil: an error is expected
		admission     []string
		errMentioning string
	}{
		{"DevDefaults", nil, true, []string{"dev-session"}, []string{"dev-admission"}, ""},
		{"DevExplicit", map[string]string{
			"CLASSMATE_SESSION_KEYS": prodSession, "CLASSMATE_ADMISSION_KEYS": prodAdmission,
		}, true, []string{"s2", "s1"}, []string{"a1"}, ""},
		{"DevOneDefault", map[string]string{"CLASSMATE_ADMISSION_KEYS": prodAdmission},
			true, []string{"dev-session"}, []string{"a1"}, ""},
		{"Prod", map[string]string{
			"CLASSMATE_SESSION_KEYS": prodSession, "CLASSMATE_ADMISSION_KEYS": prodAdmission,
		}, false, []string{"s2", "s1"}, []string{"a1"}, ""},
		{"ProdMissingSession", map[string]string{"CLASSMATE_ADMISSION_KEYS": prodAdmission},
			false, nil, nil, "CLASSMATE_SESSION_KEYS"},
		{"ProdMissingAdmission", map[string]string{"CLASSMATE_SESSION_KEYS": prodSession},
			false, nil, nil, "CLASSMATE_ADMISSION_KEYS"},
		{"ProdMissingBoth", nil, false, nil, nil, "CLASSMATE_SESSION_KEYS"},
		{"ProdDevelopmentSecret", map[string]string{
			"CLASSMATE_SESSION_KEYS":   prodSession,
			"CLASSMATE_ADMISSION_KEYS": "a2:" + strings.SplitN(token.DevelopmentAdmissionKeys, ":", 2)[1],
		}, false, nil, nil, "development"},
		{"ProdDevelopmentKeyring", map[string]string{
			"CLASSMATE_SESSION_KEYS": token.DevelopmentSessionKeys, "CLASSMATE_ADMISSION_KEYS": prodAdmission,
		}, false, nil, nil, "CLASSMATE_SESSION_KEYS"},
		{"Malformed", map[string]string{
			"CLASSMATE_SESSION_KEYS": "nope", "CLASSMATE_ADMISSION_KEYS": prodAdmission,
		}, true, nil, nil, "CLASSMATE_SESSION_KEYS"},
		{"SharedSecret", map[string]string{
			"CLASSMATE_SESSION_KEYS":   prodSession,
			"CLASSMATE_ADMISSION_KEYS": formatKeyring(token.Key{ID: "a1", Secret: testKey("s1").Secret}),
		}, false, nil, nil, "share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cfg, err := token.FromEnv(getenv, tt.dev)
			if tt.session == nil {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.errMentioning)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.session, cfg.Session.IDs())
			assert.Equal(t, tt.admission, cfg.Admission.IDs())
		})
	}
}

// TestFromEnvDevelopmentUsable shows other packages' tests can mint and
// verify with the development configuration.
func TestFromEnvDevelopmentUsable(t *testing.T) {
	cfg, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	tok, _, err := token.Issuer{Keys: cfg.Admission}.Admission(3, time.Minute)
	require.NoError(t, err)
	adm, err := token.Verifier{Keys: cfg.Admission}.Admission(tok)
	require.NoError(t, err)
	assert.Equal(t, int64(3), adm.StudentID)
	assert.Equal(t, "dev-admission", segment(t, tok, 0)["kid"])
}
