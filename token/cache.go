package token

import (
	"hash/maphash"
	"sync"
	"time"
)

// DefaultCacheSize is the number of verified tokens FromEnv's Cache holds:
// a session and an admission token each for 16,384 students, about 16 MiB.
const DefaultCacheSize = 1 << 15

// nCacheShards is the number of independently locked parts of a Cache.
const nCacheShards = 32

// Cache remembers tokens a Verifier accepted, so that the same token seen
// again costs a map lookup instead of a JSON decoding and an HMAC. Each
// student sends the same session or admission token many times, and the
// gate and the core both verify it.
//
// A cached success is returned only to a Verifier of the same Keyring (the
// same *Keyring; a rotated keyring is a new one) and the same format, and
// only while the token's exp and iat still pass against that Verifier's Now
// and Leeway, checked on every hit; otherwise the token is verified in full
// again, so the answer is the one an uncached Verifier would give. Failures
// are never cached. A token cached as one format is refused as the other at
// once: its claims name one issuer and audience.
//
// A Cache holds at most its size of tokens; inserting into a full shard
// evicts an arbitrary entry of that shard (Go's map iteration starts at a
// random place). It keeps the token strings it is given, so a caller must
// not pass one that aliases memory it reuses (an unsafe conversion of a
// fasthttp request's bytes). It is safe for concurrent use and may be
// shared by any number of Verifiers and keyrings. Its zero value is
// unusable: use NewCache.
type Cache struct {
	seed     maphash.Seed
	perShard int
	shards   [nCacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]cacheEntry // the token → what verifying it gave
}

// cacheEntry is a verified token: the keyring and audience it passed, its
// parsed claims, and its iat and exp as they came from the token, for the
// time checks on each hit.
type cacheEntry struct {
	keys     *Keyring
	aud      string
	sub      int64
	sno, jti string
	iat, exp time.Time
}

// NewCache returns a Cache holding at most about size tokens (at least one
// per shard).
func NewCache(size int) *Cache {
	c := &Cache{seed: maphash.MakeSeed(), perShard: max(1, size/nCacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cacheEntry)
	}
	return c
}

// Len returns the number of tokens held.
func (c *Cache) Len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

func (c *Cache) shard(tok string) *cacheShard {
	return &c.shards[maphash.String(c.seed, tok)%nCacheShards]
}

// get returns the entry of tok, if any.
func (c *Cache) get(tok string) (cacheEntry, bool) {
	sh := c.shard(tok)
	sh.mu.RLock()
	e, ok := sh.m[tok]
	sh.mu.RUnlock()
	return e, ok
}

// put stores e for tok, evicting another token when the shard is full.
func (c *Cache) put(tok string, e cacheEntry) {
	sh := c.shard(tok)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.m[tok]; !ok && len(sh.m) >= c.perShard {
		for k := range sh.m {
			delete(sh.m, k)
			break
		}
	}
	sh.m[tok] = e
}

// remove forgets tok if it is still cached for keys.
func (c *Cache) remove(tok string, keys *Keyring) {
	sh := c.shard(tok)
	sh.mu.Lock()
	if e, ok := sh.m[tok]; ok && e.keys == keys {
		delete(sh.m, tok)
	}
	sh.mu.Unlock()
}

// timely reports whether the jwt validator, as Verifier.verify configures
// it, would accept e's exp and iat at now with leeway.
func (e *cacheEntry) timely(now time.Time, leeway time.Duration) bool {
	return now.Before(e.exp.Add(leeway)) && !now.Before(e.iat.Add(-leeway))
}
