// Package token defines the two signed tokens classmate uses, how they are
// minted and verified, and where a revoked one is recorded. The gate and the
// core both import it, so the formats cannot drift apart.
//
// Both tokens are compact JWTs signed with HMAC-SHA256 ("alg": "HS256") and
// carry the signing key's id in the header ("kid"). Every other algorithm,
// including "none", and every token without a known kid is refused.
//
// The admission token is minted by the gate when a student leaves the
// waiting room and is checked by the core before any enrollment write:
//
//	{"iss": "classmate-gate", "aud": "classmate-core", "sub": "42",
//	 "jti": "…", "iat": 1767258000, "exp": 1767258600}
//
// The session token is minted by the core at login and is checked by the gate
// and the core on every route that needs a student:
//
//	{"iss": "classmate-core", "aud": "classmate-session", "sub": "42",
//	 "sno": "2026000042", "jti": "…", "iat": 1767258000, "exp": 1767301200}
//
// "sub" is the student's numeric id in decimal, "sno" the 10-digit student
// number, "jti" 128 random bits in unpadded base64url, "iat" and "exp" whole
// seconds. "aud" is a single JSON string, as the HTTP contract says; a token
// whose "aud" is an array is refused even when the array holds the expected
// audience. All six registered claims are required. Because issuer and
// audience differ, a session token never passes as an admission token or the
// other way round, even if both were signed with the same key; in practice
// they are signed with separate keyrings (see Config).
//
// Keys rotate without downtime: a Keyring signs with its first key and
// verifies with all of them, picking the key by kid. Where every holder of
// the keyring is updated at once, put the new key in front and drop the old
// one once the longest-lived token it signed has expired. During a rolling
// deploy, first append the new key everywhere ("old,new"), then move it to
// the front ("new,old"), then drop the old one, so no instance ever meets a
// kid it does not know yet.
//
// An admission token ends early when the student leaves the room: the gate
// stores RevokedKey(jti) in Redis with a TTL until the token's exp, and the
// core refuses a token whose key exists. Signature and claims checks alone
// (Verifier) do not see revocations.
//
// Both services verify the same tokens over and over (a session token on
// every poll and search, an admission token on every enrollment), so a
// Verifier may keep the tokens it accepted in a bounded Cache; a cached
// token's times are still checked on every use, and a failure is never
// cached. FromEnv's Config carries one.
//
// Issuer, Verifier, Keyring, Cache and Config are safe for concurrent use
// as long as their fields are not changed after first use.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuers and audiences of the two token formats.
const (
	AdmissionIssuer   = "classmate-gate"
	AdmissionAudience = "classmate-core"
	SessionIssuer     = "classmate-core"
	SessionAudience   = "classmate-session"
)

// MaxLen is the longest token, in bytes, a Verifier will look at; longer
// strings are refused before any decoding. Real tokens are under 400 bytes.
const MaxLen = 4096

// ErrInvalid matches, under errors.Is, every error a Verifier returns: the
// token is malformed, forged, of the wrong kind, signed by an unknown key,
// missing a claim, or expired. The wrapped cause says which, for logs only;
// clients should be told no more than "invalid token".
var ErrInvalid = errors.New("token: invalid")

// ErrExpired matches, under errors.Is, the error for a token that is
// correctly signed and otherwise valid but whose exp has passed (beyond the
// leeway). Every error that matches ErrExpired also matches ErrInvalid.
var ErrExpired = fmt.Errorf("%w: expired", ErrInvalid)

// Admission is the content of a verified or freshly minted admission token.
type Admission struct {
	StudentID int64     // "sub": the student's id
	ID        string    // "jti": unique per token; the revocation key
	IssuedAt  time.Time // "iat", whole seconds, UTC
	ExpiresAt time.Time // "exp", whole seconds, UTC
}

// Session is the content of a verified or freshly minted session token.
type Session struct {
	StudentID int64     // "sub": the student's id
	StudentNo string    // "sno": the 10-digit student number
	ID        string    // "jti": unique per token
	IssuedAt  time.Time // "iat", whole seconds, UTC
	ExpiresAt time.Time // "exp", whole seconds, UTC
}

// RevokedKey returns the Redis key that marks the admission token with
// identifier jti as revoked: "classmate:revoked:{" + jti + "}". The gate sets
// it (any value) with a TTL until the token's exp when the student leaves the
// room; the core refuses an admission token while the key exists. The braces
// make jti the Redis Cluster hash tag. A Verifier only accepts a jti of
// [A-Za-z0-9._-], so the key never holds a second pair of braces.
func RevokedKey(jti string) string {
	return "classmate:revoked:{" + jti + "}"
}

// claims is the JSON payload of both formats. Audience is a plain string so
// it is marshalled as one and an array fails to unmarshal.
type claims struct {
	Issuer    string           `json:"iss"`
	Audience  string           `json:"aud"`
	Subject   string           `json:"sub"`
	StudentNo string           `json:"sno,omitempty"`
	ID        string           `json:"jti"`
	IssuedAt  *jwt.NumericDate `json:"iat"`
	ExpiresAt *jwt.NumericDate `json:"exp"`
}

var _ jwt.Claims = claims{}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.ExpiresAt, nil }
func (c claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c claims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (c claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error) {
	if c.Audience == "" {
		return nil, nil
	}
	return jwt.ClaimStrings{c.Audience}, nil
}

// Issuer mints tokens with the first key of Keys. Now, when nil, is
// time.Now. An Issuer is safe for concurrent use.
type Issuer struct {
	Keys *Keyring
	Now  func() time.Time
}

// Admission mints an admission token for the student that expires ttl after
// now, both times truncated to whole seconds, so ExpiresAt equals the
// token's exp and can be shown as the ticket's admission_expires_at. It
// returns the token and its content; ttl must be at least a second.
func (i Issuer) Admission(studentID int64, ttl time.Duration) (string, Admission, error) {
	c, err := i.claims(AdmissionIssuer, AdmissionAudience, studentID, ttl)
	if err != nil {
		return "", Admission{}, err
	}
	tok, err := i.sign(c)
	if err != nil {
		return "", Admission{}, err
	}
	return tok, Admission{
		StudentID: studentID,
		ID:        c.ID,
		IssuedAt:  c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// Session mints a session token for the student with the 10-digit student
// number studentNo that expires ttl after now, both times truncated to whole
// seconds. It returns the token and its content; ttl must be at least a
// second.
func (i Issuer) Session(studentID int64, studentNo string, ttl time.Duration) (string, Session, error) {
	if !validStudentNo(studentNo) {
		return "", Session{}, fmt.Errorf("token: student number %q is not 10 digits", studentNo)
	}
	c, err := i.claims(SessionIssuer, SessionAudience, studentID, ttl)
	if err != nil {
		return "", Session{}, err
	}
	c.StudentNo = studentNo
	tok, err := i.sign(c)
	if err != nil {
		return "", Session{}, err
	}
	return tok, Session{
		StudentID: studentID,
		StudentNo: studentNo,
		ID:        c.ID,
		IssuedAt:  c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

// claims fills the claims both formats share.
func (i Issuer) claims(iss, aud string, studentID int64, ttl time.Duration) (claims, error) {
	if studentID <= 0 {
		return claims{}, fmt.Errorf("token: student id %d is not positive", studentID)
	}
	if ttl < time.Second {
		return claims{}, fmt.Errorf("token: ttl %v is under a second", ttl)
	}
	now := time.Now
	if i.Now != nil {
		now = i.Now
	}
	iat := time.Unix(now().Unix(), 0).UTC()
	exp := iat.Add(ttl).Truncate(time.Second)
	return claims{
		Issuer:    iss,
		Audience:  aud,
		Subject:   strconv.FormatInt(studentID, 10),
		ID:        newJTI(),
		IssuedAt:  &jwt.NumericDate{Time: iat},
		ExpiresAt: &jwt.NumericDate{Time: exp},
	}, nil
}

// sign signs c with the signing key of i.Keys and names it in the header.
func (i Issuer) sign(c claims) (string, error) {
	key, err := i.Keys.signer()
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = key.ID
	s, err := t.SignedString(key.Secret)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return s, nil
}

// newJTI returns 128 random bits in unpadded base64url (22 characters).
func newJTI() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails; crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validStudentNo reports whether s is exactly 10 ASCII digits.
func validStudentNo(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
