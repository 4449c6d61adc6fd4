package redis

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bsm/redislock"

	"classmate/gate"
)

// DefaultLockTTL is the leader lock's life without renewal: a crashed
// leader is replaced within it (plus a tick).
const DefaultLockTTL = 2 * time.Second

// Lock is the room's leader lock, a github.com/bsm/redislock lock on the
// room's lock key, renewed on every Acquire. Its value (token and Instance)
// is the fencing token the leader's scripts compare, so an instance that
// lost the lock cannot admit anyone. It implements gate.Lock; safe for
// concurrent use.
type Lock struct {
	Store    *Store
	TTL      time.Duration // DefaultLockTTL when zero
	Instance string        // stored with the lock, to see who leads

	once   sync.Once
	client *redislock.Client
	mu     sync.Mutex
	lock   *redislock.Lock
}

var _ gate.Lock = (*Lock)(nil)

func (l *Lock) ttl() time.Duration {
	if l.TTL > 0 {
		return l.TTL
	}
	return DefaultLockTTL
}

// Acquire implements gate.Lock: it renews a held lock, else tries once to
// obtain it.
func (l *Lock) Acquire(ctx context.Context) (bool, error) {
	l.once.Do(func() { l.client = redislock.New(l.Store.Client) })
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock != nil {
		err := l.lock.Refresh(ctx, l.ttl(), nil)
		if err == nil {
			return true, nil
		}
		l.lock = nil
		if !errors.Is(err, redislock.ErrNotObtained) {
			return false, err
		}
	}
	lk, err := l.client.Obtain(ctx, l.Store.LockKey(), l.ttl(), &redislock.Options{
		RetryStrategy: redislock.NoRetry(),
		Metadata:      l.Instance,
	})
	if errors.Is(err, redislock.ErrNotObtained) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l.lock = lk
	return true, nil
}

// Token implements gate.Lock: the lock key's value while held.
func (l *Lock) Token() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock == nil {
		return ""
	}
	return l.lock.Token() + l.lock.Metadata()
}

// Release implements gate.Lock.
func (l *Lock) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock == nil {
		return nil
	}
	err := l.lock.Release(ctx)
	l.lock = nil
	if errors.Is(err, redislock.ErrLockNotHeld) {
		return nil
	}
	return err
}
