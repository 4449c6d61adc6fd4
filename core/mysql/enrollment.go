package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"classmate/core"
)

// Enrollments is the enrollment store. It implements core.EnrollmentStore.
type Enrollments struct {
	DB *DB
	// BeforeCommit, when set, runs inside the enrollment transaction just
	// before it commits. Tests use it to inject failures.
	BeforeCommit func(ctx context.Context, tx *sql.Tx) error
}

var _ core.EnrollmentStore = (*Enrollments)(nil)

// held is a course the student already holds, as far as the checks need it.
type held struct {
	id       int64
	credits  int
	schedule []core.Slot
}

// Enroll implements core.EnrollmentStore. Locks are taken student row first,
// then course row, as every writer of enrollments does, so a student's
// concurrent requests serialize and cannot both pass the credit and
// timetable checks.
func (s *Enrollments) Enroll(ctx context.Context, studentID, courseID int64) (core.Enrollment, int, error) {
	var total int
	var e core.Enrollment
	err := s.DB.transact(ctx, "enroll", func(tx *sql.Tx) error {
		maxCredits, err := lockStudent(ctx, tx, studentID)
		if err != nil {
			return err
		}
		var credits, capacity, enrolled int
		var schedule string
		err = tx.QueryRowContext(ctx,
			"SELECT credits, capacity, enrolled, schedule FROM courses WHERE id = ? FOR UPDATE", courseID,
		).Scan(&credits, &capacity, &enrolled, &schedule)
		if errors.Is(err, sql.ErrNoRows) {
			return core.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock course: %w", err)
		}
		slots, err := core.DecodeSchedule(schedule)
		if err != nil {
			return err
		}
		holds, err := heldCourses(ctx, tx, studentID)
		if err != nil {
			return err
		}
		sum := 0
		for _, h := range holds {
			if h.id == courseID {
				return core.ErrAlreadyEnrolled
			}
			sum += h.credits
		}
		if enrolled >= capacity {
			return core.ErrSoldOut
		}
		if sum+credits > maxCredits {
			return core.ErrCreditLimitExceeded
		}
		for _, h := range holds {
			if core.Conflicts(slots, h.schedule) {
				return core.ErrTimeConflict
			}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO enrollments (student_id, course_id, enrolled_at) VALUES (?, ?, ?)", studentID, courseID, now,
		); err != nil {
			if errNumber(err) == errDupEntry {
				return core.ErrAlreadyEnrolled
			}
			return fmt.Errorf("insert enrollment: %w", err)
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE courses SET enrolled = enrolled + 1, version = version + 1, updated_at = ? WHERE id = ?", now, courseID,
		); err != nil {
			if isCheckViolation(err) {
				return core.ErrSoldOut
			}
			return fmt.Errorf("count seat: %w", err)
		}
		if s.BeforeCommit != nil {
			if err := s.BeforeCommit(ctx, tx); err != nil {
				return err
			}
		}
		total = sum + credits
		e = core.Enrollment{StudentID: studentID, CourseID: courseID, EnrolledAt: now}
		return nil
	})
	if err != nil && !isDomain(err) {
		// A commit whose answer was lost may still have happened: ask the
		// primary, so that a committed enrollment is never reported as
		// failed (and its seat never given back).
		if ok, at := s.committed(studentID, courseID, e.EnrolledAt); ok {
			e = core.Enrollment{StudentID: studentID, CourseID: courseID, EnrolledAt: at}
			return e, total, nil
		}
	}
	return e, total, err
}

// committed reports whether the enrollment exists with that enrolled_at, the
// mark of this request's transaction.
func (s *Enrollments) committed(studentID, courseID int64, at time.Time) (bool, time.Time) {
	if at.IsZero() {
		return false, at
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var got time.Time
	err := s.DB.Primary.QueryRowContext(ctx,
		"SELECT enrolled_at FROM enrollments WHERE student_id = ? AND course_id = ?", studentID, courseID,
	).Scan(&got)
	return err == nil && got.Equal(at), got
}

// Cancel implements core.EnrollmentStore.
func (s *Enrollments) Cancel(ctx context.Context, studentID, courseID int64) error {
	return s.DB.transact(ctx, "cancel", func(tx *sql.Tx) error {
		if _, err := lockStudent(ctx, tx, studentID); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM courses WHERE id = ? FOR UPDATE", courseID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return core.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock course: %w", err)
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM enrollments WHERE student_id = ? AND course_id = ?", studentID, courseID)
		if err != nil {
			return fmt.Errorf("delete enrollment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.ErrNotEnrolled
		}
		_, err = tx.ExecContext(ctx,
			"UPDATE courses SET enrolled = enrolled - 1, version = version + 1, updated_at = ? WHERE id = ?",
			time.Now().UTC(), courseID)
		if err != nil {
			return fmt.Errorf("return seat: %w", err)
		}
		return nil
	})
}

// Timetable implements core.EnrollmentStore. It reads the primary: a student
// must see their own enrollment or cancellation right after making it, even
// while the replicas lag.
func (s *Enrollments) Timetable(ctx context.Context, studentID int64) (core.Timetable, error) {
	defer observe("timetable", time.Now())
	t := core.Timetable{Items: []core.EnrolledCourse{}}
	err := s.DB.Primary.QueryRowContext(ctx, "SELECT max_credits FROM students WHERE id = ?", studentID).Scan(&t.MaxCredits)
	if errors.Is(err, sql.ErrNoRows) {
		return t, core.ErrUnauthenticated
	}
	if err != nil {
		return t, translate(fmt.Errorf("timetable: %w", err))
	}
	rows, err := s.DB.Primary.QueryContext(ctx,
		"SELECT "+courseColumns("c")+", e.enrolled_at FROM enrollments e JOIN courses c ON c.id = e.course_id"+
			" WHERE e.student_id = ? ORDER BY e.enrolled_at, c.id", studentID)
	if err != nil {
		return t, translate(fmt.Errorf("timetable: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var ec core.EnrolledCourse
		if err := scanCourse(rows, &ec.Course, &ec.EnrolledAt); err != nil {
			return t, fmt.Errorf("timetable: %w", err)
		}
		t.TotalCredits += ec.Course.Credits
		t.Items = append(t.Items, ec)
	}
	return t, translate(rows.Err())
}

// lockStudent locks the student row and returns the credit limit.
func lockStudent(ctx context.Context, tx *sql.Tx, studentID int64) (int, error) {
	var maxCredits int
	err := tx.QueryRowContext(ctx, "SELECT max_credits FROM students WHERE id = ? FOR UPDATE", studentID).Scan(&maxCredits)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, core.ErrUnauthenticated
	}
	if err != nil {
		return 0, fmt.Errorf("lock student: %w", err)
	}
	return maxCredits, nil
}

// heldCourses returns the courses the student holds. The student row lock
// keeps the list stable for the rest of the transaction.
func heldCourses(ctx context.Context, tx *sql.Tx, studentID int64) ([]held, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT c.id, c.credits, c.schedule FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE e.student_id = ?",
		studentID)
	if err != nil {
		return nil, fmt.Errorf("held courses: %w", err)
	}
	defer rows.Close()
	var out []held
	for rows.Next() {
		var h held
		var schedule string
		if err := rows.Scan(&h.id, &h.credits, &schedule); err != nil {
			return nil, fmt.Errorf("held courses: %w", err)
		}
		if h.schedule, err = core.DecodeSchedule(schedule); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func isDomain(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && e.Code != core.CodeUnavailable
}
