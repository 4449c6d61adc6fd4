package service_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/gate/service"
	"classmate/token"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	c, err := service.LoadConfig(getenv(map[string]string{"CLASSMATE_ENV": "development"}))
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", c.Addr)
	assert.Equal(t, []string{"http://127.0.0.1:8081"}, c.CoreURLs)
	assert.Equal(t, service.DevAdminToken, c.AdminToken)
	assert.Equal(t, 60*time.Second, c.Grace)
	assert.Equal(t, 200*time.Millisecond, c.Tick)
	assert.GreaterOrEqual(t, c.Limits.StudentRate, 50.0)
	assert.GreaterOrEqual(t, c.Limits.StudentBurst, 20.0)
	assert.GreaterOrEqual(t, c.Limits.IPRate, 2000.0)
	assert.GreaterOrEqual(t, c.Limits.IPBurst, 2000.0)
	assert.True(t, c.DevRoom)
	for _, kv := range c.LogValue() {
		if s, ok := kv.(string); ok {
			assert.NotEqual(t, service.DevAdminToken, s, "secrets are masked")
		}
	}

	c, err = service.LoadConfig(getenv(map[string]string{"CLASSMATE_ENV": "development",
		"CLASSMATE_CORE_URLS": "http://a:1, http://b:2", "CLASSMATE_GATE_RATE_IP": "0"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"http://a:1", "http://b:2"}, c.CoreURLs)
	assert.Zero(t, c.Limits.IPRate)

	secret := "k1:" + "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"
	other := "k2:" + "b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90aGVyMTI"
	for name, vars := range map[string]map[string]string{
		"DefaultAdminTokenInProduction": {"CLASSMATE_SESSION_KEYS": secret, "CLASSMATE_ADMISSION_KEYS": other},
		"DevAdminTokenInProduction": {"CLASSMATE_ADMIN_TOKEN": service.DevAdminToken,
			"CLASSMATE_SESSION_KEYS": secret, "CLASSMATE_ADMISSION_KEYS": other},
		"DevKeysInProduction": {"CLASSMATE_ADMIN_TOKEN": "s3cret",
			"CLASSMATE_SESSION_KEYS": token.DevelopmentSessionKeys, "CLASSMATE_ADMISSION_KEYS": other},
		"UnknownEnv":   {"CLASSMATE_ENV": "staging"},
		"SlowTick":     {"CLASSMATE_ENV": "development", "CLASSMATE_GATE_TICK": "300ms"},
		"BadRate":      {"CLASSMATE_ENV": "development", "CLASSMATE_GATE_RATE_STUDENT": "-1"},
		"BadGrace":     {"CLASSMATE_ENV": "development", "CLASSMATE_GATE_GRACE": "soon"},
		"ShortLockTTL": {"CLASSMATE_ENV": "development", "CLASSMATE_GATE_LOCK_TTL": "100ms"},
		"BracesInRoom": {"CLASSMATE_ENV": "development", "CLASSMATE_GATE_ROOM": "{x}"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := service.LoadConfig(getenv(vars))
			assert.Error(t, err)
		})
	}
	_, err = service.LoadConfig(getenv(map[string]string{"CLASSMATE_ADMIN_TOKEN": "s3cret",
		"CLASSMATE_SESSION_KEYS": secret, "CLASSMATE_ADMISSION_KEYS": other}))
	assert.NoError(t, err, "production with real secrets")
}
