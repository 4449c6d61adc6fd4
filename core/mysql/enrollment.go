package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"classmate/core"
)

// Enrollments is the enrollment store. It implements core.EnrollmentStore;
// safe for concurrent use.
type Enrollments struct {
	DB *DB
	// MaxBatch is the most enrollments of one course committed in one
	// transaction (default 32); 1 commits each enrollment on its own.
	MaxBatch int
	// Timeout bounds one batch's transaction (default 5 s).
	Timeout time.Duration
	// BeforeCommit, when set, runs inside the enrollment transaction just
	// before it commits. Tests use it to inject failures.
	BeforeCommit func(ctx context.Context, tx *sql.Tx) error

	mu     sync.Mutex
	queues map[int64]*queue
}

var _ core.EnrollmentStore = (*Enrollments)(nil)

// held is a course the student already holds, as far as the checks need it.
type held struct {
	id       int64
	credits  int
	schedule []core.Slot
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

// heldCourses returns the courses each student holds. The student row
// locks keep the lists stable for the rest of the transaction.
func heldCourses(ctx context.Context, tx *sql.Tx, studentIDs []int64) (map[int64][]held, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT e.student_id, c.id, c.credits, c.schedule FROM enrollments e JOIN courses c ON c.id = e.course_id"+
			" WHERE e.student_id IN ("+placeholders(len(studentIDs))+")", int64Args(studentIDs)...)
	if err != nil {
		return nil, fmt.Errorf("held courses: %w", err)
	}
	defer rows.Close()
	out := make(map[int64][]held, len(studentIDs))
	for rows.Next() {
		var sid int64
		var h held
		var schedule string
		if err := rows.Scan(&sid, &h.id, &h.credits, &schedule); err != nil {
			return nil, fmt.Errorf("held courses: %w", err)
		}
		if h.schedule, err = core.DecodeSchedule(schedule); err != nil {
			return nil, err
		}
		out[sid] = append(out[sid], h)
	}
	return out, rows.Err()
}
