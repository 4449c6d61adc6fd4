package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"classmate/core"
)

// DefaultReplyTTL is how long a reply is kept for its idempotency key.
const DefaultReplyTTL = 15 * time.Minute

// pendingTTL bounds how long a request may hold a key before its reply is
// stored; past it a repeat runs the request again.
const pendingTTL = 30 * time.Second

const pending = "P"

// claimScript answers NEW after claiming the key for this request, PENDING
// while another request holds it, or the stored reply.
var claimScript = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'NEW' end
local v = redis.call('GET', KEYS[1])
if not v then return 'PENDING' end
if v == ARGV[1] then return 'PENDING' end
return 'R' .. v`)

// Replies stores the first reply to each (student, Idempotency-Key) pair.
// It implements core.Replies; safe for concurrent use.
type Replies struct {
	Client redis.UniversalClient
	Prefix string        // DefaultPrefix when empty
	TTL    time.Duration // DefaultReplyTTL when zero
	// Poll is the interval at which a repeat checks for the first request's
	// reply (default 5 ms).
	Poll time.Duration
}

var _ core.Replies = (*Replies)(nil)

func (r *Replies) key(studentID int64, key string) string {
	p := r.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return p + "idem:{s" + strconv.FormatInt(studentID, 10) + "}:" + key
}

// Claim implements core.Replies.
func (r *Replies) Claim(ctx context.Context, studentID int64, key, admission string) (core.Reply, bool, error) {
	poll := r.Poll
	if poll == 0 {
		poll = 5 * time.Millisecond
	}
	k := r.key(studentID, key)
	for {
		cmd, err := runAdmitted(ctx, r.Client, admission, claimScript, []string{k}, pending, pendingTTL.Milliseconds())
		res, rerr := cmd.Text()
		if err != nil {
			if rerr == nil && res == "NEW" {
				// Claimed for a request that will not answer: free the key.
				bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
				defer cancel()
				if aerr := r.Abandon(bg, studentID, key); aerr != nil {
					return core.Reply{}, false, fmt.Errorf("claim idempotency key: %w", errors.Join(err, aerr))
				}
			}
			return core.Reply{}, false, err
		}
		if rerr != nil {
			return core.Reply{}, false, fmt.Errorf("claim idempotency key: %w", rerr)
		}
		admission = "" // checked
		switch {
		case res == "NEW":
			return core.Reply{}, true, nil
		case res == "PENDING":
			select {
			case <-ctx.Done():
				return core.Reply{}, false, fmt.Errorf("claim idempotency key: %w", ctx.Err())
			case <-time.After(poll):
			}
		default:
			reply, err := decodeReply(res[1:])
			return reply, false, err
		}
	}
}

// Store implements core.Replies.
func (r *Replies) Store(ctx context.Context, studentID int64, key string, reply core.Reply) error {
	err := r.store(ctx, r.Client, core.KeyedReply{StudentID: studentID, Key: key, Reply: reply}).Err()
	if err != nil {
		return fmt.Errorf("store reply: %w", err)
	}
	return nil
}

// store sends, or queues on a pipeline, the command that stores a reply.
func (r *Replies) store(ctx context.Context, c redis.Cmdable, kr core.KeyedReply) *redis.StatusCmd {
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultReplyTTL
	}
	v := strconv.Itoa(kr.Reply.Status) + " " + string(kr.Reply.Body)
	return c.Set(ctx, r.key(kr.StudentID, kr.Key), v, ttl)
}

// Abandon implements core.Replies.
func (r *Replies) Abandon(ctx context.Context, studentID int64, key string) error {
	k := r.key(studentID, key)
	// Only a claim still pending is dropped, never a stored reply.
	err := r.Client.Watch(ctx, func(tx *redis.Tx) error {
		v, err := tx.Get(ctx, k).Result()
		if err != nil || v != pending {
			return nil
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, k)
			return nil
		})
		return err
	}, k)
	if err != nil && !errors.Is(err, redis.TxFailedErr) {
		return fmt.Errorf("abandon idempotency key: %w", err)
	}
	return nil
}

func decodeReply(v string) (core.Reply, error) {
	if len(v) < 4 || v[3] != ' ' {
		return core.Reply{}, fmt.Errorf("decode reply %q", v)
	}
	status, err := strconv.Atoi(v[:3])
	if err != nil {
		return core.Reply{}, fmt.Errorf("decode reply %q: %w", v, err)
	}
	return core.Reply{Status: status, Body: []byte(v[4:])}, nil
}
