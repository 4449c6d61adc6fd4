package bleve

import (
	"sync"

	"classmate/indexer"
)

// DefaultCacheSize is how many pages of hits an Index keeps by default.
const DefaultCacheSize = 4096

// cache keeps the hits of recent searches until a searched field changes,
// like Elasticsearch's request cache, which a refresh invalidates: during a
// search storm most searches repeat a few popular queries, and while
// students register only seats change, which no search matches on.
// Concurrent misses of one query compute it once.
type cache struct {
	mu    sync.Mutex
	size  int
	gen   uint64
	pages map[cacheKey]hits
	calls map[cacheKey]*cacheCall
}

// cacheKey is a parsed query; the cursor is only valid for the same
// text and filters, so its raw form is enough.
type cacheKey struct {
	text, department, day, cursor string
	credits, limit                int
}

type cacheCall struct {
	done chan struct{}
	page hits
	err  error
}

func newCache(size int) *cache {
	return &cache{size: size, pages: map[cacheKey]hits{}, calls: map[cacheKey]*cacheCall{}}
}

func keyOf(p indexer.Parsed) cacheKey {
	return cacheKey{text: p.Text, department: p.Department, day: p.Day, cursor: p.Cursor, credits: p.Credits, limit: p.Limit}
}

// get returns the hits of k in index generation gen, computing them when
// needed. The hits are shared: callers must not modify them.
func (c *cache) get(gen uint64, k cacheKey, compute func() (hits, error)) (hits, error) {
	if c == nil || c.size <= 0 || gen%2 == 1 {
		// An odd generation is a batch in flight: no cached hits.
		return compute()
	}
	c.mu.Lock()
	if gen != c.gen {
		if gen < c.gen {
			// A search that began before the latest batch: do not cache.
			c.mu.Unlock()
			return compute()
		}
		c.gen = gen
		clear(c.pages)
		clear(c.calls)
	}
	if p, ok := c.pages[k]; ok {
		c.mu.Unlock()
		return p, nil
	}
	if call, ok := c.calls[k]; ok {
		c.mu.Unlock()
		<-call.done
		return call.page, call.err
	}
	call := &cacheCall{done: make(chan struct{})}
	c.calls[k] = call
	c.mu.Unlock()

	call.page, call.err = compute()
	close(call.done)

	c.mu.Lock()
	if c.calls[k] == call {
		delete(c.calls, k)
	}
	if call.err == nil && gen == c.gen {
		if len(c.pages) >= c.size {
			clear(c.pages)
		}
		c.pages[k] = call.page
	}
	c.mu.Unlock()
	return call.page, call.err
}
