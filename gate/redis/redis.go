// Package redis implements the gate's queue on Redis: the room's
// configuration and counters, the queue, tickets, admissions, the leader
// lock and the proxy figures AIMD reads, all shared by every gate instance.
//
// Every key of a room starts with Prefix + "room:{" + room + "}:", so all of
// them share the room's hash tag and every script runs unchanged on Redis
// Cluster (one slot per room):
//
//	cfg      hash    the room's configuration: opens_at (ms), prequeue,
//	                 max_active, rate, mode, paused (0/1), session, seed (hex)
//	st       hash    counters: seq (joins), admitted, departed (left or
//	                 abandoned while waiting), open_seq and open_mode (set
//	                 at the opening), drawn (1 after the lottery), eff (the
//	                 effective rate)
//	q        zset    the queue and pre-queue: student id → join sequence
//	                 number (the lottery reassigns the pre-queue's numbers)
//	seen     zset    waiters' last-seen time (ms), for abandonment
//	act      zset    active admissions: student id → end (ms); its size is
//	                 the number of slots taken
//	tid      hash    student id → current ticket
//	tix      hash    ticket → student id, for every ticket ever issued
//	adm      hash    student id → "jti|admitted ms|expires ms|number|token",
//	                 the current ticket's admission
//	lock     string  the leader lock (github.com/bsm/redislock)
//	draw     list    the lottery's order, for audits
//	load:<s> hash    the gates' proxy figures of second s, kept a minute
//
// Revocations use token.RevokedKey, outside the prefix, because the core
// reads them there.
//
// A ticket's state is derived, never stored: queued (prequeue or waiting,
// by the room's phase), admitted while act holds it with an end after now,
// else expired. So no script can leave a state and its sets disagreeing.
package redis

import (
	_ "embed"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"

	"classmate/gate"
)

// DefaultPrefix starts every key the gate writes.
const DefaultPrefix = "classmate:"

// DefaultRoom is the room's name when Store.Room is empty.
const DefaultRoom = "main"

var (
	//go:embed lua/header.lua
	header string
	//go:embed lua/join.lua
	joinSrc string
	//go:embed lua/view.lua
	viewSrc string
	//go:embed lua/leave.lua
	leaveSrc string
	//go:embed lua/sweep.lua
	sweepSrc string
	//go:embed lua/admit.lua
	admitSrc string
	//go:embed lua/draw.lua
	drawSrc string
	//go:embed lua/rate.lua
	rateSrc string
	//go:embed lua/room.lua
	roomSrc string

	joinScript  = redis.NewScript(header + joinSrc)
	viewScript  = redis.NewScript(header + viewSrc)
	leaveScript = redis.NewScript(header + leaveSrc)
	sweepScript = redis.NewScript(header + sweepSrc)
	admitScript = redis.NewScript(header + admitSrc)
	drawScript  = redis.NewScript(header + drawSrc)
	rateScript  = redis.NewScript(header + rateSrc)
	roomScript  = redis.NewScript(header + roomSrc)
)

// Store is the room's state in Redis. It implements gate.Queue and
// gate.AdmitStore; safe for concurrent use. Its fields must not change
// after first use.
type Store struct {
	Client redis.UniversalClient
	Prefix string // DefaultPrefix when empty
	Name   string // the room's name; DefaultRoom when empty

	// Joins and status reads, the calls every student makes, share
	// pipelines under load.
	joins batcher
	views batcher

	keysOnce sync.Once
	keyList  []string
}

var (
	_ gate.Queue      = (*Store)(nil)
	_ gate.AdmitStore = (*Store)(nil)
)

// Key indexes of keys().
const (
	kCfg = iota
	kSt
	kQ
	kSeen
	kAct
	kTid
	kTix
	kAdm
	kLock
	kDraw
	nKeys
)

var keyNames = [nKeys]string{"cfg", "st", "q", "seen", "act", "tid", "tix", "adm", "lock", "draw"}

// base returns the prefix every key of the room starts with.
func (s *Store) base() string {
	p := s.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	r := s.Name
	if r == "" {
		r = DefaultRoom
	}
	return p + "room:{" + r + "}:"
}

// keys returns the KEYS every script takes, in the order lua/header.lua
// names them. The slice is shared: do not change it.
func (s *Store) keys() []string {
	s.keysOnce.Do(func() {
		b := s.base()
		s.keyList = make([]string, nKeys)
		for i, n := range keyNames {
			s.keyList[i] = b + n
		}
	})
	return s.keyList
}

// LockKey is the key of the room's leader lock.
func (s *Store) LockKey() string { return s.base() + "lock" }

func (s *Store) loadKey(sec int64) string {
	return s.base() + "load:" + strconv.FormatInt(sec, 10)
}
