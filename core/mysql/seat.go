package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"classmate/core"
)

// SeatStates reads committed seats under the course row locks. It
// implements core.SeatStateStore.
type SeatStates struct {
	DB *DB
}

var _ core.SeatStateStore = (*SeatStates)(nil)

// LockSeatStates implements core.SeatStateStore. The course rows are locked
// in id order, the order every other writer uses after the student row, and
// the reconciler locks no student row, so it cannot deadlock with them.
func (s *SeatStates) LockSeatStates(ctx context.Context, afterID int64, limit int, fn func([]core.SeatState) error) (int64, error) {
	var last int64
	err := s.DB.transact(ctx, "lock_seat_states", func(tx *sql.Tx) error {
		last = 0
		rows, err := tx.QueryContext(ctx,
			"SELECT id, capacity FROM courses WHERE id > ? ORDER BY id LIMIT ? FOR UPDATE", afterID, limit)
		if err != nil {
			return fmt.Errorf("lock courses: %w", err)
		}
		var states []core.SeatState
		index := map[int64]int{}
		for rows.Next() {
			var st core.SeatState
			if err := rows.Scan(&st.CourseID, &st.Capacity); err != nil {
				rows.Close()
				return fmt.Errorf("lock courses: %w", err)
			}
			st.Students = []int64{}
			index[st.CourseID] = len(states)
			states = append(states, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock courses: %w", err)
		}
		if len(states) == 0 {
			return nil
		}
		last = states[len(states)-1].CourseID
		rows, err = tx.QueryContext(ctx,
			"SELECT course_id, student_id FROM enrollments WHERE course_id > ? AND course_id <= ?", afterID, last)
		if err != nil {
			return fmt.Errorf("seat states: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c, st int64
			if err := rows.Scan(&c, &st); err != nil {
				return fmt.Errorf("seat states: %w", err)
			}
			if i, ok := index[c]; ok {
				states[i].Students = append(states[i].Students, st)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("seat states: %w", err)
		}
		return fn(states)
	})
	return last, err
}

// LockSeatState implements core.SeatStateStore.
func (s *SeatStates) LockSeatState(ctx context.Context, courseID int64, fn func(core.SeatState) error) error {
	return s.DB.transact(ctx, "lock_seat_state", func(tx *sql.Tx) error {
		var capacity int
		err := tx.QueryRowContext(ctx, "SELECT capacity FROM courses WHERE id = ? FOR UPDATE", courseID).Scan(&capacity)
		if errors.Is(err, sql.ErrNoRows) {
			return core.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock course: %w", err)
		}
		st, err := seatState(ctx, tx, courseID, capacity)
		if err != nil {
			return err
		}
		return fn(st)
	})
}
