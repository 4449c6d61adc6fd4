// Package redis implements the core's fast paths on Redis: the seat filter,
// idempotent replies and the admission-token revocation check.
//
// Every key of one course shares the hash tag {c<id>} and every key of one
// student the tag {s<id>}, so each script touches one slot and runs unchanged
// on Redis Cluster.
package redis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"classmate/core"
)

// DefaultPrefix starts every key the core writes.
const DefaultPrefix = "classmate:"

// DefaultHoldTTL is how long a seat hold may stay unconfirmed before the
// reconciler treats its request as dead and gives the seat back. It must
// exceed the longest enrollment transaction.
const DefaultHoldTTL = 60 * time.Second

var (
	//go:embed take.lua
	takeSrc string
	//go:embed set.lua
	setSrc string

	takeScript    = redis.NewScript(takeSrc)
	setScript     = redis.NewScript(setSrc)
	releaseScript = redis.NewScript(`
if redis.call('HDEL', KEYS[3], ARGV[1]) == 1 then
  redis.call('SREM', KEYS[2], ARGV[1])
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end
  return 1
end
return 0`)
	returnScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 and redis.call('SREM', KEYS[2], ARGV[1]) == 1 then
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCR', KEYS[1]) end
  return 1
end
return 0`)
)

// Seats is the seat filter: per course, a counter of remaining seats, the set
// of students holding or owning a seat, and the holds still in flight with
// the time they were taken. It implements core.Seats; safe for concurrent
// use.
type Seats struct {
	Client  redis.UniversalClient
	Prefix  string           // DefaultPrefix when empty
	HoldTTL time.Duration    // DefaultHoldTTL when zero
	Now     func() time.Time // time.Now when nil
	// Replies stores the replies given to Confirm; nil means
	// Replies{Client: Client, Prefix: Prefix}.
	Replies *Replies
}

var _ core.Seats = (*Seats)(nil)

// keys returns the counter, member set and hold hash keys of a course.
func (s *Seats) keys(courseID int64) []string {
	p := s.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	base := p + "seat:{c" + strconv.FormatInt(courseID, 10) + "}:"
	return []string{base + "n", base + "s", base + "h"}
}

func (s *Seats) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Take implements core.Seats.
func (s *Seats) Take(ctx context.Context, courseID, studentID int64, admission string) error {
	cmd, err := runAdmitted(ctx, s.Client, admission, takeScript, s.keys(courseID), studentID, s.now().UnixMilli())
	res, rerr := cmd.Text()
	if err != nil {
		if rerr == nil && res == "OK" {
			// The seat was held for a request that gets none.
			bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if rerr := s.Release(bg, courseID, studentID); rerr != nil {
				return fmt.Errorf("take seat: %w", errors.Join(err, rerr))
			}
		}
		return err
	}
	if rerr != nil {
		return fmt.Errorf("take seat: %w", rerr)
	}
	switch res {
	case "OK":
		return nil
	case "SOLD":
		return core.ErrSoldOut
	case "DUP":
		return core.ErrAlreadyEnrolled
	case "PENDING":
		return core.ErrSeatPending
	case "NOCOUNTER":
		return core.ErrNoCounter
	}
	return fmt.Errorf("take seat: unexpected answer %q", res)
}

// Confirm implements core.Seats.
func (s *Seats) Confirm(ctx context.Context, courseID, studentID int64, reply *core.KeyedReply) error {
	hold, member := s.keys(courseID)[2], strconv.FormatInt(studentID, 10)
	if reply == nil {
		if err := s.Client.HDel(ctx, hold, member).Err(); err != nil {
			return fmt.Errorf("confirm seat: %w", err)
		}
		return nil
	}
	replies := s.Replies
	if replies == nil {
		replies = &Replies{Client: s.Client, Prefix: s.Prefix}
	}
	// Two slots, one round trip.
	_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, hold, member)
		replies.store(ctx, p, *reply)
		return nil
	})
	if err != nil {
		return fmt.Errorf("confirm seat and store reply: %w", err)
	}
	return nil
}

// Release implements core.Seats.
func (s *Seats) Release(ctx context.Context, courseID, studentID int64) error {
	if err := releaseScript.Run(ctx, s.Client, s.keys(courseID), studentID).Err(); err != nil {
		return fmt.Errorf("release seat: %w", err)
	}
	return nil
}

// Return implements core.Seats.
func (s *Seats) Return(ctx context.Context, courseID, studentID int64) error {
	if err := returnScript.Run(ctx, s.Client, s.keys(courseID), studentID).Err(); err != nil {
		return fmt.Errorf("return seat: %w", err)
	}
	return nil
}

// Remaining implements core.Seats: one pipelined GET per course. A counter
// below zero (holds in flight after a capacity cut) reads as zero.
func (s *Seats) Remaining(ctx context.Context, courseIDs ...int64) (map[int64]int, error) {
	cmds := make([]*redis.StringCmd, len(courseIDs))
	_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range courseIDs {
			cmds[i] = p.Get(ctx, s.keys(id)[0])
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("remaining seats: %w", err)
	}
	out := make(map[int64]int, len(courseIDs))
	for i, c := range cmds {
		n, err := c.Int()
		if err != nil {
			continue
		}
		out[courseIDs[i]] = max(n, 0)
	}
	return out, nil
}

// Set implements core.Seats.
func (s *Seats) Set(ctx context.Context, st core.SeatState) (bool, error) {
	ttl := s.HoldTTL
	if ttl == 0 {
		ttl = DefaultHoldTTL
	}
	args := make([]any, 0, 3+len(st.Students))
	args = append(args, st.Capacity, s.now().UnixMilli(), ttl.Milliseconds())
	for _, id := range st.Students {
		args = append(args, id)
	}
	changed, err := setScript.Run(ctx, s.Client, s.keys(st.CourseID), args...).Int()
	if err != nil {
		return false, fmt.Errorf("set seats of course %d: %w", st.CourseID, err)
	}
	return changed == 1, nil
}
