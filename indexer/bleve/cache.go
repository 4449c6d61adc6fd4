package bleve

import (
	"sync"

	"classmate/indexer"
)

// DefaultCacheSize is how many result pages an Index keeps by default.
const DefaultCacheSize = 4096

// cache keeps the pages of recent searches until the index changes, like
// Elasticsearch's request cache, which a refresh invalidates: during a
// search storm most searches repeat a few popular queries, and the index
// changes at most once per flush. Concurrent misses of one query compute
// it once.
type cache struct {
	mu    sync.Mutex
	size  int
	gen   uint64
	pages map[cacheKey]indexer.Page
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
	page indexer.Page
	err  error
}

func newCache(size int) *cache {
	return &cache{size: size, pages: map[cacheKey]indexer.Page{}, calls: map[cacheKey]*cacheCall{}}
}

func keyOf(p indexer.Parsed) cacheKey {
	return cacheKey{text: p.Text, department: p.Department, day: p.Day, cursor: p.Cursor, credits: p.Credits, limit: p.Limit}
}

// get returns the page of k in index generation gen, computing it when
// needed. The page is shared: callers must not modify it.
func (c *cache) get(gen uint64, k cacheKey, compute func() (indexer.Page, error)) (indexer.Page, error) {
	if c == nil || c.size <= 0 {
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
