// Package service wires the core's adapters into a running service: it reads
// the configuration from the environment, opens MySQL and Redis, applies the
// migrations, serves HTTP and runs the periodic reconciler until its context
// ends. cmd/core and the end-to-end tests both run it.
package service

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	indexsvc "classmate/indexer/service"
	"classmate/internal/redisclient"
	"classmate/token"
)

// DevAdminToken is the admin token in development mode when
// CLASSMATE_ADMIN_TOKEN is unset.
const DevAdminToken = "dev-admin-token"

// Config is the core's configuration, read from CLASSMATE_* variables.
type Config struct {
	Development       bool             // CLASSMATE_ENV=development
	Addr              string           // CLASSMATE_CORE_ADDR
	MySQLDSN          string           // CLASSMATE_MYSQL_DSN
	ReplicaDSN        string           // CLASSMATE_MYSQL_REPLICA_DSN
	MySQLMaxConns     int              // CLASSMATE_MYSQL_MAX_CONNS
	RedisAddr         string           // CLASSMATE_REDIS_ADDR
	RedisPassword     string           // CLASSMATE_REDIS_PASSWORD
	RedisPrefix       string           // CLASSMATE_REDIS_PREFIX
	RedisAutoPipeline redisclient.Mode // CLASSMATE_REDIS_AUTOPIPELINE
	AdminToken        string           // CLASSMATE_ADMIN_TOKEN
	SessionTTL        time.Duration    // CLASSMATE_SESSION_TTL
	ReconcileInterval time.Duration    // CLASSMATE_RECONCILE_INTERVAL
	RequestTimeout    time.Duration    // CLASSMATE_CORE_REQUEST_TIMEOUT
	LogLevel          string           // CLASSMATE_LOG_LEVEL
	Tokens            token.Config     // CLASSMATE_SESSION_KEYS, CLASSMATE_ADMISSION_KEYS

	// Search configures course search: CLASSMATE_ES_URL, CLASSMATE_ES_INDEX,
	// CLASSMATE_INDEX_DIR, CLASSMATE_INDEXER_* (see indexer/service).
	Search indexsvc.Config
}

// LoadConfig reads the configuration. Outside development mode it refuses
// the development admin token and keys.
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var c Config
	switch mode := env("CLASSMATE_ENV", "production"); mode {
	case "development":
		c.Development = true
	case "production":
	default:
		return c, fmt.Errorf("CLASSMATE_ENV must be development or production, not %q", mode)
	}
	c.Addr = env("CLASSMATE_CORE_ADDR", "127.0.0.1:8081")
	c.MySQLDSN = env("CLASSMATE_MYSQL_DSN", "classmate:classmate@tcp(127.0.0.1:33061)/classmate")
	c.ReplicaDSN = env("CLASSMATE_MYSQL_REPLICA_DSN", "")
	c.RedisAddr = env("CLASSMATE_REDIS_ADDR", "127.0.0.1:63791")
	c.RedisPassword = env("CLASSMATE_REDIS_PASSWORD", "")
	c.RedisPrefix = env("CLASSMATE_REDIS_PREFIX", "classmate:")
	c.LogLevel = env("CLASSMATE_LOG_LEVEL", "info")
	var err error
	if c.RedisAutoPipeline, err = redisclient.ParseMode(env("CLASSMATE_REDIS_AUTOPIPELINE", "")); err != nil {
		return c, err
	}
	c.AdminToken = env("CLASSMATE_ADMIN_TOKEN", "")
	if c.AdminToken == "" && c.Development {
		c.AdminToken = DevAdminToken
	}
	if !c.Development && (c.AdminToken == "" || c.AdminToken == DevAdminToken) {
		return c, fmt.Errorf("CLASSMATE_ADMIN_TOKEN must be set to a secret outside development mode")
	}
	if c.MySQLMaxConns, err = strconv.Atoi(env("CLASSMATE_MYSQL_MAX_CONNS", "64")); err != nil || c.MySQLMaxConns < 1 {
		return c, fmt.Errorf("CLASSMATE_MYSQL_MAX_CONNS must be a positive integer")
	}
	for _, d := range []struct {
		name string
		def  string
		dst  *time.Duration
	}{
		{"CLASSMATE_SESSION_TTL", "12h", &c.SessionTTL},
		{"CLASSMATE_RECONCILE_INTERVAL", "30s", &c.ReconcileInterval},
		{"CLASSMATE_CORE_REQUEST_TIMEOUT", "5s", &c.RequestTimeout},
	} {
		if *d.dst, err = time.ParseDuration(env(d.name, d.def)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s must be a positive duration such as 30s", d.name)
		}
	}
	if c.Tokens, err = token.FromEnv(getenv, c.Development); err != nil {
		return c, err
	}
	if c.Search, err = indexsvc.LoadConfig(getenv); err != nil {
		return c, err
	}
	c.Search.MySQLDSN = c.MySQLDSN
	return c, nil
}

// LogValue lists the effective configuration with secrets masked.
func (c Config) LogValue() []any {
	return append([]any{
		"development", c.Development, "addr", c.Addr,
		"mysql", maskDSN(c.MySQLDSN), "replica", maskDSN(c.ReplicaDSN), "mysql_max_conns", c.MySQLMaxConns,
		"redis", c.RedisAddr, "redis_prefix", c.RedisPrefix, "redis_autopipeline", c.RedisAutoPipeline, "admin_token", mask(c.AdminToken),
		"session_keys", c.Tokens.Session.IDs(), "admission_keys", c.Tokens.Admission.IDs(),
		"session_ttl", c.SessionTTL.String(), "reconcile_interval", c.ReconcileInterval.String(),
		"request_timeout", c.RequestTimeout.String(),
	}, c.Search.LogValue()...)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// maskDSN hides the password of user:password@… DSNs.
func maskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	colon := strings.Index(dsn, ":")
	if at < 0 || colon < 0 || colon > at {
		return dsn
	}
	return dsn[:colon+1] + "***" + dsn[at:]
}
