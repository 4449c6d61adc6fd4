package indexer

import (
	"context"
	"time"
)

// Change is one row change of the courses table: a new or updated row
// (Doc), or a deleted one (Deleted, with the version the row had).
type Change struct {
	ID      int64
	Version int64
	Deleted bool
	// Doc is the row's document; zero when Deleted.
	Doc Document
	// At is when the change was committed (binlog event time), zero for
	// rows read by a snapshot. It feeds the lag metric.
	At time.Time
}

// Upsert returns the change that writes d.
func Upsert(d Document, at time.Time) Change {
	return Change{ID: d.ID, Version: d.Version, Doc: d, At: at}
}

// Delete returns the change that deletes row id, whose last version was
// version.
func Delete(id, version int64, at time.Time) Change {
	return Change{ID: id, Version: version, Deleted: true, At: at}
}

// Rank orders the changes of one row: twice the row version, plus one for
// a delete. A sink applies a change only when its rank is above the stored
// one, so replays and reordered writes can never bring back an older
// version, and a delete (the last state of its version) can never be undone
// by a late replay of the row it deleted. Elasticsearch stores Rank as the
// external version. Versions must therefore keep growing per id: a course
// deleted and created again under the same id must continue above the old
// version (classmate has no course deletion; the rule is for operators).
func (c Change) Rank() int64 {
	r := c.Version << 1
	if c.Deleted {
		r |= 1
	}
	return r
}

// Checkpoint is a position in the primary's binlog up to which every change
// has been written to the sink, and where a restart resumes.
type Checkpoint struct {
	// Source names what the position belongs to, "host:port/database.table";
	// a checkpoint of another source is not resumed from.
	Source string `json:"source"`
	// File and Pos are where a restart resumes. GTID is the same position
	// as MariaDB's GTID position (e.g. "0-1-78506"), the fallback when the
	// primary no longer has File (a failover to a replica, say).
	GTID string `json:"gtid,omitempty"`
	File string `json:"file"`
	Pos  uint32 `json:"pos"`
	// Saved is when the checkpoint was taken.
	Saved time.Time `json:"saved"`
}

// Sink stores documents. Write applies changes in rank order per row (see
// Change.Rank) and may buffer; Flush makes everything written so far durable
// and searchable. A Sink is used by one writer at a time; searching it
// concurrently is safe.
type Sink interface {
	Write(ctx context.Context, changes []Change) error
	Flush(ctx context.Context) error
	// Versions returns the row version of every live document, tombstones
	// excluded, after a Flush. A re-snapshot uses it to delete the
	// documents whose rows are gone.
	Versions(ctx context.Context) (map[int64]int64, error)
}

// CheckpointStore keeps the checkpoint. The change data capture saves a
// checkpoint only after the sink flushed everything before it, so a crash
// replays changes (at least once) rather than losing them.
type CheckpointStore interface {
	// LoadCheckpoint returns the saved checkpoint; ok is false when none
	// was saved yet.
	LoadCheckpoint(ctx context.Context) (cp Checkpoint, ok bool, err error)
	SaveCheckpoint(ctx context.Context, cp Checkpoint) error
}

// Committer is implemented by sinks that can store a checkpoint atomically
// with the changes written before it (bleve: one batch). The change data
// capture then calls Commit instead of Flush and SaveCheckpoint.
type Committer interface {
	Commit(ctx context.Context, cp Checkpoint) error
}
