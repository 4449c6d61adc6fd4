package redis

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"classmate/gate"
)

// Room implements gate.Queue.
func (s *Store) Room(ctx context.Context) (gate.RoomState, error) {
	res, err := roomScript.Run(ctx, s.Client, s.keys()).Result()
	if err != nil {
		return gate.RoomState{}, fmt.Errorf("read room: %w", err)
	}
	return parseRoom(res)
}

// UpdateRoom implements gate.Queue. The read, merge and write are one
// optimistic transaction on the configuration key (WATCH), retried when
// another admin wrote in between.
func (s *Store) UpdateRoom(ctx context.Context, patch gate.RoomPatch) (gate.RoomState, error) {
	st, _, err := s.update(ctx, patch, false)
	return st, err
}

// CreateRoom configures room unless a room is configured already, and
// reports whether it did (a development gate's initial room).
func (s *Store) CreateRoom(ctx context.Context, room gate.Room) (bool, error) {
	_, created, err := s.update(ctx, patchOf(room), true)
	return created, err
}

// update applies patch in one optimistic transaction; onlyNew leaves a
// configured room alone. It reports whether it wrote.
func (s *Store) update(ctx context.Context, patch gate.RoomPatch, onlyNew bool) (gate.RoomState, bool, error) {
	keys := s.keys()
	for attempt := 0; attempt < 20; attempt++ {
		wrote := false
		err := s.Client.Watch(ctx, func(tx *redis.Tx) error {
			res, err := roomScript.Run(ctx, tx, keys).Result()
			if err != nil {
				return err
			}
			cur, err := parseRoom(res)
			if err != nil {
				return err
			}
			if onlyNew && cur.Configured {
				return nil
			}
			wrote = true
			next := patch.Apply(cur.Room, cur.Configured)
			if err := next.Validate(); err != nil {
				return err
			}
			seed := cur.Seed
			if next.Mode == gate.ModeLottery && len(seed) == 0 {
				seed = gate.NewSeed()
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, keys[kCfg],
					"opens_at", ms(next.OpensAt),
					"prequeue", next.PrequeueSeconds,
					"max_active", next.MaxActive,
					"rate", strconv.FormatFloat(next.AdmitPerSecond, 'g', -1, 64),
					"mode", string(next.Mode),
					"paused", boolString(next.Paused),
					"session", next.SessionSeconds,
					"seed", hex.EncodeToString(seed))
				if !cur.Configured || next.AdmitPerSecond != cur.Room.AdmitPerSecond {
					p.HSet(ctx, keys[kSt], "eff", strconv.FormatFloat(next.AdmitPerSecond, 'g', -1, 64))
				}
				return nil
			})
			return err
		}, keys[kCfg])
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		var ge *gate.Error
		if errors.As(err, &ge) {
			return gate.RoomState{}, false, err
		}
		if err != nil {
			return gate.RoomState{}, false, fmt.Errorf("update room: %w", err)
		}
		st, err := s.Room(ctx)
		return st, wrote, err
	}
	return gate.RoomState{}, false, fmt.Errorf("update room: too many concurrent changes")
}

func patchOf(r gate.Room) gate.RoomPatch {
	return gate.RoomPatch{
		OpensAt: &r.OpensAt, PrequeueSeconds: &r.PrequeueSeconds, MaxActive: &r.MaxActive,
		AdmitPerSecond: &r.AdmitPerSecond, Mode: &r.Mode, Paused: &r.Paused, SessionSeconds: &r.SessionSeconds,
	}
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Draw implements gate.Queue.
func (s *Store) Draw(ctx context.Context) ([]byte, []int64, error) {
	st, err := s.Room(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !st.Drawn {
		return st.Seed, nil, nil
	}
	members, err := s.Client.LRange(ctx, s.keys()[kDraw], 0, -1).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("read draw: %w", err)
	}
	order, err := ids(members)
	return st.Seed, order, err
}

// PreQueue implements gate.AdmitStore.
func (s *Store) PreQueue(ctx context.Context) ([]int64, error) {
	keys := s.keys()
	open, err := s.Client.HGet(ctx, keys[kSt], "open_seq").Result()
	if err != nil {
		return nil, fmt.Errorf("read pre-queue: %w", err)
	}
	members, err := s.Client.ZRangeByScore(ctx, keys[kQ], &redis.ZRangeBy{Min: "-inf", Max: open}).Result()
	if err != nil {
		return nil, fmt.Errorf("read pre-queue: %w", err)
	}
	return ids(members)
}

// CommitDraw implements gate.AdmitStore.
func (s *Store) CommitDraw(ctx context.Context, lock string, order []int64) error {
	args := make([]any, 0, len(order)+1)
	args = append(args, lock)
	for _, st := range order {
		args = append(args, id(st))
	}
	res, err := drawScript.Run(ctx, s.Client, s.keys(), args...).Text()
	if err != nil {
		return fmt.Errorf("commit draw: %w", err)
	}
	switch res {
	case "OK", "DONE":
		return nil
	case "CHANGED":
		return gate.ErrDrawChanged
	case "NOTLEADER":
		return gate.ErrNotLeader
	}
	return fmt.Errorf("commit draw: unexpected answer %q", res)
}

// SetEffectiveRate implements gate.AdmitStore.
func (s *Store) SetEffectiveRate(ctx context.Context, lock string, rate float64) error {
	res, err := rateScript.Run(ctx, s.Client, s.keys(), lock, strconv.FormatFloat(rate, 'g', -1, 64)).Text()
	if err != nil {
		return fmt.Errorf("set effective rate: %w", err)
	}
	if res == "NOTLEADER" {
		return gate.ErrNotLeader
	}
	return nil
}
