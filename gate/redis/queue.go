package redis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"classmate/gate"
	"classmate/token"
)

// batch is how many commands one pipelined round trip carries.
const batch = 4096

// NewTicket returns a fresh ticket: 128 random bits in unpadded base64url.
func NewTicket() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails; crashes the program instead
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Join implements gate.Queue.
func (s *Store) Join(ctx context.Context, studentID int64, now time.Time) (gate.TicketView, error) {
	res, err := s.joins.do(ctx, s, joinScript, s.keys(), id(studentID), NewTicket(), ms(now))
	if err != nil {
		return gate.TicketView{}, fmt.Errorf("join: %w", err)
	}
	if a, ok := res.([]any); ok && len(a) == 1 && a[0] == "NOTOPEN" {
		return gate.TicketView{}, gate.ErrNotOpen
	}
	return parseView(studentID, res)
}

// View implements gate.Queue.
func (s *Store) View(ctx context.Context, studentID int64, now time.Time, touch bool) (gate.TicketView, error) {
	t := "0"
	if touch {
		t = "1"
	}
	res, err := s.views.do(ctx, s, viewScript, s.keys(), id(studentID), ms(now), t)
	if err != nil {
		return gate.TicketView{}, fmt.Errorf("view ticket: %w", err)
	}
	return parseView(studentID, res)
}

// Views implements gate.Queue.
func (s *Store) Views(ctx context.Context, students []int64, now time.Time) ([]gate.TicketView, error) {
	out := make([]gate.TicketView, 0, len(students))
	keys := s.keys()
	for start := 0; start < len(students); start += batch {
		chunk := students[start:min(start+batch, len(students))]
		cmds, err := s.evalMany(ctx, viewScript, keys, len(chunk), func(i int) []any {
			return []any{id(chunk[i]), ms(now), "0"}
		})
		if err != nil {
			return nil, fmt.Errorf("view tickets: %w", err)
		}
		for i, c := range cmds {
			v, err := parseView(chunk[i], c.Val())
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// evalMany runs script n times in one pipeline, with the arguments args(i),
// loading the script first when Redis lacks it (a restart, SCRIPT FLUSH).
// Each command carries its own result or error; the error returned is the
// first of them.
func (s *Store) evalMany(ctx context.Context, script *redis.Script, keys []string, n int, args func(int) []any) ([]*redis.Cmd, error) {
	for attempt := 0; ; attempt++ {
		cmds := make([]*redis.Cmd, n)
		_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range n {
				cmds[i] = script.EvalSha(ctx, p, keys, args(i)...)
			}
			return nil
		})
		if err != nil && attempt == 0 && slices.ContainsFunc(cmds, func(c *redis.Cmd) bool {
			return redis.HasErrorPrefix(c.Err(), "NOSCRIPT")
		}) {
			if err := script.Load(ctx, s.Client).Err(); err == nil {
				continue // scripts are idempotent for the calls that ran
			}
		}
		return cmds, err
	}
}

// Ranks implements gate.Queue.
func (s *Store) Ranks(ctx context.Context, students []int64, ranks []int64) error {
	q := s.keys()[kQ]
	for start := 0; start < len(students); start += batch {
		chunk := students[start:min(start+batch, len(students))]
		cmds := make([]*redis.IntCmd, len(chunk))
		_, err := s.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, st := range chunk {
				cmds[i] = p.ZRank(ctx, q, id(st))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("queue ranks: %w", err)
		}
		for i, c := range cmds {
			r, err := c.Result()
			if err != nil {
				r = -1
			}
			ranks[start+i] = r
		}
	}
	return nil
}

// Touch implements gate.Queue. Only students still waiting are touched
// (ZADD XX), and a time never moves back (GT).
func (s *Store) Touch(ctx context.Context, students []int64, now time.Time) error {
	seen := s.keys()[kSeen]
	score := float64(now.UnixMilli())
	for start := 0; start < len(students); start += batch {
		chunk := students[start:min(start+batch, len(students))]
		zs := make([]redis.Z, len(chunk))
		for i, st := range chunk {
			zs[i] = redis.Z{Score: score, Member: id(st)}
		}
		if err := s.Client.ZAddArgs(ctx, seen, redis.ZAddArgs{XX: true, GT: true, Members: zs}).Err(); err != nil {
			return fmt.Errorf("touch waiters: %w", err)
		}
	}
	return nil
}

// StudentOf implements gate.Queue.
func (s *Store) StudentOf(ctx context.Context, ticket string) (int64, error) {
	v, err := s.Client.HGet(ctx, s.keys()[kTix], ticket).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, gate.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("ticket owner: %w", err)
	}
	return v, nil
}

// Leave implements gate.Queue.
func (s *Store) Leave(ctx context.Context, studentID int64, now time.Time) (*gate.Admission, error) {
	res, err := leaveScript.Run(ctx, s.Client, s.keys(), id(studentID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("leave: %w", err)
	}
	rec, _ := res.(string)
	if rec == "" {
		return nil, nil
	}
	adm, err := parseAdmission(rec)
	if err != nil {
		return nil, err
	}
	return &adm, nil
}

// Revoke implements gate.Queue: it sets token.RevokedKey(jti), which the
// core reads too, until a second after until.
func (s *Store) Revoke(ctx context.Context, jti string, until, now time.Time) error {
	ttl := until.Sub(now) + time.Second
	if ttl <= time.Second {
		return nil // expired already: no one accepts it
	}
	if err := s.Client.Set(ctx, token.RevokedKey(jti), "1", ttl).Err(); err != nil {
		return fmt.Errorf("revoke admission: %w", err)
	}
	return nil
}

// Revoked reports whether the admission token with that jti was revoked:
// what the core checks (core/redis.Revocations), here for the tests.
func (s *Store) Revoked(ctx context.Context, jti string) (bool, error) {
	n, err := s.Client.Exists(ctx, token.RevokedKey(jti)).Result()
	if err != nil {
		return false, fmt.Errorf("check revocation: %w", err)
	}
	return n > 0, nil
}
