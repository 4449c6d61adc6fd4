package binlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"classmate/indexer"
)

// tailer is the state of one binlog connection: the committed position,
// the changes of the transaction being read, and those read but not yet
// flushed.
type tailer struct {
	s     *Streamer
	sink  indexer.Sink
	cps   indexer.CheckpointStore
	pos   position
	saved time.Time // when the last checkpoint was saved
	dirty bool      // pos moved since the last checkpoint

	txn     []indexer.Change // rows of the open transaction
	txnGTID gomysql.MariadbGTID
	pending []indexer.Change // committed, not yet flushed
	first   time.Time        // when pending got its first change
}

// tail reads the binlog from cp until ctx ends or an error.
func (s *Streamer) tail(ctx context.Context, sink indexer.Sink, cps indexer.CheckpointStore, cp indexer.Checkpoint) error {
	t := &tailer{s: s, sink: sink, cps: cps, saved: time.Now()}
	if err := t.pos.set(cp); err != nil {
		return err
	}
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID:        s.cfg.ServerID,
		Flavor:          gomysql.MariaDBFlavor,
		Host:            s.conn.host,
		Port:            s.conn.port,
		User:            s.conn.cfg.User,
		Password:        s.conn.cfg.Passwd,
		Charset:         "utf8mb4",
		HeartbeatPeriod: time.Second,
		ReadTimeout:     10 * time.Second,
		// A broken connection ends tail; Run's caller restarts from the
		// checkpoint, which is the one position known to be flushed.
		DisableRetrySync: true,
		Logger:           slog.New(slog.DiscardHandler),
		// Rows of other tables are skipped undecoded: the binlog carries
		// every database of the server.
		RowsEventDecodeFunc: s.decodeRows,
	})
	defer syncer.Close()

	// From the file and offset when known: the primary seeks there at
	// once, while a GTID start scans the binlog file for the GTID. The GTID
	// is the fallback (a checkpoint written without a position).
	var stream *replication.BinlogStreamer
	var err error
	if cp.File != "" {
		stream, err = syncer.StartSync(gomysql.Position{Name: cp.File, Pos: cp.Pos})
	} else {
		var set gomysql.GTIDSet
		if set, err = gomysql.ParseMariadbGTIDSet(cp.GTID); err == nil {
			stream, err = syncer.StartSyncGTID(set)
		}
	}
	if err != nil {
		return fmt.Errorf("binlog: start replication: %w", err)
	}

	for {
		// Flush on time even while events keep coming: the binlog carries
		// every database of the server, and a busy neighbour must not
		// hold our changes back.
		if t.due() {
			if err := t.flush(ctx); err != nil {
				return err
			}
		}
		wait := s.cfg.CheckpointInterval
		switch {
		case len(t.pending) > 0:
			wait = time.Until(t.first.Add(s.cfg.FlushInterval))
		case t.dirty:
			wait = time.Until(t.saved.Add(s.cfg.CheckpointInterval))
		}
		ev, err := getEvent(ctx, stream, wait)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, context.DeadlineExceeded) {
			continue
		}
		if err != nil {
			return fmt.Errorf("binlog: read: %w", err)
		}
		// Ready once the primary streams from the position.
		s.ready.Store(true)
		if err := t.handle(ev); err != nil {
			return err
		}
	}
}

// due reports whether it is time to flush: changes have waited
// FlushInterval or MaxBatch of them wait, or only the position moved and
// CheckpointInterval has passed since the last checkpoint.
func (t *tailer) due() bool {
	cfg := &t.s.cfg
	if len(t.pending) > 0 {
		return len(t.pending) >= cfg.MaxBatch || time.Since(t.first) >= cfg.FlushInterval
	}
	return t.dirty && time.Since(t.saved) >= cfg.CheckpointInterval
}

// getEvent waits at most wait for the next event.
func getEvent(ctx context.Context, stream *replication.BinlogStreamer, wait time.Duration) (*replication.BinlogEvent, error) {
	if wait <= 0 {
		wait = time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return stream.GetEvent(ctx)
}

// flush writes the pending changes and saves the position.
func (t *tailer) flush(ctx context.Context) error {
	if len(t.pending) > 0 {
		if err := t.sink.Write(ctx, t.pending); err != nil {
			return fmt.Errorf("binlog: write: %w", err)
		}
	}
	if err := t.s.commit(ctx, t.sink, t.cps, t.pos.checkpoint()); err != nil {
		return err
	}
	now := time.Now()
	for _, c := range t.pending {
		if !c.At.IsZero() {
			observeLag(c, now.Sub(c.At), t.s.cfg.Observe)
		}
	}
	changesTotal.Add(len(t.pending))
	batchesTotal.Inc()
	t.pending, t.saved, t.dirty = t.pending[:0], now, false
	return nil
}

// isPurged reports whether err is the primary refusing a position it no
// longer has (ER_MASTER_FATAL_ERROR_READING_BINLOG, 1236).
func isPurged(err error) bool {
	var e *gomysql.MyError
	return errors.As(err, &e) && e.Code == 1236
}
