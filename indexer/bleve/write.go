package bleve

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"classmate/indexer"
)

// Write buffers changes. A change whose rank is not above the rank the
// index holds for its row (written or buffered) is dropped: it is a replay
// or arrived out of order, and applying it would regress the document.
// Tombstones are kept as documents without searchable fields, so a late
// replay of a deleted row still finds the delete's rank.
//
// Most changes during registration only move seats (remaining) and the
// version, which no search matches on: those skip re-analysis, and their
// source is stored as an internal overlay in the same batch (see load).
func (x *Index) Write(_ context.Context, changes []indexer.Change) error {
	for _, c := range changes {
		cur, ok := x.pending[c.ID]
		if !ok {
			x.mu.RLock()
			cur, ok = x.state[c.ID]
			x.mu.RUnlock()
		}
		if ok && c.Rank() <= cur.rank {
			continue
		}
		e := entry{rank: c.Rank()}
		s := stored{Deleted: c.Deleted}
		if c.Deleted {
			s.ID, s.Version = c.ID, c.Version
		} else {
			d := c.Doc
			d.Derive()
			e.doc, s.Document = &d, d
		}
		x.pending[c.ID] = e
		if ok && cur.doc != nil && e.doc != nil && sameSearch(cur.doc, e.doc) {
			src, err := json.Marshal(s)
			if err != nil {
				return err
			}
			x.batch.SetInternal(overlayKey(c.ID), src)
			continue
		}
		x.batch.DeleteInternal(overlayKey(c.ID))
		x.reindex = true
		if err := x.batch.Index(docID(c.ID), fields(s)); err != nil {
			return fmt.Errorf("bleve: index course %d: %w", c.ID, err)
		}
	}
	return nil
}

// Flush executes the buffered writes; they are durable and searchable when
// it returns.
func (x *Index) Flush(ctx context.Context) error {
	return x.execute(ctx, nil)
}

// Commit implements indexer.Committer: the buffered writes and the
// checkpoint go into one batch, so the index never holds a checkpoint
// ahead of its documents, nor documents it would not replay after a crash.
func (x *Index) Commit(ctx context.Context, cp indexer.Checkpoint) error {
	return x.execute(ctx, &cp)
}

// SaveCheckpoint implements indexer.CheckpointStore, like Commit.
func (x *Index) SaveCheckpoint(ctx context.Context, cp indexer.Checkpoint) error {
	return x.execute(ctx, &cp)
}

// LoadCheckpoint implements indexer.CheckpointStore.
func (x *Index) LoadCheckpoint(context.Context) (indexer.Checkpoint, bool, error) {
	var cp indexer.Checkpoint
	b, err := x.idx.GetInternal(keyCheckpoint)
	if err != nil || len(b) == 0 {
		return cp, false, err
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return cp, false, fmt.Errorf("bleve: checkpoint: %w", err)
	}
	return cp, true, nil
}

// execute runs the buffered batch, with the checkpoint when cp is not nil.
// state is updated before the batch runs, so a search that finds a new
// document also finds its source; if the batch fails, state is restored.
func (x *Index) execute(_ context.Context, cp *indexer.Checkpoint) error {
	if cp != nil {
		b, err := json.Marshal(cp)
		if err != nil {
			return err
		}
		x.batch.SetInternal(keyCheckpoint, b)
	}
	if x.batch.Size() == 0 {
		return nil
	}
	undo := make(map[int64]entry, len(x.pending))
	x.mu.Lock()
	for id, e := range x.pending {
		if old, ok := x.state[id]; ok {
			undo[id] = old
		} else {
			undo[id] = entry{rank: -1}
		}
		x.state[id] = e
	}
	x.mu.Unlock()

	// While a batch that changes searched fields runs, gen is odd and the
	// cache is bypassed: hits found in the half-updated index must neither
	// be served from nor stored in it. Back to even once the batch is done.
	if x.reindex {
		x.gen.Add(1)
		defer x.gen.Add(1)
	}
	err := x.idx.Batch(x.batch)
	if err != nil {
		x.mu.Lock()
		for id, old := range undo {
			if old.rank < 0 {
				delete(x.state, id)
			} else {
				x.state[id] = old
			}
		}
		x.mu.Unlock()
		x.reset()
		return fmt.Errorf("bleve: batch: %w", err)
	}
	// Hits may have changed when x.reindex; seats alone (overlays) and
	// checkpoints leave them valid, as documents are read from state.
	x.reset()
	return nil
}

// Versions implements indexer.Sink: the row versions of the live documents
// flushed so far.
func (x *Index) Versions(context.Context) (map[int64]int64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[int64]int64, len(x.state))
	for id, e := range x.state {
		if e.doc != nil {
			out[id] = e.doc.Version
		}
	}
	return out, nil
}

// Document returns the live document of a course, if the index holds one.
func (x *Index) Document(id int64) (indexer.Document, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e, ok := x.state[id]
	if !ok || e.doc == nil {
		return indexer.Document{}, false
	}
	return *e.doc, true
}

// sameSearch reports whether two documents agree on every field a search
// matches or filters on.
func sameSearch(a, b *indexer.Document) bool {
	return a.Title == b.Title && a.Professor == b.Professor && a.Code == b.Code &&
		a.Department == b.Department && a.Credits == b.Credits && slices.Equal(a.Days, b.Days)
}

// overlayKey is the internal key of a course's newer source, when only
// unsearched fields changed since its document was indexed.
func overlayKey(id int64) []byte {
	return []byte("classmate.src." + strconv.FormatInt(id, 10))
}

// fields renders a document (or tombstone) as the indexed fields.
func fields(s stored) map[string]any {
	src, _ := json.Marshal(s)
	f := map[string]any{fSource: string(src)}
	if s.Deleted {
		return f
	}
	d := s.Document
	chosung := strings.TrimSpace(d.TitleChosung + " " + d.ProfessorChosung)
	for k, v := range map[string]any{
		fWords: []string{d.Title, d.Professor, d.Code}, fPrefix: []string{d.Title, d.Professor, d.Code},
		fNgram:      []string{d.Title, d.Professor},
		fTitleExact: d.Title, fProfExact: d.Professor, fCodeExact: d.Code, fCodeNgram: d.Code,
		fChosung: chosung, fChosungFull: strings.ReplaceAll(d.TitleChosung, " ", ""),
		fDepartment: d.Department, fDays: d.Days, fCredits: strconv.Itoa(d.Credits), fLive: "1",
	} {
		f[k] = v
	}
	return f
}
