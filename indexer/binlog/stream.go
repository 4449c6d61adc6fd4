package binlog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"classmate/indexer"
)

// errResync asks Run for a new snapshot: the binlog cannot tell what
// happened to the table (see the package comment).
var errResync = errors.New("binlog: table changed without row events")

// Streamer is the change data capture of one table. Create it with New,
// then call Run once; Ready and Source are safe for concurrent use.
type Streamer struct {
	cfg    Config
	conn   conn
	source string
	db     *sql.DB
	ready  atomic.Bool

	// Patterns of compileDDL.
	tableName, qualified, dropDB *regexp.Regexp
}

// New checks cfg and opens a small connection pool to the primary; Close
// releases it.
func New(cfg Config) (*Streamer, error) {
	cn, err := cfg.defaults()
	if err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cn.cfg)
	if err != nil {
		return nil, fmt.Errorf("binlog: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(2)
	s := &Streamer{cfg: cfg, conn: cn, source: cn.source(cfg.Table), db: db}
	s.compileDDL()
	return s, nil
}

// Close closes the connection pool. Call it after Run returned.
func (s *Streamer) Close() error { return s.db.Close() }

// Source is the checkpoint source of the watched table,
// "host:port/database.table".
func (s *Streamer) Source() string { return s.source }

// ServerID is the replica server id the streamer registers with.
func (s *Streamer) ServerID() uint32 { return s.cfg.ServerID }

// Ready reports whether the sink holds a complete snapshot and the
// streamer is tailing the binlog.
func (s *Streamer) Ready() bool { return s.ready.Load() }

// Run snapshots the table when cps has no checkpoint yet (a checkpoint of
// another source is an error: the sink belongs to another database), then
// tails the binlog into sink until ctx ends (nil error) or something fails.
// After a failure the sink may hold changes beyond the checkpoint; calling
// Run again (on a new Streamer or the same) replays them, which the sink's
// rank rule makes harmless.
func (s *Streamer) Run(ctx context.Context, sink indexer.Sink, cps indexer.CheckpointStore) error {
	defer s.ready.Store(false)
	if err := s.checkServer(ctx); err != nil {
		return err
	}
	cp, ok, err := cps.LoadCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("binlog: load checkpoint: %w", err)
	}
	if ok && cp.Source != s.source {
		// Row versions of two databases do not compare: the sink's
		// documents could outrank this source's rows forever.
		return fmt.Errorf("binlog: the index was built from %s, not %s; use another index (or delete it)", cp.Source, s.source)
	}
	if !ok {
		if cp, err = s.resync(ctx, sink, cps); err != nil {
			return ignoreDone(ctx, err)
		}
	} else {
		s.cfg.Log.Info("resuming", "file", cp.File, "pos", cp.Pos, "gtid", cp.GTID)
	}
	for {
		err := s.tail(ctx, sink, cps, cp)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errResync):
			s.cfg.Log.Warn("re-snapshot", "reason", err)
		case isPurged(err) && cp.File != "" && cp.GTID != "":
			s.cfg.Log.Warn("the checkpoint's binlog file is gone; trying its GTID", "err", err)
			cp.File = ""
			continue
		case isPurged(err):
			s.cfg.Log.Warn("the checkpoint's binlog is gone; re-snapshot", "err", err)
		default:
			return err
		}
		s.ready.Store(false)
		if cp, err = s.resync(ctx, sink, cps); err != nil {
			return ignoreDone(ctx, err)
		}
	}
}

// commit writes buffered changes and the checkpoint: atomically when the
// sink can, else flush first and save the checkpoint after.
func (s *Streamer) commit(ctx context.Context, sink indexer.Sink, cps indexer.CheckpointStore, cp indexer.Checkpoint) error {
	cp.Source = s.source
	cp.Saved = time.Now().UTC()
	if c, ok := sink.(indexer.Committer); ok {
		if err := c.Commit(ctx, cp); err != nil {
			return fmt.Errorf("binlog: commit: %w", err)
		}
		return nil
	}
	if err := sink.Flush(ctx); err != nil {
		return fmt.Errorf("binlog: flush: %w", err)
	}
	if err := cps.SaveCheckpoint(ctx, cp); err != nil {
		return fmt.Errorf("binlog: save checkpoint: %w", err)
	}
	return nil
}

func ignoreDone(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
