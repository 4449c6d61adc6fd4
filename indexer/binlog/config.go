// Package binlog is the change data capture of the indexer: it reads the
// courses table of a MariaDB primary as a replica would, with
// github.com/go-mysql-org/go-mysql.
//
// On first start (no checkpoint) it takes a snapshot consistent with a
// binlog position: START TRANSACTION WITH CONSISTENT SNAPSHOT, then
// MariaDB's binlog_snapshot_file and binlog_snapshot_position status
// variables and BINLOG_GTID_POS, without any global lock. It then tails the
// row binlog from that position and writes each committed transaction's
// changes to a sink, flushing every FlushInterval; the position is
// checkpointed only after the sink has flushed, so a crash replays changes
// rather than losing them. A restart resumes from the checkpoint's file and
// offset, or from its GTID when the primary no longer has that file.
//
// Schema changes: rows are decoded by the column names the primary writes
// into every table map event (binlog_row_metadata=FULL, checked at start),
// never by column position, so ALTER TABLE … ADD, DROP or reorder of
// columns cannot mis-map them. Statements that remove rows without row
// events (TRUNCATE, DROP, RENAME of the table, DROP DATABASE) and a
// checkpoint the primary has no binlog for trigger a re-snapshot, which
// also deletes the documents of rows that are gone. A row without its id
// or version column stops the streamer with an error.
package binlog

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"classmate/indexer"
)

// Config configures a Streamer. Zero values take the defaults.
type Config struct {
	// DSN reaches the primary (go-sql-driver format). Its database holds
	// the watched table; the user needs REPLICATION SLAVE and SELECT.
	DSN string
	// Table is the watched table, "courses" by default.
	Table string
	// ServerID is the replica server id the streamer registers with; it
	// must be unique among the primary's replicas. 0 picks a random one.
	ServerID uint32
	// FlushInterval bounds how long a committed change waits in the
	// buffer before the sink flushes it (default 50 ms).
	FlushInterval time.Duration
	// MaxBatch flushes earlier once this many changes wait (default 2000).
	MaxBatch int
	// CheckpointInterval is how often the position is saved when only
	// other tables changed (default 1 s).
	CheckpointInterval time.Duration
	// Log receives progress and errors (default slog.Default()).
	Log *slog.Logger
	// Observe, when set, receives each flushed change and its lag from
	// binlog event time to searchable, as the lag histogram records it.
	// It is called from the streamer's goroutine and must be quick.
	Observe func(c indexer.Change, lag time.Duration)
}

// conn is what the streamer needs from the DSN.
type conn struct {
	cfg      *mysql.Config
	host     string
	port     uint16
	database string
}

func (c *Config) defaults() (conn, error) {
	var cn conn
	if c.Table == "" {
		c.Table = "courses"
	}
	if c.ServerID == 0 {
		c.ServerID = 100000 + rand.Uint32N(1<<30)
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 50 * time.Millisecond
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 2000
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = time.Second
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	cfg, err := mysql.ParseDSN(c.DSN)
	if err != nil {
		return cn, fmt.Errorf("binlog: dsn: %w", err)
	}
	if cfg.DBName == "" {
		return cn, fmt.Errorf("binlog: the dsn names no database")
	}
	if cfg.Net != "tcp" {
		return cn, fmt.Errorf("binlog: the dsn must use tcp, not %s", cfg.Net)
	}
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		host, portStr = cfg.Addr, "3306"
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return cn, fmt.Errorf("binlog: port %q: %w", portStr, err)
	}
	// The snapshot reads rows with the text protocol, in UTC.
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	return conn{cfg: cfg, host: host, port: uint16(port), database: cfg.DBName}, nil
}

// source names the watched table of the primary, for checkpoints.
func (cn conn) source(table string) string {
	return net.JoinHostPort(cn.host, strconv.Itoa(int(cn.port))) + "/" + cn.database + "." + table
}
