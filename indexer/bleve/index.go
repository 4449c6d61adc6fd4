package bleve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"classmate/indexer"
)

// Internal keys, stored in the same batches as the documents.
var (
	keyCheckpoint = []byte("classmate.checkpoint")
	keyMapping    = []byte("classmate.mapping")
)

// Index is an embedded search index in a directory. It implements
// indexer.Sink, indexer.CheckpointStore, indexer.Committer and
// indexer.Searcher. Writes (Write, Flush, Commit, SaveCheckpoint) come from
// one goroutine at a time; Search and Versions are safe concurrently with
// them and with each other.
type Index struct {
	idx bleve.Index

	// mu guards state: the rank (indexer.Change.Rank) and document of every
	// row the index holds, tombstones included (doc nil). It mirrors the
	// stored documents, so writes compare ranks without reading the index
	// and searches read documents without loading stored fields.
	mu    sync.RWMutex
	state map[int64]entry

	// batch and pending hold what Write buffered since the last flush;
	// pending shadows state for the rank comparisons of later writes.
	batch   *bleve.Batch
	pending map[int64]entry

	// gen goes up by one when a batch that changes searched fields starts
	// and by one when it ends, so it is odd while such a batch runs; cache
	// holds hits of the current even gen. reindex records whether the
	// buffered batch changes searched fields.
	gen     atomic.Uint64
	cache   *cache
	reindex bool
}

type entry struct {
	rank int64
	doc  *indexer.Document // nil: a tombstone
}

// stored is the JSON of the src field: a document, or a tombstone with the
// version of the row it deleted.
type stored struct {
	indexer.Document
	Deleted bool `json:"deleted,omitempty"`
}

// Open opens the index in dir, creating it if needed. An index built with
// another mapping version, or from another source than source (when source
// is not empty; see indexer.Checkpoint.Source), is deleted and created
// afresh: the index is a copy of MySQL and is rebuilt by a snapshot.
func Open(dir, source string) (*Index, error) {
	x, err := open(dir)
	if err != nil {
		return nil, err
	}
	stale := false
	if v, err := x.idx.GetInternal(keyMapping); err != nil || string(v) != MappingVersion {
		stale = true
	}
	if cp, ok, err := x.LoadCheckpoint(context.Background()); err != nil || (ok && source != "" && cp.Source != source) {
		stale = true
	}
	if stale {
		x.idx.Close()
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("bleve: remove stale index: %w", err)
		}
		if x, err = open(dir); err != nil {
			return nil, err
		}
	}
	if err := x.load(); err != nil {
		x.idx.Close()
		return nil, err
	}
	return x, nil
}

// scorchConfig makes a batch return once it is searchable, persisting it
// in the background. That is safe for the indexer: the checkpoint goes into
// the same batch as the documents before it (or into a later one), and
// scorch persists batches in order, so a crash loses a suffix of batches
// together with their checkpoint, and the restart replays them.
//
// The persister naps persisterNap before each persist, so it persists the
// latest snapshot about once a second however many batches came in
// between, merging their in-memory segments into one file. A persist
// writes every internal key, and during registration every course with a
// seat change has one (its overlay, see Write): persisting each of the
// tailer's 20 batches a second cost a fifth of a core. Searches are not
// delayed (a batch is searchable before it is persisted); a crash loses
// up to about a second more of batches, with their checkpoint as before,
// and Close takes up to that long.
//
// bolt_timeout: a second process opening the same directory fails instead
// of waiting for the first one's lock forever. bleve writes the index path
// into the map it is given, so each open gets a new one.
func scorchConfig() map[string]any {
	return map[string]any{
		"unsafe_batch": true,
		"bolt_timeout": "5s",
		"scorchPersisterOptions": map[string]any{
			"PersisterNapTimeMSec": persisterNap.Milliseconds(),
		},
	}
}

// persisterNap is how long scorch's persister waits before persisting, to
// persist many batches at once (see scorchConfig).
const persisterNap = time.Second

func open(dir string) (*Index, error) {
	idx, err := bleve.OpenUsing(dir, scorchConfig())
	if errors.Is(err, bleve.ErrorIndexMetaMissing) {
		// An empty directory (a fresh temporary one, say) is fine to use;
		// anything else that is not an index is left alone.
		if entries, rerr := os.ReadDir(dir); rerr == nil && len(entries) == 0 {
			if err = os.Remove(dir); err == nil {
				err = bleve.ErrorIndexPathDoesNotExist
			}
		}
	}
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m, merr := newMapping()
		if merr != nil {
			return nil, fmt.Errorf("bleve: mapping: %w", merr)
		}
		if idx, err = bleve.NewUsing(dir, m, scorch.Name, scorch.Name, scorchConfig()); err == nil {
			err = idx.SetInternal(keyMapping, []byte(MappingVersion))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bleve: open %s: %w", dir, err)
	}
	x := &Index{idx: idx, state: map[int64]entry{}, cache: newCache(DefaultCacheSize)}
	x.reset()
	return x, nil
}

// load reads every stored document and tombstone into state.
func (x *Index) load() error {
	n, err := x.idx.DocCount()
	if err != nil || n == 0 {
		return err
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), int(n), 0, false)
	req.Fields = []string{fSource}
	res, err := x.idx.Search(req)
	if err != nil {
		return fmt.Errorf("bleve: load documents: %w", err)
	}
	for _, h := range res.Hits {
		raw, _ := h.Fields[fSource].(string)
		var s stored
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return fmt.Errorf("bleve: document %s: %w", h.ID, err)
		}
		if !s.Deleted {
			// A newer source of the same searchable fields may be stored
			// as an internal overlay (see Write).
			if raw, err := x.idx.GetInternal(overlayKey(s.ID)); err == nil && len(raw) > 0 {
				var o stored
				if json.Unmarshal(raw, &o) == nil && o.Version > s.Version {
					s = o
				}
			}
		}
		c := indexer.Change{ID: s.ID, Version: s.Version, Deleted: s.Deleted}
		e := entry{rank: c.Rank()}
		if !s.Deleted {
			d := s.Document
			e.doc = &d
		}
		x.state[s.ID] = e
	}
	return nil
}

// SetCacheSize sets how many pages of hits the index keeps (0: none). Call
// it before searching.
func (x *Index) SetCacheSize(n int) { x.cache = newCache(n) }

// Close waits (up to ten seconds) until every executed batch is persisted,
// then closes the index; buffered writes that were not flushed are lost.
func (x *Index) Close() error {
	b := x.idx.NewBatch()
	b.SetInternal(keyMapping, []byte(MappingVersion))
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := x.idx.Batch(b); err == nil {
		select {
		case <-persisted:
		case <-time.After(10 * time.Second):
		}
	}
	return x.idx.Close()
}

func (x *Index) reset() {
	x.batch = x.idx.NewBatch()
	x.pending = map[int64]entry{}
	x.reindex = false
}

// docID is a row's document id: zero-padded, so that the lexical order of
// ids, the search tiebreaker, is the numeric order.
func docID(id int64) string {
	return fmt.Sprintf("%020d", id)
}

func parseDocID(s string) (int64, error) {
	return strconv.ParseInt(s, 10, 64)
}
