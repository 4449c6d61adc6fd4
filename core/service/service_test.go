package service_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core/demo"
	"classmate/core/service"
	"classmate/internal/dbtest"
)

// TestRun starts the real core on a fresh database, logs a demo student in
// over TCP and shuts it down.
func TestRun(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	_, prefix := dbtest.MustOpenRedis(t)
	loaded, err := demo.Load(context.Background(), db.DB, 50, 20)
	require.NoError(t, err)
	require.True(t, loaded)

	env := map[string]string{
		"CLASSMATE_ENV":               "development",
		"CLASSMATE_CORE_ADDR":         "127.0.0.1:0",
		"CLASSMATE_MYSQL_DSN":         db.DSN,
		"CLASSMATE_MYSQL_REPLICA_DSN": db.DSN,
		"CLASSMATE_REDIS_ADDR":        os.Getenv("CLASSMATE_REDIS_ADDR"),
		"CLASSMATE_REDIS_PREFIX":      prefix,
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, func(k string) string { return env[k] }, io.Discard, func(a string) { addrs <- a })
	}()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("core did not start")
	}

	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)

	resp, err = http.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"student_no":"2026000001","password":"classmate"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"session_token"`)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("core did not shut down")
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"DevelopmentDefaults", map[string]string{"CLASSMATE_ENV": "development"}, true},
		{"ProductionNeedsAdminToken", map[string]string{}, false},
		{"ProductionRefusesDevAdminToken", map[string]string{"CLASSMATE_ADMIN_TOKEN": "dev-admin-token"}, false},
		{"ProductionNeedsKeys", map[string]string{"CLASSMATE_ADMIN_TOKEN": "s3cret-admin-token"}, false},
		{"Production", map[string]string{
			"CLASSMATE_ADMIN_TOKEN":    "s3cret-admin-token",
			"CLASSMATE_SESSION_KEYS":   "s1:" + strings.Repeat("A", 44),
			"CLASSMATE_ADMISSION_KEYS": "a1:" + strings.Repeat("B", 44),
		}, true},
		{"BadMode", map[string]string{"CLASSMATE_ENV": "staging"}, false},
		{"BadDuration", map[string]string{"CLASSMATE_ENV": "development", "CLASSMATE_SESSION_TTL": "soon"}, false},
		{"BadConns", map[string]string{"CLASSMATE_ENV": "development", "CLASSMATE_MYSQL_MAX_CONNS": "0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := service.LoadConfig(func(k string) string { return tc.env[k] })
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, cfg.AdminToken)
			assert.NotNil(t, cfg.Tokens.Session)
		})
	}
}
