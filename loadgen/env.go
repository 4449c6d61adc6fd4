package loadgen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

// Env is what every scenario of one invocation shares: the clients, the
// database and Redis the invariants are checked against, the students'
// sessions and the catalogue.
type Env struct {
	Cfg      Config
	Log      io.Writer // progress lines
	Src      *Sources
	Gate     *Client
	Core     *Client
	Sockets  *Sockets
	DB       *sql.DB
	Replica  *sql.DB // nil without -mysql-replica
	Redis    *redis.Client
	Sessions *Sessions
	// Catalogue is the courses table as the run started.
	Catalogue []CatalogueCourse
	GatePID   int
	CorePID   int
	MySQLPID  int // the primary, when on this machine
	RedisPID  int
	FileLimit uint64
	// Ceilings are measured once per invocation: the in-run baselines.
	Ceilings map[string]Figure
}

// CatalogueCourse is a course as the scenarios choose it.
type CatalogueCourse struct {
	ID        int64
	Code      string
	Title     string
	Professor string
	Capacity  int
	Credits   int
}

// openEnv connects to everything. sockets is the largest number of
// WebSockets the invocation may hold at once, which sizes the source
// addresses and the file limit.
func openEnv(ctx context.Context, c Config, log io.Writer, sockets int) (*Env, error) {
	e := &Env{Cfg: c, Log: log, Ceilings: map[string]Figure{}}
	e.FileLimit = raiseFileLimit(uint64(sockets) + uint64(c.Sources*c.ConnsPerSource*2) + 4096)
	var err error
	if e.Src, err = NewSources(c.SourceBase, SourcesFor(sockets, c.Sources)); err != nil {
		return nil, err
	}
	if e.Gate, err = NewClient(e.Src, c.Gate, c.ConnsPerSource); err != nil {
		return nil, err
	}
	if e.Core, err = NewClient(e.Src, c.Core, c.ConnsPerSource); err != nil {
		return nil, err
	}
	e.Sockets = NewSockets(e.Src, e.Gate.Addr)
	e.GatePID = listenerPID(e.Gate.Addr)
	e.CorePID = listenerPID(e.Core.Addr)

	dsn, err := mysql.ParseDSN(c.MySQLDSN)
	if err != nil {
		return nil, fmt.Errorf("-mysql: %w", err)
	}
	if err := checkLoopback("-mysql", dsn.Addr); err != nil {
		return nil, err
	}
	e.MySQLPID = listenerPID(dsn.Addr)
	e.RedisPID = listenerPID(c.RedisAddr)
	dsn.ParseTime = true
	dsn.Loc = time.UTC
	if e.DB, err = sql.Open("mysql", dsn.FormatDSN()); err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	e.DB.SetMaxOpenConns(16)
	if c.ReplicaDSN != "" {
		rd, err := mysql.ParseDSN(c.ReplicaDSN)
		if err != nil {
			return nil, fmt.Errorf("-mysql-replica: %w", err)
		}
		if err := checkLoopback("-mysql-replica", rd.Addr); err != nil {
			return nil, err
		}
		if e.Replica, err = sql.Open("mysql", rd.FormatDSN()); err != nil {
			return nil, fmt.Errorf("open replica: %w", err)
		}
		e.Replica.SetMaxOpenConns(2)
	}
	e.Redis = redis.NewClient(&redis.Options{Addr: c.RedisAddr, Password: c.RedisPassword, PoolSize: 64})
	e.Sessions = &Sessions{Client: e.Gate, Password: c.Password, File: c.SessionCache}

	for _, check := range []struct {
		what string
		err  func() error
	}{
		{"mysql " + dsn.Addr, func() error { return e.DB.PingContext(ctx) }},
		{"redis " + c.RedisAddr, func() error { return e.Redis.Ping(ctx).Err() }},
		{"gate " + c.Gate, func() error { return e.ready(e.Gate) }},
		{"core " + c.Core, func() error { return e.ready(e.Core) }},
	} {
		if err := check.err(); err != nil {
			e.Close()
			return nil, fmt.Errorf("%s is not ready: %w", check.what, err)
		}
	}
	if err := e.loadCatalogue(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Env) ready(c *Client) error {
	r := c.Call(nil, 0, "GET", "/readyz", "", nil)
	if r.Err != nil {
		return r.Err
	}
	if r.Status != 200 {
		return fmt.Errorf("/readyz answered %d", r.Status)
	}
	return nil
}

// loadCatalogue reads the catalogue's courses (the demo courses, not those
// a scenario created).
func (e *Env) loadCatalogue(ctx context.Context) error {
	rows, err := e.DB.QueryContext(ctx,
		"SELECT id, code, title, professor, capacity, credits FROM courses WHERE code NOT LIKE 'LG-%' ORDER BY id")
	if err != nil {
		return fmt.Errorf("read catalogue: %w", err)
	}
	defer rows.Close()
	e.Catalogue = e.Catalogue[:0]
	for rows.Next() {
		var c CatalogueCourse
		if err := rows.Scan(&c.ID, &c.Code, &c.Title, &c.Professor, &c.Capacity, &c.Credits); err != nil {
			return fmt.Errorf("read catalogue: %w", err)
		}
		e.Catalogue = append(e.Catalogue, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read catalogue: %w", err)
	}
	if len(e.Catalogue) == 0 {
		return fmt.Errorf("the courses table is empty: load the demo data first (go run ./cmd/seed)")
	}
	return nil
}

// Close releases the connections.
func (e *Env) Close() {
	if e.DB != nil {
		e.DB.Close()
	}
	if e.Replica != nil {
		e.Replica.Close()
	}
	if e.Redis != nil {
		e.Redis.Close()
	}
}

// logf prints a progress line unless quiet.
func (e *Env) logf(format string, args ...any) {
	if e.Cfg.Quiet {
		return
	}
	fmt.Fprintf(e.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

// replicaLag returns the replica's Seconds_Behind_Master, or -1 when
// unknown.
func (e *Env) replicaLag(ctx context.Context) float64 {
	if e.Replica == nil {
		return -1
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	rows, err := e.Replica.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return -1
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil || !rows.Next() {
		return -1
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if rows.Scan(ptrs...) != nil {
		return -1
	}
	for i, c := range cols {
		if c == "Seconds_Behind_Master" && vals[i].Valid {
			var n float64
			if _, err := fmt.Sscan(vals[i].String, &n); err == nil {
				return n
			}
		}
	}
	return -1
}
