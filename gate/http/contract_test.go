package http_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gatehttp "classmate/gate/http"
)

// TestErrorShapeAndRequestID: every gate error has the contract's shape and
// every response an X-Request-Id, the client's when valid.
func TestErrorShapeAndRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.upstream = "http://127.0.0.1:1" })
	long := strings.Repeat("a", 129)
	for _, tc := range []struct {
		name, method, path, id string
		status                 int
		code                   string
	}{
		{"UnknownQueueRoute", "GET", "/queue/v1/nope", "abc-1.2_3", 404, "NOT_FOUND"},
		{"UnknownAdminRoute", "PUT", "/admin/v1/courses/1", "", 404, "NOT_FOUND"},
		{"AdminSeats", "POST", "/admin/v1/seats/reconcile", "", 404, "NOT_FOUND"},
		{"UnknownAPIVersion", "GET", "/api/v2/courses", long, 404, "NOT_FOUND"},
		{"MethodNotAllowed", "DELETE", "/queue/v1/join", "x", 401, "UNAUTHENTICATED"},
		{"MethodNotAllowedNoAuth", "DELETE", "/healthz", "bad id!", 405, "METHOD_NOT_ALLOWED"},
		{"JoinNoToken", "POST", "/queue/v1/join", "", 401, "UNAUTHENTICATED"},
		{"GatedNoToken", "POST", "/api/v1/enrollments", "", 401, "ADMISSION_REQUIRED"},
		{"UpstreamDown", "GET", "/api/v1/courses/1", "up-1", 503, "UNAVAILABLE"},
		{"WSUnknownTicket", "GET", "/queue/v1/ws?ticket=unknown", "", 404, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.id != "" {
				h = []string{"X-Request-Id", tc.id}
			}
			status, hdr, body := e.doFull(tc.method, tc.path, "", h...)
			assert.Equal(t, tc.status, status, string(body))
			assert.Equal(t, tc.code, errorCode(body), string(body))
			assert.Equal(t, "application/json", string(hdr.ContentType()))
			id := string(hdr.Peek("X-Request-Id"))
			require.NotEmpty(t, id)
			if tc.id != "" && tc.id != long && !strings.Contains(tc.id, " ") {
				assert.Equal(t, tc.id, id)
			} else {
				assert.NotEqual(t, tc.id, id)
			}
			if status == 503 || status == 429 {
				assert.NotEmpty(t, string(hdr.Peek("Retry-After")))
			}
		})
	}
	// Pages go to the web handler, with a request id too.
	status, hdr, body := e.doFull("GET", "/", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, "<h1>page</h1>", string(body))
	assert.NotEmpty(t, string(hdr.Peek("X-Request-Id")))
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		status, _ := e.do("GET", p, "")
		assert.Equal(t, 200, status, p)
	}
	_, body = e.do("GET", "/metrics", "")
	for _, m := range []string{"classmate_gate_waiting", "classmate_gate_active", "classmate_gate_admitted_total",
		`classmate_gate_admit_rate{kind="configured"}`, `classmate_gate_admit_rate{kind="effective"}`,
		"classmate_gate_sockets", "classmate_gate_push_lag_seconds", "classmate_gate_proxy_duration_seconds",
		`classmate_http_request_duration_seconds_bucket{service="gate"`} {
		assert.Contains(t, string(body), m)
	}
}

func TestMalformedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.room(0, nil)
	big := `{"mode":"` + strings.Repeat("x", gatehttp.MaxBody) + `"}`
	status, body := e.do("PUT", "/admin/v1/room", big, "Authorization", "Bearer "+adminToken)
	assert.Equal(t, 413, status)
	assert.Equal(t, "PAYLOAD_TOO_LARGE", errorCode(body))
	status, body = e.do("PUT", "/admin/v1/room", "{\"mode\":\"\xff\"}", "Authorization", "Bearer "+adminToken)
	assert.Equal(t, 400, status)
	assert.Equal(t, "BAD_REQUEST", errorCode(body))
	status, _ = e.do("PUT", "/admin/v1/room", `{"opens_at": null}`, "Authorization", "Bearer "+adminToken)
	assert.Equal(t, 200, status, "null keeps the value")
}
