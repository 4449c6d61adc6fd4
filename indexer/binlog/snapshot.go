package binlog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"classmate/indexer"
)

// snapshotChunk is how many rows the snapshot writes to the sink at once.
const snapshotChunk = 1000

// checkServer refuses a primary whose binlog the streamer cannot decode by
// column name.
func (s *Streamer) checkServer(ctx context.Context) error {
	var format, image, metadata, version string
	err := s.db.QueryRowContext(ctx,
		"SELECT @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image, @@GLOBAL.binlog_row_metadata, VERSION()").
		Scan(&format, &image, &metadata, &version)
	if err != nil {
		return fmt.Errorf("binlog: read server settings: %w", err)
	}
	if !strings.Contains(strings.ToLower(version), "mariadb") {
		return fmt.Errorf("binlog: %s is not MariaDB; only the MariaDB flavor is supported", version)
	}
	if format != "ROW" || image != "FULL" || metadata != "FULL" {
		return fmt.Errorf("binlog: the primary needs binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL (has %s, %s, %s)",
			format, image, metadata)
	}
	return nil
}

// resync takes a consistent snapshot of the table, writes every row to the
// sink, deletes the documents of rows the snapshot does not hold, and
// commits the snapshot's binlog position as the checkpoint.
func (s *Streamer) resync(ctx context.Context, sink indexer.Sink, cps indexer.CheckpointStore) (indexer.Checkpoint, error) {
	start := time.Now()
	cp, seen, err := s.snapshot(ctx, sink)
	if err != nil {
		return cp, err
	}
	// The index may hold rows deleted while no binlog was read (a first
	// start after a crash, a TRUNCATE): delete those, each with the version
	// it has, which a tombstone outranks.
	if err := sink.Flush(ctx); err != nil {
		return cp, err
	}
	live, err := sink.Versions(ctx)
	if err != nil {
		return cp, err
	}
	var gone []indexer.Change
	for id, v := range live {
		if !seen[id] {
			gone = append(gone, indexer.Delete(id, v, time.Time{}))
		}
	}
	if err := sink.Write(ctx, gone); err != nil {
		return cp, err
	}
	if err := s.commit(ctx, sink, cps, cp); err != nil {
		return cp, err
	}
	snapshotsTotal.Inc()
	s.cfg.Log.Info("snapshot done", "rows", len(seen), "deleted", len(gone), "file", cp.File, "pos", cp.Pos,
		"gtid", cp.GTID, "took", time.Since(start).Round(time.Millisecond).String())
	return cp, nil
}

// snapshot reads the table in one consistent-snapshot transaction and
// writes its rows to the sink. It returns the binlog position the snapshot
// is consistent with and the ids it saw.
func (s *Streamer) snapshot(ctx context.Context, sink indexer.Sink) (indexer.Checkpoint, map[int64]bool, error) {
	cp := indexer.Checkpoint{Source: s.source}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return cp, nil, fmt.Errorf("binlog: snapshot connection: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
		return cp, nil, fmt.Errorf("binlog: snapshot: %w", err)
	}
	if _, err := c.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
		return cp, nil, fmt.Errorf("binlog: start snapshot: %w", err)
	}
	defer c.ExecContext(context.Background(), "ROLLBACK")

	// MariaDB reports the binlog position the snapshot is consistent with
	// in these session status variables; no FLUSH TABLES WITH READ LOCK.
	rows, err := c.QueryContext(ctx, "SHOW SESSION STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')")
	if err != nil {
		return cp, nil, fmt.Errorf("binlog: snapshot position: %w", err)
	}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			rows.Close()
			return cp, nil, err
		}
		switch strings.ToLower(name) {
		case "binlog_snapshot_file":
			cp.File = value
		case "binlog_snapshot_position":
			var p uint64
			fmt.Sscan(value, &p)
			cp.Pos = uint32(p)
		}
	}
	rows.Close()
	if cp.File == "" || cp.Pos == 0 {
		return cp, nil, fmt.Errorf("binlog: the primary reports no snapshot position; is log_bin on?")
	}
	var gtid sql.NullString
	if err := c.QueryRowContext(ctx, "SELECT BINLOG_GTID_POS(?, ?)", cp.File, cp.Pos).Scan(&gtid); err != nil {
		return cp, nil, fmt.Errorf("binlog: gtid of the snapshot: %w", err)
	}
	cp.GTID = gtid.String

	seen := map[int64]bool{}
	rows, err = c.QueryContext(ctx, "SELECT * FROM `"+s.conn.database+"`.`"+s.cfg.Table+"`")
	if err != nil {
		return cp, nil, fmt.Errorf("binlog: snapshot read: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return cp, nil, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var chunk []indexer.Change
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return cp, nil, fmt.Errorf("binlog: snapshot scan: %w", err)
		}
		row := make(indexer.Row, len(cols))
		for i, name := range cols {
			if vals[i] != nil {
				row[strings.ToLower(name)] = string(vals[i])
			}
		}
		d, err := indexer.DocumentFromRow(row)
		if err != nil {
			return cp, nil, fmt.Errorf("binlog: snapshot row: %w", err)
		}
		seen[d.ID] = true
		if chunk = append(chunk, indexer.Upsert(d, time.Time{})); len(chunk) == snapshotChunk {
			if err := sink.Write(ctx, chunk); err != nil {
				return cp, nil, err
			}
			chunk = chunk[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return cp, nil, fmt.Errorf("binlog: snapshot read: %w", err)
	}
	if err := sink.Write(ctx, chunk); err != nil {
		return cp, nil, err
	}
	return cp, seen, nil
}
