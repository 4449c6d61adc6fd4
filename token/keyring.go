package token

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLen is the shortest secret a Key may hold, in bytes: HS256 keys
// shorter than the hash output (32 bytes) weaken the MAC.
const MinSecretLen = 32

// maxKIDLen is the longest key id ParseKeyring and NewKeyring accept.
const maxKIDLen = 32

// Key is one HMAC-SHA256 signing key. ID travels in the token header as
// "kid" so a verifier picks the right secret during a rotation; it is 1–32
// characters of [A-Za-z0-9._-]. Secret is at least MinSecretLen bytes of
// random data.
type Key struct {
	ID     string
	Secret []byte
}

// Keyring is an ordered, immutable set of keys: the first key signs, every
// key verifies. To rotate, put the new key in front and keep the old one
// until the last token it signed has expired, then drop it.
//
// A Keyring is built by NewKeyring or ParseKeyring, which copy the secrets,
// and is safe for concurrent use. Its String method prints the key ids only,
// never the secrets, so a Keyring may be logged.
type Keyring struct {
	keys []Key             // keys[0] signs
	byID map[string][]byte // kid → secret
}

// NewKeyring returns a Keyring of keys, the first of which signs. It needs at
// least one key, rejects invalid ids, secrets shorter than MinSecretLen and
// duplicate ids, and copies each secret, so the caller may reuse keys.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("token: keyring needs at least one key")
	}
	k := &Keyring{
		keys: make([]Key, 0, len(keys)),
		byID: make(map[string][]byte, len(keys)),
	}
	for i, key := range keys {
		if !validKID(key.ID) {
			return nil, fmt.Errorf("token: key %d: kid %q must be 1-%d characters of [A-Za-z0-9._-]", i+1, key.ID, maxKIDLen)
		}
		if len(key.Secret) < MinSecretLen {
			return nil, fmt.Errorf("token: key %q: secret is %d bytes, need at least %d", key.ID, len(key.Secret), MinSecretLen)
		}
		if _, dup := k.byID[key.ID]; dup {
			return nil, fmt.Errorf("token: key %q: duplicate kid", key.ID)
		}
		secret := append([]byte(nil), key.Secret...)
		k.keys = append(k.keys, Key{ID: key.ID, Secret: secret})
		k.byID[key.ID] = secret
	}
	return k, nil
}

// ParseKeyring parses a keyring from its configuration form,
// "kid1:SECRET1,kid2:SECRET2", where each SECRET is base64 of at least
// MinSecretLen bytes, standard or URL alphabet, padded or not. Blanks around
// entries are ignored. The first key signs. An empty string is an error.
// Error messages name the key id, never the secret.
func ParseKeyring(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("token: empty keyring")
	}
	entries := strings.Split(s, ",")
	keys := make([]Key, 0, len(entries))
	for i, entry := range entries {
		entry = strings.TrimSpace(entry)
		kid, b64, ok := strings.Cut(entry, ":")
		if !ok || kid == "" || b64 == "" {
			return nil, fmt.Errorf("token: keyring entry %d: want kid:base64secret", i+1)
		}
		if !validKID(kid) {
			return nil, fmt.Errorf("token: keyring entry %d: kid must be 1-%d characters of [A-Za-z0-9._-]", i+1, maxKIDLen)
		}
		secret, err := decodeSecret(b64)
		if err != nil {
			return nil, fmt.Errorf("token: key %q: secret is not base64", kid)
		}
		keys = append(keys, Key{ID: kid, Secret: secret})
	}
	return NewKeyring(keys...)
}

// decodeSecret decodes standard or URL base64, padded or raw. No string is
// valid in two of these encodings with different results, so the first
// success is the answer.
func decodeSecret(s string) ([]byte, error) {
	var err error
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding,
		base64.URLEncoding, base64.RawURLEncoding,
	} {
		var b []byte
		if b, err = enc.Strict().DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

// validKID reports whether id is 1–32 characters of [A-Za-z0-9._-].
func validKID(id string) bool {
	if len(id) == 0 || len(id) > maxKIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isKIDByte(id[i]) {
			return false
		}
	}
	return true
}

func isKIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}

// IDs returns the key ids in order, the signing key first. The slice is the
// caller's.
func (k *Keyring) IDs() []string {
	if k == nil {
		return nil
	}
	ids := make([]string, len(k.keys))
	for i, key := range k.keys {
		ids[i] = key.ID
	}
	return ids
}

// String returns the key ids separated by commas, without secrets, for logs.
func (k *Keyring) String() string {
	return strings.Join(k.IDs(), ",")
}

// signer returns the signing key, or an error for a nil or empty Keyring.
func (k *Keyring) signer() (Key, error) {
	if k == nil || len(k.keys) == 0 {
		return Key{}, errors.New("token: no signing key")
	}
	return k.keys[0], nil
}

// hasSecret reports whether any key of k has secret s.
func (k *Keyring) hasSecret(s []byte) bool {
	if k == nil {
		return false
	}
	for _, key := range k.keys {
		if string(key.Secret) == string(s) {
			return true
		}
	}
	return false
}

// Errors the key lookup returns; they end up wrapped in ErrInvalid.
var (
	errAlg        = errors.New("signing method is not HS256")
	errMissingKID = errors.New("header has no kid")
	errUnknownKID = errors.New("unknown kid")
)

// keyfunc is the jwt.Keyfunc of k: it accepts HS256 only and returns the
// secret named by the header's kid.
func (k *Keyring) keyfunc(t *jwt.Token) (any, error) {
	if t.Method != jwt.SigningMethodHS256 {
		return nil, errAlg
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errMissingKID
	}
	if k == nil {
		return nil, errUnknownKID
	}
	secret, ok := k.byID[kid]
	if !ok {
		return nil, errUnknownKID
	}
	return secret, nil
}
