package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"classmate/core"
)

// Courses is the course store. It implements core.CourseStore.
type Courses struct {
	DB *DB
}

var _ core.CourseStore = (*Courses)(nil)

// courseColumns lists the columns scanCourse reads, qualified by alias.
func courseColumns(alias string) string {
	cols := []string{"id", "code", "title", "professor", "department", "credits", "capacity", "enrolled", "schedule", "room", "version"}
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

type scanner interface{ Scan(dest ...any) error }

// scanCourse scans courseColumns, then extra, into c. Remaining is set from
// the committed count.
func scanCourse(s scanner, c *core.Course, extra ...any) error {
	var schedule string
	dest := append([]any{&c.ID, &c.Code, &c.Title, &c.Professor, &c.Department, &c.Credits,
		&c.Capacity, &c.Enrolled, &schedule, &c.Room, &c.Version}, extra...)
	if err := s.Scan(dest...); err != nil {
		return err
	}
	slots, err := core.DecodeSchedule(schedule)
	if err != nil {
		return err
	}
	c.Schedule = slots
	c.Remaining = max(c.Capacity-c.Enrolled, 0)
	return nil
}

// Course implements core.CourseStore. It reads the replica.
func (s *Courses) Course(ctx context.Context, id int64) (core.Course, error) {
	defer observe("course", time.Now())
	var c core.Course
	err := scanCourse(s.DB.Replica.QueryRowContext(ctx, "SELECT "+courseColumns("c")+" FROM courses c WHERE c.id = ?", id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return c, core.ErrNotFound
	}
	if err != nil {
		return c, translate(fmt.Errorf("course %d: %w", id, err))
	}
	return c, nil
}

// PutCourse implements core.CourseStore.
func (s *Courses) PutCourse(ctx context.Context, c core.Course, inLock func(core.SeatState) error) (core.Course, error) {
	var out core.Course
	err := s.DB.transact(ctx, "put_course", func(tx *sql.Tx) error {
		var enrolled int
		err := tx.QueryRowContext(ctx, "SELECT enrolled FROM courses WHERE id = ? FOR UPDATE", c.ID).Scan(&enrolled)
		now := time.Now().UTC()
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx,
				"INSERT INTO courses (id, code, title, professor, department, credits, capacity, schedule, room, updated_at)"+
					" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				c.ID, c.Code, c.Title, c.Professor, c.Department, c.Credits, c.Capacity, core.EncodeSchedule(c.Schedule), c.Room, now)
		case err != nil:
			return fmt.Errorf("lock course: %w", err)
		case c.Capacity < enrolled:
			return core.Errorf(core.CodeConflict, "capacity %d is below the %d seats already taken", c.Capacity, enrolled)
		default:
			_, err = tx.ExecContext(ctx,
				"UPDATE courses SET code = ?, title = ?, professor = ?, department = ?, credits = ?, capacity = ?,"+
					" schedule = ?, room = ?, version = version + 1, updated_at = ? WHERE id = ?",
				c.Code, c.Title, c.Professor, c.Department, c.Credits, c.Capacity, core.EncodeSchedule(c.Schedule), c.Room, now, c.ID)
		}
		if errNumber(err) == errDupEntry {
			return core.Errorf(core.CodeConflict, "course code %s is taken", c.Code)
		}
		if isCheckViolation(err) {
			return core.Errorf(core.CodeConflict, "course contradicts the data")
		}
		if err != nil {
			return fmt.Errorf("put course: %w", err)
		}
		if err := scanCourse(tx.QueryRowContext(ctx, "SELECT "+courseColumns("c")+" FROM courses c WHERE c.id = ?", c.ID), &out); err != nil {
			return fmt.Errorf("put course: %w", err)
		}
		if inLock == nil {
			return nil
		}
		st, err := seatState(ctx, tx, out.ID, out.Capacity)
		if err != nil {
			return err
		}
		return inLock(st)
	})
	return out, err
}

// seatState reads the committed seats of a course whose row the transaction
// has locked.
func seatState(ctx context.Context, tx *sql.Tx, courseID int64, capacity int) (core.SeatState, error) {
	st := core.SeatState{CourseID: courseID, Capacity: capacity, Students: []int64{}}
	rows, err := tx.QueryContext(ctx, "SELECT student_id FROM enrollments WHERE course_id = ?", courseID)
	if err != nil {
		return st, fmt.Errorf("seat state: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return st, fmt.Errorf("seat state: %w", err)
		}
		st.Students = append(st.Students, id)
	}
	return st, rows.Err()
}
