// Package service wires the gate's adapters into a running service: it
// reads the configuration from the environment, opens Redis, creates the
// development room, serves HTTP and WebSockets, and runs the socket hub and
// the admission tick until its context ends. cmd/gate and the end-to-end
// tests both run it.
package service

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"classmate/gate"
	gatehttp "classmate/gate/http"
	"classmate/internal/redisclient"
	"classmate/token"
)

// DevAdminToken is the admin token in development mode when
// CLASSMATE_ADMIN_TOKEN is unset.
const DevAdminToken = "dev-admin-token"

// Config is the gate's configuration, read from these variables (defaults
// in brackets):
//
//	CLASSMATE_ENV                   development or production [production]
//	CLASSMATE_GATE_ADDR             listen address [127.0.0.1:8080]
//	CLASSMATE_CORE_URLS             the core's base URLs, comma-separated
//	                                [http://127.0.0.1:8081]
//	CLASSMATE_REDIS_ADDR            Redis host:port [127.0.0.1:63791]
//	CLASSMATE_REDIS_PASSWORD        Redis password [none]
//	CLASSMATE_REDIS_PREFIX          start of every key [classmate:]
//	CLASSMATE_REDIS_AUTOPIPELINE    off, batched or full-duplex: how concurrent
//	                                Redis commands share round trips
//	                                [full-duplex]
//	CLASSMATE_GATE_ROOM             the room's name, its Redis hash tag [main]
//	CLASSMATE_ADMIN_TOKEN           Bearer token of /admin/v1/room; required
//	                                outside development, where the default
//	                                dev-admin-token is refused
//	CLASSMATE_SESSION_KEYS          keyring verifying session tokens
//	CLASSMATE_ADMISSION_KEYS        keyring signing admission tokens (both
//	                                required outside development; see
//	                                package token for the format)
//	CLASSMATE_GATE_RATE_IP          requests/s per client IP on login, join,
//	                                status and course search; 0 turns it
//	                                off [4000]
//	CLASSMATE_GATE_BURST_IP         burst per client IP [4000]
//	CLASSMATE_GATE_RATE_STUDENT     requests/s per student on join, status
//	                                and search; 0 turns it off [100]
//	CLASSMATE_GATE_BURST_STUDENT    burst per student [40]
//	CLASSMATE_GATE_TRUST_FORWARDED  take the client IP from the last
//	                                X-Forwarded-For entry, behind a load
//	                                balancer [false]
//	CLASSMATE_GATE_GRACE            silence after which a waiter without
//	                                socket or poll loses the place [60s]
//	CLASSMATE_GATE_TICK             admission tick, at most 250ms
//	                                [200ms]
//	CLASSMATE_GATE_PUSH_TICK        how often WebSocket positions are pushed;
//	                                changes within one are coalesced, at
//	                                most 1s [500ms]
//	CLASSMATE_GATE_LOCK_TTL         leader lock TTL: a dead leader is
//	                                replaced within it [2s]
//	CLASSMATE_GATE_PROXY_TIMEOUT    bound of one proxied request [15s]
//	CLASSMATE_GATE_PROXY_MAX_CONNS  connections per core upstream [1024]
//	CLASSMATE_GATE_REQUEST_TIMEOUT  bound of a request's Redis work [5s]
//	CLASSMATE_GATE_AIMD_P99         core p99 above which admission backs
//	                                off [1s]
//	CLASSMATE_GATE_AIMD_ERROR_RATE  core error rate above which admission
//	                                backs off [0.05]
//	CLASSMATE_GATE_DEV_ROOM         in development, create a room when none
//	                                is configured: opens at start, fifo, 50
//	                                admissions/s, max_active 2000, session
//	                                600 s, pre-queue 3600 s [true]
//	CLASSMATE_GATE_INSTANCE         this instance's name in the leader lock
//	                                [hostname-pid]
//	CLASSMATE_LOG_LEVEL             debug, info, warn or error [info]
type Config struct {
	Development       bool
	Addr              string
	CoreURLs          []string
	RedisAddr         string
	RedisPassword     string
	RedisPrefix       string
	RedisAutoPipeline redisclient.Mode
	Room              string
	AdminToken        string
	Tokens            token.Config
	Limits            gatehttp.Limits
	TrustForwarded    bool
	Grace             time.Duration
	Tick              time.Duration
	PushTick          time.Duration
	LockTTL           time.Duration
	ProxyTimeout      time.Duration
	ProxyMaxConns     int
	RequestTimeout    time.Duration
	AIMDP99           time.Duration
	AIMDErrorRate     float64
	DevRoom           bool
	Instance          string
	LogLevel          string
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
	c.Addr = env("CLASSMATE_GATE_ADDR", "127.0.0.1:8080")
	for _, u := range strings.Split(env("CLASSMATE_CORE_URLS", "http://127.0.0.1:8081"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.CoreURLs = append(c.CoreURLs, u)
		}
	}
	c.RedisAddr = env("CLASSMATE_REDIS_ADDR", "127.0.0.1:63791")
	c.RedisPassword = env("CLASSMATE_REDIS_PASSWORD", "")
	c.RedisPrefix = env("CLASSMATE_REDIS_PREFIX", "classmate:")
	c.Room = env("CLASSMATE_GATE_ROOM", "main")
	if strings.ContainsAny(c.Room, "{}") {
		return c, fmt.Errorf("CLASSMATE_GATE_ROOM must not contain braces")
	}
	c.LogLevel = env("CLASSMATE_LOG_LEVEL", "info")
	var err error
	if c.RedisAutoPipeline, err = redisclient.ParseMode(env("CLASSMATE_REDIS_AUTOPIPELINE", "")); err != nil {
		return c, err
	}
	host, _ := os.Hostname()
	c.Instance = env("CLASSMATE_GATE_INSTANCE", host+"-"+strconv.Itoa(os.Getpid()))
	c.AdminToken = env("CLASSMATE_ADMIN_TOKEN", "")
	if c.AdminToken == "" && c.Development {
		c.AdminToken = DevAdminToken
	}
	if !c.Development && (c.AdminToken == "" || c.AdminToken == DevAdminToken) {
		return c, fmt.Errorf("CLASSMATE_ADMIN_TOKEN must be set to a secret outside development mode")
	}
	for _, f := range []struct {
		name string
		def  string
		dst  *float64
	}{
		{"CLASSMATE_GATE_RATE_IP", "4000", &c.Limits.IPRate},
		{"CLASSMATE_GATE_BURST_IP", "4000", &c.Limits.IPBurst},
		{"CLASSMATE_GATE_RATE_STUDENT", "100", &c.Limits.StudentRate},
		{"CLASSMATE_GATE_BURST_STUDENT", "40", &c.Limits.StudentBurst},
		{"CLASSMATE_GATE_AIMD_ERROR_RATE", "0.05", &c.AIMDErrorRate},
	} {
		if *f.dst, err = strconv.ParseFloat(env(f.name, f.def), 64); err != nil || *f.dst < 0 || *f.dst != *f.dst {
			return c, fmt.Errorf("%s must be a number, 0 or more", f.name)
		}
	}
	for _, d := range []struct {
		name string
		def  string
		dst  *time.Duration
	}{
		{"CLASSMATE_GATE_GRACE", "60s", &c.Grace},
		{"CLASSMATE_GATE_TICK", "200ms", &c.Tick},
		{"CLASSMATE_GATE_PUSH_TICK", gatehttp.DefaultPushTick.String(), &c.PushTick},
		{"CLASSMATE_GATE_LOCK_TTL", "2s", &c.LockTTL},
		{"CLASSMATE_GATE_PROXY_TIMEOUT", "15s", &c.ProxyTimeout},
		{"CLASSMATE_GATE_REQUEST_TIMEOUT", "5s", &c.RequestTimeout},
		{"CLASSMATE_GATE_AIMD_P99", "1s", &c.AIMDP99},
	} {
		if *d.dst, err = time.ParseDuration(env(d.name, d.def)); err != nil || *d.dst <= 0 {
			return c, fmt.Errorf("%s must be a positive duration such as 30s", d.name)
		}
	}
	if c.Tick > gate.MaxTick {
		return c, fmt.Errorf("CLASSMATE_GATE_TICK must be at most %v: the room admits at least four times a second", gate.MaxTick)
	}
	if c.PushTick > gatehttp.MaxPushTick {
		return c, fmt.Errorf("CLASSMATE_GATE_PUSH_TICK must be at most %v: a change of position must not wait longer", gatehttp.MaxPushTick)
	}
	if c.LockTTL < 2*c.Tick {
		return c, fmt.Errorf("CLASSMATE_GATE_LOCK_TTL must be at least two ticks")
	}
	if c.ProxyMaxConns, err = strconv.Atoi(env("CLASSMATE_GATE_PROXY_MAX_CONNS", "1024")); err != nil || c.ProxyMaxConns < 1 {
		return c, fmt.Errorf("CLASSMATE_GATE_PROXY_MAX_CONNS must be a positive integer")
	}
	if c.DevRoom, err = strconv.ParseBool(env("CLASSMATE_GATE_DEV_ROOM", "true")); err != nil {
		return c, fmt.Errorf("CLASSMATE_GATE_DEV_ROOM must be true or false")
	}
	if c.TrustForwarded, err = strconv.ParseBool(env("CLASSMATE_GATE_TRUST_FORWARDED", "false")); err != nil {
		return c, fmt.Errorf("CLASSMATE_GATE_TRUST_FORWARDED must be true or false")
	}
	if c.Tokens, err = token.FromEnv(getenv, c.Development); err != nil {
		return c, err
	}
	return c, nil
}

// LogValue lists the effective configuration with secrets masked.
func (c Config) LogValue() []any {
	return []any{
		"development", c.Development, "addr", c.Addr, "core_urls", c.CoreURLs,
		"redis", c.RedisAddr, "redis_password", mask(c.RedisPassword), "redis_prefix", c.RedisPrefix, "redis_autopipeline", c.RedisAutoPipeline, "room", c.Room,
		"admin_token", mask(c.AdminToken),
		"session_keys", c.Tokens.Session.IDs(), "admission_keys", c.Tokens.Admission.IDs(),
		"rate_ip", c.Limits.IPRate, "burst_ip", c.Limits.IPBurst,
		"rate_student", c.Limits.StudentRate, "burst_student", c.Limits.StudentBurst,
		"trust_forwarded", c.TrustForwarded, "grace", c.Grace, "tick", c.Tick, "push_tick", c.PushTick, "lock_ttl", c.LockTTL,
		"proxy_timeout", c.ProxyTimeout, "proxy_max_conns", c.ProxyMaxConns, "request_timeout", c.RequestTimeout,
		"aimd_p99", c.AIMDP99, "aimd_error_rate", c.AIMDErrorRate, "dev_room", c.Development && c.DevRoom,
		"instance", c.Instance,
	}
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}
