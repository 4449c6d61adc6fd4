package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"classmate/gate"
)

// sweepLimit bounds the admissions ended and the waiters dropped by one
// sweep, so one script stays short; the rest go at the next tick.
const sweepLimit = 2000

// Sweep implements gate.AdmitStore.
func (s *Store) Sweep(ctx context.Context, lock string, now time.Time, grace time.Duration, want int) (gate.SweepResult, error) {
	cutoff := now.Add(-grace)
	res, err := sweepScript.Run(ctx, s.Client, s.keys(), lock, ms(now), ms(cutoff), want, sweepLimit).Result()
	if err != nil {
		return gate.SweepResult{}, fmt.Errorf("sweep: %w", err)
	}
	a, ok := res.([]any)
	if ok && len(a) == 1 && a[0] == "NOTLEADER" {
		return gate.SweepResult{}, gate.ErrNotLeader
	}
	if !ok || len(a) != 5 {
		return gate.SweepResult{}, fmt.Errorf("sweep: unexpected reply %v", res)
	}
	var out gate.SweepResult
	ended, _ := a[0].(int64)
	abandoned, _ := a[1].(int64)
	due, _ := a[2].(int64)
	out.Expired, out.Abandoned, out.DrawDue = int(ended), int(abandoned), due == 1
	cands, _ := a[3].([]any)
	for _, c := range cands {
		str, _ := c.(string)
		n, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			return out, fmt.Errorf("sweep: candidate %q", str)
		}
		out.Candidates = append(out.Candidates, n)
	}
	out.Room, err = parseRoom(a[4])
	return out, err
}

// Admit implements gate.AdmitStore.
func (s *Store) Admit(ctx context.Context, lock string, now time.Time, adm []gate.Admitted) (int, error) {
	args := make([]any, 0, 1+5*len(adm))
	args = append(args, lock)
	for _, a := range adm {
		args = append(args, id(a.StudentID), a.Admission.ID, ms(a.Admission.AdmittedAt),
			ms(a.Admission.ExpiresAt), a.Admission.Token)
	}
	res, err := admitScript.Run(ctx, s.Client, s.keys(), args...).Result()
	if err != nil {
		return 0, fmt.Errorf("admit: %w", err)
	}
	if a, ok := res.([]any); ok && len(a) == 1 && a[0] == "NOTLEADER" {
		return 0, gate.ErrNotLeader
	}
	n, ok := res.(int64)
	if !ok {
		return 0, fmt.Errorf("admit: unexpected reply %v", res)
	}
	return int(n), nil
}

// loadTTL is how long a second's proxy figures are kept.
const loadTTL = time.Minute

// loadFields names the fields of a load:<s> hash: requests, errors, then
// one per latency bucket.
var loadFields = func() []string {
	f := []string{"n", "e"}
	for i := range len(gate.LatencyBounds) + 1 {
		f = append(f, "b"+strconv.Itoa(i))
	}
	return f
}()

// AddLoad implements gate.AdmitStore: one pipeline of HINCRBYs.
func (s *Store) AddLoad(ctx context.Context, sec int64, l gate.Load) error {
	key := s.loadKey(sec)
	vals := append([]int64{l.Requests, l.Errors}, l.Buckets[:]...)
	_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, v := range vals {
			if v != 0 {
				p.HIncrBy(ctx, key, loadFields[i], v)
			}
		}
		p.Expire(ctx, key, loadTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("add proxy figures: %w", err)
	}
	return nil
}

// LoadSince implements gate.AdmitStore.
func (s *Store) LoadSince(ctx context.Context, from, to int64) (gate.Load, error) {
	var total gate.Load
	if to < from {
		return total, nil
	}
	cmds := make([]*redis.SliceCmd, 0, to-from+1)
	_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for sec := from; sec <= to; sec++ {
			cmds = append(cmds, p.HMGet(ctx, s.loadKey(sec), loadFields...))
		}
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("read proxy figures: %w", err)
	}
	for _, c := range cmds {
		var l gate.Load
		for i, v := range c.Val() {
			str, _ := v.(string)
			n, _ := strconv.ParseInt(str, 10, 64)
			switch i {
			case 0:
				l.Requests = n
			case 1:
				l.Errors = n
			default:
				l.Buckets[i-2] = n
			}
		}
		total.Add(l)
	}
	return total, nil
}
