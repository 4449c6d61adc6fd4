package http_test

import (
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"classmate/token"
)

// upstream is a small HTTP server standing in for the core where only the
// proxy's own behaviour is under test; it echoes what it received.
func upstream(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("X-Seen-Request-Id", string(ctx.Request.Header.Peek("X-Request-Id")))
		ctx.Response.Header.Set("X-Seen-Forwarded-For", string(ctx.Request.Header.Peek("X-Forwarded-For")))
		ctx.Response.Header.Set("X-Seen-Authorization", string(ctx.Request.Header.Peek("Authorization")))
		ctx.Response.Header.Set("X-Request-Id", string(ctx.Request.Header.Peek("X-Request-Id")))
		ctx.Response.Header.Set("X-Core", "yes")
		ctx.SetStatusCode(209)
		ctx.SetContentType("application/json")
		b, _ := json.Marshal(map[string]string{"method": string(ctx.Method()), "uri": string(ctx.RequestURI()),
			"body": string(ctx.Request.Body())})
		ctx.SetBody(b)
	}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

func TestProxyPassThrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.upstream = upstream(t) })
	status, hdr, body := e.doFull("PUT", "/api/v1/cart/12?x=1&y=%20", `{"a":1}`, "X-Request-Id", "req-42",
		"X-Forwarded-For", "10.0.0.1", "Authorization", "Bearer s")
	assert.Equal(t, 209, status)
	assert.JSONEq(t, `{"method":"PUT","uri":"/api/v1/cart/12?x=1&y=%20","body":"{\"a\":1}"}`, string(body))
	assert.Equal(t, "req-42", string(hdr.Peek("X-Request-Id")))
	assert.Equal(t, "req-42", string(hdr.Peek("X-Seen-Request-Id")))
	assert.Equal(t, "10.0.0.1, 0.0.0.0", string(hdr.Peek("X-Seen-Forwarded-For")))
	assert.Equal(t, "Bearer s", string(hdr.Peek("X-Seen-Authorization")))
	assert.Equal(t, "yes", string(hdr.Peek("X-Core")))

	// A generated request id is passed on too.
	_, hdr, _ = e.doFull("GET", "/api/v1/courses", "")
	id := string(hdr.Peek("X-Request-Id"))
	assert.NotEmpty(t, id)
	assert.Equal(t, id, string(hdr.Peek("X-Seen-Request-Id")))
}

// TestProxyRefusesBadAdmissions: forged, expired, wrong-audience and
// session tokens never reach the core on gated routes. A revoked one does:
// the core checks revocations before any write and answers 401
// ADMISSION_REQUIRED itself (gate/service's TestEndToEnd), so the gate
// spares every enrollment a second Redis round trip.
func TestProxyRefusesBadAdmissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.upstream = upstream(t) })
	iss := token.Issuer{Keys: e.tokens.Admission}
	good, claims, err := iss.Admission(5, time.Minute)
	require.NoError(t, err)
	status, _ := e.do("POST", "/api/v1/enrollments", `{"course_id":1}`, "Authorization", "Bearer "+good)
	assert.Equal(t, 209, status, "a valid admission passes")
	status, _ = e.do("DELETE", "/api/v1/enrollments/3", "", "Authorization", "Bearer "+good)
	assert.Equal(t, 209, status)

	for name, tok := range badAdmissions(t, e) {
		t.Run(name, func(t *testing.T) {
			for _, r := range [][2]string{{"POST", "/api/v1/enrollments"}, {"DELETE", "/api/v1/enrollments/3"}} {
				status, body := e.do(r[0], r[1], `{"course_id":1}`, "Authorization", "Bearer "+tok)
				assert.Equal(t, 401, status)
				assert.Equal(t, "ADMISSION_REQUIRED", errorCode(body))
			}
		})
	}
	require.NoError(t, e.store.Revoke(e.ctx, claims.ID, claims.ExpiresAt, time.Now()))
	status, hdr, _ := e.doFull("POST", "/api/v1/enrollments", `{"course_id":1}`, "Authorization", "Bearer "+good)
	assert.Equal(t, 209, status, "revoked: the core's to refuse")
	assert.Equal(t, "Bearer "+good, string(hdr.Peek("X-Seen-Authorization")))
	e.rdb.Del(e.ctx, token.RevokedKey(claims.ID))

	// A browser navigation is sent to the waiting page instead.
	status, hdr, _ = e.doFull("POST", "/api/v1/enrollments", "", "Accept", "text/html,application/xhtml+xml")
	assert.Equal(t, 302, status)
	assert.Equal(t, "/", string(hdr.Peek("Location")))
	// Reads are not gated.
	status, _ = e.do("GET", "/api/v1/enrollments", "", "Authorization", "Bearer "+e.session(5))
	assert.Equal(t, 209, status)
}

// badAdmissions returns tokens the gate and the core must refuse as
// admissions: forged, expired, of the wrong audience, a session token.
func badAdmissions(t *testing.T, e *env) map[string]string {
	t.Helper()
	other, err := token.ParseKeyring("dev-admission:" + strings.Repeat("A", 43))
	require.NoError(t, err)
	forged, _, err := token.Issuer{Keys: other}.Admission(5, time.Minute)
	require.NoError(t, err)
	expired, _, err := token.Issuer{Keys: e.tokens.Admission, Now: func() time.Time { return time.Now().Add(-time.Hour) }}.Admission(5, time.Minute)
	require.NoError(t, err)
	wrongAud := signAdmission(t, e.tokens.Admission, "dev-admission", jwt.MapClaims{
		"iss": token.AdmissionIssuer, "aud": "classmate-elsewhere", "sub": "5", "jti": "abcdefgh",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()})
	parts := strings.Split(forged, ".")
	return map[string]string{
		"Forged":        forged,
		"Expired":       expired,
		"WrongAudience": wrongAud,
		"Session":       e.session(5),
		"Garbage":       "x.y.z",
		"NoneAlg":       "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
	}
}

// signAdmission signs claims with the development admission key, as a
// thief of the key's format but not of the contract would.
func signAdmission(t *testing.T, _ *token.Keyring, kid string, c jwt.MapClaims) string {
	t.Helper()
	secret, err := jwtSecret(token.DevelopmentAdmissionKeys)
	require.NoError(t, err)
	tk := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tk.Header["kid"] = kid
	s, err := tk.SignedString(secret)
	require.NoError(t, err)
	return s
}
