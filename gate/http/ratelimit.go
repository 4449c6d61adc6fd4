package http

import (
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"time"

	"classmate/gate"
)

// Limits are the token buckets of the rate-limited routes (login, join,
// status, course search): per client IP and per student, each a rate per
// second and a burst. A zero rate turns that bucket off. Buckets are per
// gate instance.
type Limits struct {
	IPRate, IPBurst           float64
	StudentRate, StudentBurst float64
}

// DefaultLimits never throttle a client within the contract's promise of
// 50 requests/s with bursts of 20 per student and 2,000 requests/s with
// bursts of 2,000 per IP, with room to spare.
var DefaultLimits = Limits{IPRate: 4000, IPBurst: 4000, StudentRate: 100, StudentBurst: 40}

// limiter holds both bucket sets.
type limiter struct {
	ip, student *buckets
}

func newLimiter(l Limits) *limiter {
	return &limiter{ip: newBuckets(l.IPRate, l.IPBurst), student: newBuckets(l.StudentRate, l.StudentBurst)}
}

func (l *limiter) allowIP(ip string) error { return l.ip.allow(ip, time.Now()) }

func (l *limiter) allowStudent(id int64) error {
	return l.student.allow(strconv.FormatInt(id, 10), time.Now())
}

const nBucketShards = 64

// buckets is a set of token buckets keyed by string, sharded to keep lock
// contention low; idle full buckets are dropped now and then.
type buckets struct {
	rate, burst float64
	seed        maphash.Seed
	shards      [nBucketShards]bucketShard
}

type bucketShard struct {
	mu    sync.Mutex
	m     map[string]*bucket
	calls int
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newBuckets(rate, burst float64) *buckets {
	b := &buckets{rate: rate, burst: max(burst, 1), seed: maphash.MakeSeed()}
	for i := range b.shards {
		b.shards[i].m = make(map[string]*bucket)
	}
	return b
}

// allow takes a token from key's bucket, or answers RATE_LIMITED with the
// whole seconds until one is available.
func (b *buckets) allow(key string, now time.Time) error {
	if b.rate <= 0 {
		return nil
	}
	sh := &b.shards[maphash.String(b.seed, key)%nBucketShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.calls++
	if sh.calls%4096 == 0 {
		b.prune(sh, now)
	}
	bk := sh.m[key]
	if bk == nil {
		bk = &bucket{tokens: b.burst, last: now}
		sh.m[key] = bk
	}
	bk.tokens = math.Min(b.burst, bk.tokens+now.Sub(bk.last).Seconds()*b.rate)
	bk.last = now
	if bk.tokens >= 1 {
		bk.tokens--
		return nil
	}
	wait := (1 - bk.tokens) / b.rate
	return &rateLimited{err: gate.ErrRateLimited, retryAfter: int(math.Ceil(wait))}
}

// prune drops the buckets that have refilled completely.
func (b *buckets) prune(sh *bucketShard, now time.Time) {
	full := time.Duration(b.burst / b.rate * float64(time.Second))
	for k, bk := range sh.m {
		if now.Sub(bk.last) > full {
			delete(sh.m, k)
		}
	}
}
