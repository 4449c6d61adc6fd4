package loadgen

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Config is the load generator's configuration: flags, with defaults taken
// from the CLASSMATE_* environment the services read.
type Config struct {
	Gate          string // base URL of the gate (the public entry)
	Core          string // base URL of the core (admin routes, direct baselines)
	AdminToken    string
	MySQLDSN      string
	ReplicaDSN    string // for the replica lag over time (optional)
	RedisAddr     string
	RedisPassword string
	RedisPrefix   string // the core's key prefix
	Password      string // every demo student's password

	SourceBase     string // first source address
	Sources        int    // number of source addresses (at least)
	ConnsPerSource int    // HTTP keep-alive connections per source address

	Out          string // directory of results.json and report.html
	Size         string // short or full
	Repeat       int    // runs per scenario; figures are medians
	Seed         uint64
	Poll         bool          // poll /queue/v1/status instead of holding a WebSocket
	PollInterval time.Duration // between polls
	SessionCache string        // file of session tokens kept between runs
	Repo         string        // module root, for the benchmarks S6 runs with go test
	Timeout      time.Duration // bound of each scenario run
	Quiet        bool
	CPUProfile   string // write the load generator's own CPU profile here

	S1 S1Config
	S2 S2Config
	S3 S3Config
	S4 S4Config
	S5 S5Config
	S6 S6Config
}

// S1Config sizes the opening rush.
type S1Config struct {
	Students   int
	Attempts   int
	ZipfS      float64
	Think      time.Duration // mean think time before each attempt
	JoinWindow time.Duration // students join uniformly within this after the opening
	Lead       time.Duration // from configuring the room to its opening
	MaxActive  int
	AdmitRate  float64
}

// S2Config sizes the hot course.
type S2Config struct {
	Students int
	Capacity int
}

// S3Config sizes the waiting crowd.
type S3Config struct {
	Clients int
	Hold    time.Duration
}

// S4Config sizes the search storm.
type S4Config struct {
	Clients  int
	Duration time.Duration
	Rate     int // offered searches/s of the paced half
}

// S5Config sizes the CDC freshness run.
type S5Config struct {
	Rate        int
	Duration    time.Duration
	Courses     int
	SampleEvery int // measure the freshness of one update in SampleEvery
}

// S6Config sizes the commit-path benchmark.
type S6Config struct {
	Benchtime string
}

// sizes are the presets of -size; a flag given explicitly wins.
var sizes = map[string]map[string]string{
	"short": {
		"s1-students": "5000", "s2-students": "5000", "s3-clients": "10000", "s3-hold": "15s",
		"s4-duration": "10s", "s5-duration": "10s", "s6-benchtime": "1x", "repeat": "1",
	},
	"full": {
		"s1-students": "20000", "s2-students": "5000", "s3-clients": "100000", "s3-hold": "60s",
		"s4-duration": "30s", "s5-duration": "30s", "s6-benchtime": "3x", "repeat": "3",
	},
}

// parseFlags parses args (after the command name) into a Config.
func parseFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var c Config
	fs := flag.NewFlagSet("loadgen "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Gate, "gate", env("CLASSMATE_LOADGEN_GATE", "http://127.0.0.1:8080"), "gate base URL (loopback only)")
	fs.StringVar(&c.Core, "core", env("CLASSMATE_LOADGEN_CORE", "http://127.0.0.1:8081"), "core base URL (loopback only): admin routes and direct baselines")
	fs.StringVar(&c.AdminToken, "admin-token", env("CLASSMATE_ADMIN_TOKEN", "dev-admin-token"), "admin token of gate and core")
	fs.StringVar(&c.MySQLDSN, "mysql", env("CLASSMATE_MYSQL_DSN", "classmate:classmate@tcp(127.0.0.1:33061)/classmate"), "MySQL DSN, for the invariant checks and resets")
	fs.StringVar(&c.ReplicaDSN, "mysql-replica", env("CLASSMATE_MYSQL_REPLICA_DSN", ""), "MySQL replica DSN, for the replication lag over time (optional)")
	fs.StringVar(&c.RedisAddr, "redis", env("CLASSMATE_REDIS_ADDR", "127.0.0.1:63791"), "Redis address, for the invariant checks")
	fs.StringVar(&c.RedisPassword, "redis-password", env("CLASSMATE_REDIS_PASSWORD", ""), "Redis password")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("CLASSMATE_REDIS_PREFIX", "classmate:"), "the core's Redis key prefix")
	fs.StringVar(&c.Password, "password", "classmate", "password of the demo students")
	fs.StringVar(&c.SourceBase, "source", "127.0.0.2", "first loopback source address; the next ones follow")
	fs.IntVar(&c.Sources, "sources", 32, "source addresses to spread connections over (more are added for ~25,000 sockets each)")
	fs.IntVar(&c.ConnsPerSource, "conns", 16, "HTTP keep-alive connections per source address")
	fs.StringVar(&c.Out, "out", "bench-results/latest", "directory for results.json and report.html")
	fs.StringVar(&c.Size, "size", "short", "short (make bench) or full (BENCHMARKS.md sizes)")
	fs.IntVar(&c.Repeat, "repeat", 1, "runs per scenario; the figures are medians")
	fs.Uint64Var(&c.Seed, "seed", 2026, "random seed of course choices and think times")
	fs.BoolVar(&c.Poll, "poll", false, "poll /queue/v1/status instead of holding a WebSocket")
	fs.DurationVar(&c.PollInterval, "poll-interval", time.Second, "interval between status polls with -poll")
	fs.StringVar(&c.SessionCache, "session-cache", env("CLASSMATE_LOADGEN_SESSIONS", ""), "file keeping session tokens between runs (empty: log in every run)")
	fs.StringVar(&c.Repo, "repo", ".", "module root, where S6 runs go test")
	fs.DurationVar(&c.Timeout, "timeout", 5*time.Minute, "bound of each scenario run")
	fs.BoolVar(&c.Quiet, "quiet", false, "no progress lines")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write the load generator's own CPU profile to this file")

	fs.IntVar(&c.S1.Students, "s1-students", 20000, "S1: students in the rush")
	fs.IntVar(&c.S1.Attempts, "s1-attempts", 6, "S1: enrollment attempts per student")
	fs.Float64Var(&c.S1.ZipfS, "zipf", 1.1, "S1: Zipf exponent of course demand (> 1)")
	fs.DurationVar(&c.S1.Think, "think", 200*time.Millisecond, "S1: mean think time before each attempt (exponential)")
	fs.DurationVar(&c.S1.JoinWindow, "join-window", 2*time.Second, "S1: students join within this after the opening")
	fs.DurationVar(&c.S1.Lead, "lead", 3*time.Second, "S1: from configuring the room to its opening")
	fs.IntVar(&c.S1.MaxActive, "max-active", 2000, "S1: room max_active")
	fs.Float64Var(&c.S1.AdmitRate, "admit-rate", 2000, "S1: room admit_per_second")
	fs.IntVar(&c.S2.Students, "s2-students", 5000, "S2: admitted students firing at once")
	fs.IntVar(&c.S2.Capacity, "s2-capacity", 100, "S2: seats of the hot course")
	fs.IntVar(&c.S3.Clients, "s3-clients", 100000, "S3: students holding a WebSocket")
	fs.DurationVar(&c.S3.Hold, "s3-hold", 60*time.Second, "S3: how long they hold it")
	fs.IntVar(&c.S4.Clients, "s4-clients", 2000, "S4: concurrent search clients")
	fs.DurationVar(&c.S4.Duration, "s4-duration", 30*time.Second, "S4: length of the storm (half closed loop, half paced)")
	fs.IntVar(&c.S4.Rate, "s4-rate", 10000, "S4: offered searches/s of the paced half")
	fs.IntVar(&c.S5.Rate, "s5-rate", 1000, "S5: course updates per second")
	fs.DurationVar(&c.S5.Duration, "s5-duration", 30*time.Second, "S5: length of the update stream")
	fs.IntVar(&c.S5.Courses, "s5-courses", 200, "S5: courses the updates rotate over")
	fs.IntVar(&c.S5.SampleEvery, "s5-sample", 10, "S5: measure the freshness of one update in this many")
	fs.StringVar(&c.S6.Benchtime, "s6-benchtime", "3x", "S6: -benchtime of the go test benchmarks")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	preset, ok := sizes[c.Size]
	if !ok {
		return c, fmt.Errorf("-size must be short or full, not %q", c.Size)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for k, v := range preset {
		if !set[k] {
			if err := fs.Set(k, v); err != nil {
				return c, err
			}
		}
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	for _, u := range []struct{ what, url string }{{"-gate", c.Gate}, {"-core", c.Core}} {
		if _, err := hostPort(u.what, u.url); err != nil {
			return err
		}
	}
	if err := checkLoopback("-redis", c.RedisAddr); err != nil {
		return err
	}
	switch {
	case c.S1.ZipfS <= 1:
		return fmt.Errorf("-zipf must be > 1")
	case c.Repeat < 1 || c.Repeat > 20:
		return fmt.Errorf("-repeat must be 1–20")
	case c.S1.Students < 1 || c.S2.Students < 1 || c.S3.Clients < 1 || c.S4.Clients < 1:
		return fmt.Errorf("scenario sizes must be positive")
	case c.S1.Students > 1_000_000 || c.S3.Clients > 1_000_000 || c.S2.Students > 1_000_000:
		return fmt.Errorf("at most 1,000,000 simulated students per scenario")
	case c.Timeout <= 0 || c.Timeout > 2*time.Hour:
		return fmt.Errorf("-timeout must be in (0, 2h]")
	case c.S3.Hold > time.Hour || c.S4.Duration > time.Hour || c.S5.Duration > time.Hour:
		return fmt.Errorf("durations are bounded to an hour")
	case c.S4.Rate < 1 || c.S4.Rate > 1_000_000:
		return fmt.Errorf("-s4-rate must be 1–1,000,000")
	case c.S5.Rate < 1 || c.S5.Rate > 100000 || c.S5.Courses < 1 || c.S5.SampleEvery < 1:
		return fmt.Errorf("-s5-rate must be 1–100000, -s5-courses and -s5-sample positive")
	}
	return nil
}
