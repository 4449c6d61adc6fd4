package token_test

import (
	"testing"
	"time"

	"classmate/token"
)

// BenchmarkVerify verifies one admission token (as admission, and as a
// session token, which the core tries first on routes taking either), with
// and without a Cache holding it. Run with
//
//	go test -run '^$' -bench Verify ./token/
func BenchmarkVerify(b *testing.B) {
	adm, ses := mustRing(b, testKey("a1")), mustRing(b, testKey("s1"))
	tok, _, err := token.Issuer{Keys: adm}.Admission(42, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		cache *token.Cache
	}{{"Uncached", nil}, {"Cached", token.NewCache(token.DefaultCacheSize)}} {
		admVer := token.Verifier{Keys: adm, Cache: bc.cache}
		sesVer := token.Verifier{Keys: ses, Cache: bc.cache}
		if _, err := admVer.Admission(tok); err != nil {
			b.Fatal(err)
		}
		b.Run("Admission/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := admVer.Admission(tok); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run("AdmissionAsSession/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := sesVer.Session(tok); err == nil {
						b.Error("an admission token passed as a session")
						return
					}
				}
			})
		})
	}
}
