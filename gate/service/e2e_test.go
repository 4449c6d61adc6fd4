package service_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate"
	"classmate/internal/dbtest"
	"classmate/token"
)

// TestEndToEnd runs a real core and a real gate: a student logs in through
// the gate, joins, watches the socket until admitted, and enrolls through
// the proxy with the token of the admitted frame; bad admission tokens are
// refused by the gate and by the core alike, and so is the token once the
// student left.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	rdb, prefix := dbtest.MustOpenRedis(t)
	addStudents(t, db, 5)
	core := startCore(t, db, prefix)
	gw := startGate(t, prefix, "http://"+core, nil)
	g := "http://" + gw

	for id := 1; id <= 3; id++ {
		body := fmt.Sprintf(`{"code":"TST%04d-01","title":"자료구조 %d","professor":"김교수","department":"컴퓨터공학과",`+
			`"credits":3,"capacity":10,"schedule":[{"day":"MON","start":"%02d:00","end":"%02d:50"}],"room":"공학관 101"}`, id, id, 8+id, 8+id)
		require.Equal(t, 200, request(t, "PUT", fmt.Sprintf("http://%s/admin/v1/courses/%d", core, id), adminToken, body, nil))
	}
	require.Equal(t, 404, request(t, "PUT", g+"/admin/v1/courses/9", adminToken, `{}`, nil), "not proxied")

	var login struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 200, request(t, "POST", g+"/api/v1/auth/login", "", `{"student_no":"2026000001","password":"classmate"}`, &login))
	var bad errorBody
	require.Equal(t, 401, request(t, "POST", g+"/api/v1/auth/login", "", `{"student_no":"2026000001","password":"nope"}`, &bad))
	assert.Equal(t, "UNAUTHENTICATED", bad.Error.Code)

	// Hold the room while the socket connects, then let it admit.
	require.Equal(t, 200, request(t, "PUT", g+"/admin/v1/room", adminToken, `{"paused": true}`, nil))
	var tk gate.Ticket
	require.Equal(t, 200, request(t, "POST", g+"/queue/v1/join", login.SessionToken, "", &tk))
	require.Equal(t, gate.StateWaiting, tk.State)
	ws := dial(t, gw, tk.Ticket)
	first := ws.until(t, "position", time.Second)
	assert.Equal(t, int64(1), first.Position)
	require.Equal(t, 401, request(t, "POST", g+"/api/v1/enrollments", login.SessionToken, `{"course_id":1}`, &bad))
	assert.Equal(t, "ADMISSION_REQUIRED", bad.Error.Code, "a session token is no admission")
	require.Equal(t, 200, request(t, "PUT", g+"/admin/v1/room", adminToken, `{"paused": false}`, nil))
	adm := ws.until(t, "admitted", 5*time.Second)
	require.NotEmpty(t, adm.AdmissionToken)

	var enrolled struct {
		TotalCredits int `json:"total_credits"`
	}
	require.Equal(t, 201, request(t, "POST", g+"/api/v1/enrollments", adm.AdmissionToken, `{"course_id":1}`, &enrolled))
	assert.Equal(t, 3, enrolled.TotalCredits)
	var mine struct {
		Items []struct {
			Course struct{ ID int64 } `json:"course"`
		} `json:"items"`
	}
	require.Equal(t, 200, request(t, "GET", g+"/api/v1/enrollments", login.SessionToken, "", &mine))
	require.Len(t, mine.Items, 1)
	assert.Equal(t, int64(1), mine.Items[0].Course.ID)
	require.Equal(t, 204, request(t, "DELETE", g+"/api/v1/enrollments/1", adm.AdmissionToken, "", nil))

	// Bad admissions: the gate and the core refuse them.
	tokens, err := token.FromEnv(func(string) string { return "" }, true)
	require.NoError(t, err)
	for name, bad := range badAdmissions(t, tokens) {
		for _, base := range []string{g, "http://" + core} {
			var e errorBody
			status := request(t, "POST", base+"/api/v1/enrollments", bad, `{"course_id":2}`, &e)
			assert.Equal(t, 401, status, "%s at %s", name, base)
			assert.Equal(t, "ADMISSION_REQUIRED", e.Error.Code, "%s at %s", name, base)
		}
	}

	// Leaving revokes the admission: refused by both from then on.
	require.Equal(t, 204, request(t, "POST", g+"/queue/v1/leave", adm.AdmissionToken, "", nil))
	for _, base := range []string{g, "http://" + core} {
		var e errorBody
		assert.Equal(t, 401, request(t, "POST", base+"/api/v1/enrollments", adm.AdmissionToken, `{"course_id":2}`, &e), base)
		assert.Equal(t, "ADMISSION_REQUIRED", e.Error.Code)
	}
	require.Equal(t, 200, request(t, "GET", g+"/queue/v1/status", login.SessionToken, "", &tk))
	assert.Equal(t, gate.StateExpired, tk.State)
	claims, err := token.Verifier{Keys: tokens.Admission}.Admission(adm.AdmissionToken)
	require.NoError(t, err)
	rdb.Del(t.Context(), token.RevokedKey(claims.ID))
}

// badAdmissions returns tokens nobody may accept as admissions: forged
// with another secret, expired, of the wrong audience, a session token.
func badAdmissions(t *testing.T, tokens token.Config) map[string]string {
	t.Helper()
	other, err := token.ParseKeyring("dev-admission:" + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("x", 32))))
	require.NoError(t, err)
	forged, _, err := token.Issuer{Keys: other}.Admission(1, time.Minute)
	require.NoError(t, err)
	expired, _, err := token.Issuer{Keys: tokens.Admission, Now: func() time.Time { return time.Now().Add(-time.Hour) }}.Admission(1, time.Minute)
	require.NoError(t, err)
	_, b64, _ := strings.Cut(token.DevelopmentAdmissionKeys, ":")
	secret, err := base64.RawURLEncoding.DecodeString(b64)
	require.NoError(t, err)
	wrong := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": token.AdmissionIssuer, "aud": "classmate-elsewhere", "sub": "1", "jti": "abcdefghijk",
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix()})
	wrong.Header["kid"] = "dev-admission"
	wrongAud, err := wrong.SignedString(secret)
	require.NoError(t, err)
	session, _, err := token.Issuer{Keys: tokens.Session}.Session(1, "2026000001", time.Hour)
	require.NoError(t, err)
	return map[string]string{"Forged": forged, "Expired": expired, "WrongAudience": wrongAud, "Session": session}
}
