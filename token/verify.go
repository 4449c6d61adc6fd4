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
// tolerates none. A Verifier does not know about revocations: see
// RevokedKey. It is safe for concurrent use.
type Verifier struct {
	Keys   *Keyring
	Now    func() time.Time
	Leeway time.Duration
}

// Admission verifies an admission token and returns its content. Every
// error matches ErrInvalid under errors.Is, and also ErrExpired when the
// token is correctly signed and well formed but its exp has passed; the
// Admission is then the zero value.
func (v Verifier) Admission(tok string) (Admission, error) {
	c, sub, err := v.verify(tok, AdmissionIssuer, AdmissionAudience)
	if err != nil {
		return Admission{}, err
	}
	return Admission{
		StudentID: sub,
		ID:        c.ID,
		IssuedAt:  seconds(c.IssuedAt),
		ExpiresAt: seconds(c.ExpiresAt),
	}, nil
}

// Session verifies a session token and returns its content. Every error
// matches ErrInvalid under errors.Is, and also ErrExpired when the token is
// correctly signed and well formed but its exp has passed; the Session is
// then the zero value.
func (v Verifier) Session(tok string) (Session, error) {
	c, sub, err := v.verify(tok, SessionIssuer, SessionAudience)
	if err != nil {
		return Session{}, err
	}
	return Session{
		StudentID: sub,
		StudentNo: c.StudentNo,
		ID:        c.ID,
		IssuedAt:  seconds(c.IssuedAt),
		ExpiresAt: seconds(c.ExpiresAt),
	}, nil
}

// maxJTILen bounds the jti so a revocation key stays small.
const maxJTILen = 64

// verify checks everything both formats share and returns the claims and
// the parsed subject.
func (v Verifier) verify(tok, iss, aud string) (claims, int64, error) {
	// Cheap guards before any decoding. Besides bounding the work, the
	// alphabet check makes a valid token's text unique: Go's base64 decoder
	// skips CR and LF, so "…signature\n" would otherwise verify too.
	if len(tok) > MaxLen {
		return claims{}, 0, invalid(fmt.Errorf("longer than %d bytes", MaxLen))
	}
	if !compactJWS(tok) {
		return claims{}, 0, invalid(errors.New("not a compact JWS"))
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	var c claims
	_, err := jwt.ParseWithClaims(tok, &c, v.Keys.keyfunc,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(iss),
		jwt.WithAudience(aud),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(max(v.Leeway, 0)),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	)
	if err != nil {
		// ErrExpired only for a token that is fine apart from its age, so a
		// log line saying "expired" never hides a token of the wrong kind.
		if errors.Is(err, jwt.ErrTokenExpired) && c.Issuer == iss && c.Audience == aud {
			if _, rerr := checkRest(c); rerr == nil {
				return claims{}, 0, fmt.Errorf("%w: %w", ErrExpired, err)
			}
		}
		return claims{}, 0, invalid(err)
	}
	sub, err := checkRest(c)
	if err != nil {
		return claims{}, 0, invalid(err)
	}
	return c, sub, nil
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

// seconds returns d truncated to whole seconds, in UTC.
func seconds(d *jwt.NumericDate) time.Time {
	return d.Truncate(time.Second).UTC()
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
