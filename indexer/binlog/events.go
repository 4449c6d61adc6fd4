package binlog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"classmate/indexer"
)

// position is the binlog position after the last committed transaction:
// the file and offset, and the last GTID of every replication domain.
type position struct {
	file string
	pos  uint32
	gtid map[uint32]gomysql.MariadbGTID
}

func (p *position) set(cp indexer.Checkpoint) error {
	p.file, p.pos, p.gtid = cp.File, cp.Pos, map[uint32]gomysql.MariadbGTID{}
	for _, s := range strings.Split(cp.GTID, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		g, err := gomysql.ParseMariadbGTID(s)
		if err != nil {
			return fmt.Errorf("binlog: checkpoint gtid %q: %w", cp.GTID, err)
		}
		p.gtid[g.DomainID] = *g
	}
	return nil
}

func (p *position) checkpoint() indexer.Checkpoint {
	domains := make([]uint32, 0, len(p.gtid))
	for d := range p.gtid {
		domains = append(domains, d)
	}
	sort.Slice(domains, func(i, j int) bool { return domains[i] < domains[j] })
	parts := make([]string, len(domains))
	for i, d := range domains {
		g := p.gtid[d]
		parts[i] = g.String()
	}
	return indexer.Checkpoint{GTID: strings.Join(parts, ","), File: p.file, Pos: p.pos}
}

// handle applies one event to the tailer's state.
func (t *tailer) handle(ev *replication.BinlogEvent) error {
	switch e := ev.Event.(type) {
	case *replication.RotateEvent:
		t.pos.file, t.pos.pos = string(e.NextLogName), uint32(e.Position)
	case *replication.MariadbGTIDEvent:
		t.txn, t.txnGTID = t.txn[:0], e.GTID
	case *replication.RowsEvent:
		if len(e.Rows) == 0 || !t.s.watched(e.Table) {
			return nil
		}
		changes, err := decode(e, eventTime(ev.Header))
		if err != nil {
			return err
		}
		t.txn = append(t.txn, changes...)
	case *replication.XIDEvent:
		t.commitTxn(ev.Header)
	case *replication.QueryEvent:
		q := strings.TrimSpace(string(e.Query))
		if strings.EqualFold(q, "BEGIN") {
			return nil
		}
		if t.s.resyncs(string(e.Schema), q) {
			return fmt.Errorf("%w: %.200s", errResync, q)
		}
		// COMMIT of a non-transactional group, or a statement (DDL) that
		// is a transaction of its own.
		t.commitTxn(ev.Header)
	}
	return nil
}

// commitTxn moves the open transaction's changes to pending and advances
// the position past it.
func (t *tailer) commitTxn(h *replication.EventHeader) {
	if len(t.txn) > 0 {
		if len(t.pending) == 0 {
			t.first = time.Now()
		}
		t.pending = append(t.pending, t.txn...)
		t.txn = t.txn[:0]
	}
	if h.LogPos > 0 {
		t.pos.pos = h.LogPos
	}
	if t.txnGTID.SequenceNumber > 0 {
		t.pos.gtid[t.txnGTID.DomainID] = t.txnGTID
		t.txnGTID = gomysql.MariadbGTID{}
	}
	t.dirty = true
}

// eventTime is when the event was written; binlog timestamps have whole
// seconds.
func eventTime(h *replication.EventHeader) time.Time {
	return time.Unix(int64(h.Timestamp), 0)
}

// watched reports whether a table map names the watched table.
func (s *Streamer) watched(tm *replication.TableMapEvent) bool {
	return tm != nil && string(tm.Table) == s.cfg.Table && string(tm.Schema) == s.conn.database
}

// decodeRows is the streamer's RowsEventDecodeFunc: rows of tables other
// than the watched one are left undecoded.
func (s *Streamer) decodeRows(e *replication.RowsEvent, data []byte) error {
	pos, err := e.DecodeHeader(data)
	if err != nil {
		return err
	}
	if !s.watched(e.Table) {
		return nil
	}
	return e.DecodeData(pos, data)
}

// ddl matches statements that may remove or replace a table's rows
// without row events; group 2 is the rest of the statement.
var (
	ddl          = regexp.MustCompile(`(?is)^\s*(truncate|drop|rename|create|alter)\b(.*)$`)
	renameTable  = regexp.MustCompile(`\brename\b`)
	renameColumn = regexp.MustCompile(`\brename\s+(column|index|key)\b`)
)

// compileDDL prepares the patterns that find the watched table, or its
// database, in a statement.
func (s *Streamer) compileDDL() {
	db, table := regexp.QuoteMeta(strings.ToLower(s.conn.database)), regexp.QuoteMeta(strings.ToLower(s.cfg.Table))
	s.tableName = regexp.MustCompile(`(?:^|[^a-z0-9_$.])(?:` + db + `\.)?` + table + `(?:$|[^a-z0-9_$])`)
	s.qualified = regexp.MustCompile(`(?:^|[^a-z0-9_$.])` + db + `\.` + table + `(?:$|[^a-z0-9_$])`)
	s.dropDB = regexp.MustCompile(`^\s+(database|schema)\s+(if\s+exists\s+)?` + db + `\s*;?\s*$`)
}

// resyncs reports whether a statement, run with default schema schema,
// may have changed the watched table's rows without row events: TRUNCATE,
// DROP, RENAME or CREATE (OR REPLACE) of it, ALTER … RENAME, or DROP
// DATABASE of its database. Other ALTERs need nothing: rows are decoded by
// column name.
func (s *Streamer) resyncs(schema, q string) bool {
	m := ddl.FindStringSubmatch(q)
	if m == nil {
		return false
	}
	verb := strings.ToLower(m[1])
	rest := strings.ToLower(strings.ReplaceAll(m[2], "`", ""))
	mentioned := s.qualified.MatchString(rest) ||
		(strings.EqualFold(schema, s.conn.database) && s.tableName.MatchString(rest))
	switch {
	case verb == "drop" && s.dropDB.MatchString(rest):
		return true
	case !mentioned:
		return false
	case verb == "alter":
		return renameTable.MatchString(rest) && !renameColumn.MatchString(rest)
	}
	return true
}

// decode turns the rows of a rows event of the watched table into
// changes, by column name.
func decode(e *replication.RowsEvent, at time.Time) ([]indexer.Change, error) {
	names := e.Table.ColumnNameString()
	if len(names) == 0 {
		return nil, fmt.Errorf("binlog: table map of %s.%s has no column names; set binlog_row_metadata=FULL", e.Table.Schema, e.Table.Table)
	}
	unsigned := e.Table.UnsignedMap()
	row := func(image []any) indexer.Row {
		r := make(indexer.Row, len(image))
		for i, v := range image {
			if i < len(names) {
				r[strings.ToLower(names[i])] = widen(v, unsigned[i])
			}
		}
		return r
	}
	var out []indexer.Change
	kind := e.Type()
	step := 1
	if kind == replication.EnumRowsEventTypeUpdate {
		step = 2 // before and after images
	}
	for i := 0; i+step <= len(e.Rows); i += step {
		r := row(e.Rows[i+step-1])
		when := at
		// updated_at has microseconds; the event header only seconds.
		if t, ok := indexer.RowTime(r); ok && !t.Before(at) && t.Before(at.Add(time.Second)) {
			when = t
		}
		d, err := indexer.DocumentFromRow(r)
		if err != nil {
			return nil, fmt.Errorf("binlog: %s row: %w", kind, err)
		}
		if kind == replication.EnumRowsEventTypeDelete {
			out = append(out, indexer.Delete(d.ID, d.Version, when))
		} else {
			out = append(out, indexer.Upsert(d, when))
		}
	}
	return out, nil
}

// widen turns the binlog's signed integers of unsigned columns back into
// their values.
func widen(v any, unsigned bool) any {
	if !unsigned {
		return v
	}
	switch n := v.(type) {
	case int8:
		return uint64(uint8(n))
	case int16:
		return uint64(uint16(n))
	case int32:
		return uint64(uint32(n))
	case int64:
		return uint64(n)
	}
	return v
}
