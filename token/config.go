package token

import (
	"errors"
	"fmt"
	"time"
)

// Environment variables FromEnv reads, each holding a keyring in the form
// ParseKeyring accepts ("kid1:BASE64SECRET,kid2:BASE64SECRET").
const (
	EnvSessionKeys   = "CLASSMATE_SESSION_KEYS"
	EnvAdmissionKeys = "CLASSMATE_ADMISSION_KEYS"
)

// Development keyrings, used by FromEnv in development mode when the
// corresponding variable is empty. Each secret is the SHA-256 of a fixed
// phrase ("classmate development session key v1", "classmate development
// admission key v1"), in unpadded base64url. They are public, so FromEnv
// refuses them outside development mode. Tests of other packages may put
// them into an environment or pass them to ParseKeyring.
const (
	DevelopmentSessionKeys   = "dev-session:spdRn8cKZQaa6XQ9cB2p1gkXXb8WLuKyf1osBtN51R0"
	DevelopmentAdmissionKeys = "dev-admission:zUKrapOdewLdqUBj2DqfNryJaFq1NLeKqjayNIU7l8I"
)

// Config holds the keyrings of both token formats. The core signs with
// Session and verifies both; the gate verifies Session and signs Admission.
// Cache, shared by the Verifiers of both keyrings, spares decoding a token
// again; nil turns caching off.
type Config struct {
	Session   *Keyring
	Admission *Keyring
	Cache     *Cache
}

// SessionVerifier returns a Verifier of session tokens with c's Session
// keyring and Cache, on the clock now (nil is time.Now).
func (c Config) SessionVerifier(now func() time.Time) Verifier {
	return Verifier{Keys: c.Session, Now: now, Cache: c.Cache}
}

// AdmissionVerifier returns a Verifier of admission tokens with c's
// Admission keyring and Cache, on the clock now (nil is time.Now).
func (c Config) AdmissionVerifier(now func() time.Time) Verifier {
	return Verifier{Keys: c.Admission, Now: now, Cache: c.Cache}
}

// FromEnv reads the keyrings from EnvSessionKeys and EnvAdmissionKeys
// through getenv (os.Getenv, or a map lookup in tests). An empty variable
// means the development keyring in development mode and is an error naming
// the variable otherwise. Outside development mode it also refuses the
// development secrets. In both modes it refuses a secret shared by the two
// keyrings, so one format's key can never mint the other. The Config it
// returns has a Cache of DefaultCacheSize tokens.
func FromEnv(getenv func(string) string, development bool) (Config, error) {
	session, err := keyringFromEnv(getenv, EnvSessionKeys, DevelopmentSessionKeys, development)
	if err != nil {
		return Config{}, err
	}
	admission, err := keyringFromEnv(getenv, EnvAdmissionKeys, DevelopmentAdmissionKeys, development)
	if err != nil {
		return Config{}, err
	}
	for _, key := range admission.keys {
		if session.hasSecret(key.Secret) {
			return Config{}, fmt.Errorf("token: %s and %s share the secret of key %q; use separate keys",
				EnvSessionKeys, EnvAdmissionKeys, key.ID)
		}
	}
	return Config{Session: session, Admission: admission, Cache: NewCache(DefaultCacheSize)}, nil
}

// keyringFromEnv parses the keyring in variable name, falling back to dev in
// development mode.
func keyringFromEnv(getenv func(string) string, name, dev string, development bool) (*Keyring, error) {
	s := getenv(name)
	if s == "" {
		if !development {
			return nil, fmt.Errorf("token: %s must be set outside development mode (format kid:base64secret[,kid:base64secret], secrets of at least %d bytes)", name, MinSecretLen)
		}
		s = dev
	}
	k, err := ParseKeyring(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !development {
		for _, key := range k.keys {
			if developmentKeys.hasSecret(key.Secret) {
				return nil, fmt.Errorf("token: %s: key %q uses a public development secret", name, key.ID)
			}
		}
	}
	return k, nil
}

// developmentKeys holds both development keys, for FromEnv's production
// check.
var developmentKeys = func() *Keyring {
	s, err1 := ParseKeyring(DevelopmentSessionKeys)
	a, err2 := ParseKeyring(DevelopmentAdmissionKeys)
	if err := errors.Join(err1, err2); err != nil {
		panic(err) // the constants above are wrong
	}
	k, err := NewKeyring(append(s.keys, a.keys...)...)
	if err != nil {
		panic(err)
	}
	return k
}()
