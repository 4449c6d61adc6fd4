package token_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"classmate/token"
)

// FuzzVerify feeds arbitrary strings to the verifiers of both formats and
// checks they never panic, that every failure is an ErrInvalid with a zero
// result, and that nothing verifies except the exact tokens minted below.
// The seeds must be the same in every fuzz worker process, so they are
// signed from fixed claims rather than by an Issuer (whose jti is random).
func FuzzVerify(f *testing.F) {
	a1, a2, s1 := testKey("a1"), testKey("a2"), testKey("s1")
	hs := jwt.SigningMethodHS256
	now := at(t0.Add(time.Minute))
	admVer := token.Verifier{Keys: mustRing(f, a2, a1), Now: now}
	sesVer := token.Verifier{Keys: mustRing(f, s1), Now: now}
	// One keyring holding every key: the formats must not cross even then.
	allVer := token.Verifier{Keys: mustRing(f, a2, a1, s1), Now: now}
	// The same, sharing one cache across inputs.
	cache := token.NewCache(64)
	admCached, sesCached, allCached := admVer, sesVer, allVer
	admCached.Cache, sesCached.Cache, allCached.Cache = cache, cache, cache

	validAdm := map[string]token.Admission{}
	validSes := map[string]token.Session{}
	for _, k := range []token.Key{a1, a2} {
		c := with(admissionClaims(), "jti", "fuzz-"+k.ID, "sub", "2147483648")
		validAdm[sign(f, hs, k.Secret, k.ID, c)] = token.Admission{
			StudentID: 2147483648, ID: "fuzz-" + k.ID,
			IssuedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
		}
	}
	sesTok := sign(f, hs, s1.Secret, s1.ID, sessionClaims())
	validSes[sesTok] = token.Session{
		StudentID: 42, StudentNo: "2026000042", ID: "jti-session-0001",
		IssuedAt: t0, ExpiresAt: t0.Add(12 * time.Hour),
	}

	var admTok string
	for tok := range validAdm {
		admTok = tok
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(tok[:len(tok)/2])
		f.Add(tok[:strings.LastIndexByte(tok, '.')+1])
		f.Add(tok + "\n")
	}
	f.Add(sesTok)
	f.Add(sesTok[:len(sesTok)-3])
	ap, sp := strings.Split(admTok, "."), strings.Split(sesTok, ".")
	f.Add(ap[0] + "." + sp[1] + "." + ap[2]) // session claims, admission header and signature
	f.Add(sp[0] + "." + ap[1] + "." + sp[2])
	f.Add(ap[1] + "." + ap[0] + "." + ap[2]) // header and payload swapped
	f.Add(ap[0] + "." + ap[1] + "." + sp[2]) // signature of another token
	f.Add(sign(f, hs, s1.Secret, a1.ID, admissionClaims()))
	f.Add(sign(f, hs, a1.Secret, a1.ID, with(admissionClaims(), "aud", []string{"classmate-core"})))
	f.Add(sign(f, jwt.SigningMethodHS512, a1.Secret, a1.ID, admissionClaims()))
	f.Add(sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, a1.ID, admissionClaims()))
	for _, s := range []string{
		"", ".", "..", "...", "a.b.c", "a.b.", "eyJ", "eyJhbGciOiJub25lIn0.e30.",
		"eyJhbGciOiJIUzI1NiIsImtpZCI6ImExIn0.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
		"AAAA.BBBB.CCCC", "////.++++.====", strings.Repeat("a", token.MaxLen+1),
	} {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, tok string) {
		for _, v := range []token.Verifier{admVer, allVer, admCached, allCached} {
			adm, err := v.Admission(tok)
			if err == nil {
				want, ok := validAdm[tok]
				if !ok {
					t.Fatalf("verified as admission but was never minted: %q → %+v", tok, adm)
				}
				if adm != want {
					t.Fatalf("admission %+v, want %+v", adm, want)
				}
			} else if !errors.Is(err, token.ErrInvalid) || adm != (token.Admission{}) {
				t.Fatalf("admission failure must be ErrInvalid with a zero result: %v, %+v", err, adm)
			}
		}
		for _, v := range []token.Verifier{sesVer, allVer, sesCached, allCached} {
			ses, err := v.Session(tok)
			if err == nil {
				want, ok := validSes[tok]
				if !ok {
					t.Fatalf("verified as session but was never minted: %q → %+v", tok, ses)
				}
				if ses != want {
					t.Fatalf("session %+v, want %+v", ses, want)
				}
			} else if !errors.Is(err, token.ErrInvalid) || ses != (token.Session{}) {
				t.Fatalf("session failure must be ErrInvalid with a zero result: %v, %+v", err, ses)
			}
		}
	})
}

// FuzzParseKeyring checks ParseKeyring never panics and that a keyring it
// accepts is usable: its ids are valid and distinct, one per entry, and it
// verifies what it signs under its first id.
func FuzzParseKeyring(f *testing.F) {
	for _, s := range []string{
		token.DevelopmentSessionKeys,
		token.DevelopmentAdmissionKeys + "," + token.DevelopmentSessionKeys,
		formatKeyring(testKey("new"), testKey("old")),
		" k1:" + strings.Repeat("A", 43) + " , k2:" + strings.Repeat("_", 43),
		"k1:" + strings.Repeat("A", 44), "k1:" + strings.Repeat("A", 42) + "==",
		"", ",", ":", "k1:", ":AAAA", "k1:!!!!", "k1:AAAA", "k 1:" + strings.Repeat("A", 43),
		"k1:" + strings.Repeat("A", 43) + ",k1:" + strings.Repeat("B", 43),
		strings.Repeat("k", 33) + ":" + strings.Repeat("A", 43),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := token.ParseKeyring(s)
		if err != nil {
			if k != nil {
				t.Fatalf("error %v with a non-nil keyring", err)
			}
			return
		}
		ids := k.IDs()
		if len(ids) != strings.Count(s, ",")+1 {
			t.Fatalf("%d ids from %d entries", len(ids), strings.Count(s, ",")+1)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] || id == "" || len(id) > 32 || strings.Trim(id,
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
				t.Fatalf("bad or duplicate id %q", id)
			}
			seen[id] = true
		}
		if k.String() != strings.Join(ids, ",") {
			t.Fatalf("String %q, ids %q", k.String(), ids)
		}
		tok, _, err := token.Issuer{Keys: k, Now: at(t0)}.Admission(1, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (token.Verifier{Keys: k, Now: at(t0)}).Admission(tok); err != nil {
			t.Fatal(err)
		}
		if kid := segment(t, tok, 0)["kid"]; kid != ids[0] {
			t.Fatalf("signed with %v, want first key %q", kid, ids[0])
		}
	})
}
