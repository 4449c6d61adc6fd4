package token

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier checks tokens against Keys: signature (HS256, key chosen by kid),
// issuer, audience and the required claims. Now, when nil, is time.Now.
// Leeway is the clock skew tolerated on exp and iat; zero (or negative)
// tolerates none. Cache, when set, remembers the tokens the Verifier
// accepted and answers for them again without decoding them, with the same
// result (see Cache). A Verifier does not know about revocations: see
// RevokedKey. It is safe for concurrent use.
type Verifier struct {
	Keys   *Keyring
	Now    func() time.Time
	Leeway time.Duration
	Cache  *Cache
}

// Admission verifies an admission token and returns its content. Every
// error matches ErrInvalid under errors.Is, and also ErrExpired when the
// token is correctly signed and well formed but its exp has passed; the
// Admission is then the zero value.
func (v Verifier) Admission(tok string) (Admission, error) {
	e, err := v.verify(tok, AdmissionIssuer, AdmissionAudience)
	if err != nil {
		return Admission{}, err
	}
	return Admission{
		StudentID: e.sub,
		ID:        e.jti,
		IssuedAt:  seconds(e.iat),
		ExpiresAt: seconds(e.exp),
	}, nil
}

// Session verifies a session token and returns its content. Every error
// matches ErrInvalid under errors.Is, and also ErrExpired when the token is
// correctly signed and well formed but its exp has passed; the Session is
// then the zero value.
func (v Verifier) Session(tok string) (Session, error) {
	e, err := v.verify(tok, SessionIssuer, SessionAudience)
	if err != nil {
		return Session{}, err
	}
	return Session{
		StudentID: e.sub,
		StudentNo: e.sno,
		ID:        e.jti,
		IssuedAt:  seconds(e.iat),
		ExpiresAt: seconds(e.exp),
	}, nil
}

// maxJTILen bounds the jti so a revocation key stays small.
const maxJTILen = 64

// errOtherFormat is the cause given for a token the Cache holds as the other
// format; errWrongFormat, the error, is built once for this hot path.
var (
	errOtherFormat = errors.New("a verified token of the other format")
	errWrongFormat = invalid(errOtherFormat)
)

// verify checks everything both formats share and returns what the token
// says, from v.Cache when it holds the token for v.Keys and its times still
// pass.
func (v Verifier) verify(tok, iss, aud string) (cacheEntry, error) {
	// Cheap guards before any decoding. Besides bounding the work, the
	// alphabet check makes a valid token's text unique: Go's base64 decoder
	// skips CR and LF, so "…signature\n" would otherwise verify too.
	if len(tok) > MaxLen {
		return cacheEntry{}, invalid(fmt.Errorf("longer than %d bytes", MaxLen))
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	leeway := max(v.Leeway, 0)
	if v.Cache != nil {
		if e, ok := v.Cache.get(tok); ok {
			switch {
			case e.aud != aud:
				// Its claims name the other format's issuer and audience,
				// which no keyring and no clock can change.
				return cacheEntry{}, errWrongFormat
			case e.keys != v.Keys:
				// Verified with another keyring: check it in full.
			case e.timely(now(), leeway):
				return e, nil
			default:
				// Expired (or the clock went back before iat): the full
				// check below gives the error.
				v.Cache.remove(tok, v.Keys)
			}
		}
	}
	if !compactJWS(tok) {
		return cacheEntry{}, invalid(errors.New("not a compact JWS"))
	}
	var c claims
	_, err := jwt.ParseWithClaims(tok, &c, v.Keys.keyfunc,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(iss),
		jwt.WithAudience(aud),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	if err != nil {
		// ErrExpired only for a token that is fine apart from its age, so a
		// log line saying "expired" never hides a token of the wrong kind.
		if errors.Is(err, jwt.ErrTokenExpired) && c.Issuer == iss && c.Audience == aud {
			if _, rerr := checkRest(c); rerr == nil {
				return cacheEntry{}, fmt.Errorf("%w: %w", ErrExpired, err)
			}
		}
		return cacheEntry{}, invalid(err)
	}
	sub, err := checkRest(c)
	if err != nil {
		return cacheEntry{}, invalid(err)
	}
	e := cacheEntry{keys: v.Keys, aud: aud, sub: sub, sno: c.StudentNo, jti: c.ID,
		iat: c.IssuedAt.Time, exp: c.ExpiresAt.Time}
	if v.Cache != nil {
		v.Cache.put(tok, e)
	}
	return e, nil
}

// checkRest checks what the jwt validator leaves alone: that iat is present
// (the validator only checks it is not in the future), that exp comes after
// iat, sub, jti, and for a session token sno.
func checkRest(c claims) (sub int64, err error) {
	if c.IssuedAt == nil {
		return 0, errors.New("iat claim is required")
	}
	if c.ExpiresAt == nil || !c.ExpiresAt.After(c.IssuedAt.Time) {
		return 0, errors.New("exp is missing or not after iat")
	}
	sub, ok := parseSubject(c.Subject)
	if !ok {
		return 0, errors.New("sub is not a positive decimal id")
	}
	if !validJTI(c.ID) {
		return 0, errors.New("jti is missing or malformed")
	}
	if c.Audience == SessionAudience && !validStudentNo(c.StudentNo) {
		return 0, errors.New("sno is not 10 digits")
	}
	return sub, nil
}

// invalid wraps cause in ErrInvalid.
func invalid(cause error) error {
	return fmt.Errorf("%w: %w", ErrInvalid, cause)
}

// seconds returns t truncated to whole seconds, in UTC.
func seconds(t time.Time) time.Time {
	return t.Truncate(time.Second).UTC()
}

// compactJWS reports whether s is three non-empty base64url segments joined
// by dots and nothing else.
func compactJWS(s string) bool {
	dots, seg := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if seg == 0 {
				return false
			}
			dots, seg = dots+1, 0
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			seg++
		default:
			return false
		}
	}
	return dots == 2 && seg > 0
}

// parseSubject parses a sub claim: a positive int64 in decimal, without sign
// or leading zeros.
func parseSubject(s string) (int64, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// validJTI reports whether id is 1–64 characters of [A-Za-z0-9._-], which
// keeps RevokedKey free of stray braces.
func validJTI(id string) bool {
	if len(id) == 0 || len(id) > maxJTILen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isKIDByte(id[i]) {
			return false
		}
	}
	return true
}
