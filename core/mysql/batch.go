package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"classmate/core"
)

// Group commit. A durable commit costs an fsync of the redo log and of the
// binlog, and concurrent enrollments of one course all wait for its row
// lock, so one hot course commits a few hundred transactions a second.
// Enrollments of the same course that arrive while a transaction for that
// course runs are queued, and the next transaction takes up to MaxBatch of
// them: one lock of the course row, one multi-row insert, one counter
// update, one fsync. Every rule is still checked per request under the same
// locks (student rows in id order, then the course row), so invariants 1–4
// hold exactly as with one enrollment per transaction. Under light load a
// batch holds one request and nothing waits.

// request is one enrollment waiting for its batch.
type request struct {
	ctx       context.Context
	studentID int64
	done      chan struct{}
	// Set by the batch before done is closed.
	enrollment core.Enrollment
	total      int
	err        error
}

// queue holds the requests of one course waiting for the running batch.
// A course has a queue exactly while a goroutine drains it.
type queue struct {
	pending []*request
}

var batchSize = metrics.NewPrometheusHistogramExt(`classmate_enroll_batch_size`,
	[]float64{1, 2, 4, 8, 16, 32, 64, 128})

// Enroll implements core.EnrollmentStore. Locks are taken student row first,
// then course row, as every writer of enrollments does, so a student's
// concurrent requests serialize and cannot both pass the credit and
// timetable checks. The caller waits for its batch even when ctx ends, since
// only the batch knows whether the enrollment committed; a request whose ctx
// ended before its batch started is dropped unanswered by MySQL.
func (s *Enrollments) Enroll(ctx context.Context, studentID, courseID int64) (core.Enrollment, int, error) {
	r := &request{ctx: ctx, studentID: studentID, done: make(chan struct{})}
	s.mu.Lock()
	if s.queues == nil {
		s.queues = make(map[int64]*queue)
	}
	q, running := s.queues[courseID]
	if !running {
		q = &queue{}
		s.queues[courseID] = q
	}
	q.pending = append(q.pending, r)
	s.mu.Unlock()
	if !running {
		go s.drain(courseID, q)
	}
	<-r.done
	return r.enrollment, r.total, r.err
}

// drain commits the course's queued requests batch by batch until none is
// left.
func (s *Enrollments) drain(courseID int64, q *queue) {
	limit := s.MaxBatch
	if limit <= 0 {
		limit = 32
	}
	for {
		s.mu.Lock()
		if len(q.pending) == 0 {
			delete(s.queues, courseID)
			s.mu.Unlock()
			return
		}
		n := min(len(q.pending), limit)
		batch := slices.Clone(q.pending[:n])
		q.pending = q.pending[n:]
		s.mu.Unlock()

		live := batch[:0:0]
		for _, r := range batch {
			if r.ctx.Err() != nil {
				r.err = fmt.Errorf("%w: %w", core.ErrUnavailable, r.ctx.Err())
				close(r.done)
				continue
			}
			live = append(live, r)
		}
		if len(live) > 0 {
			batchSize.Update(float64(len(live)))
			s.commit(courseID, live)
			for _, r := range live {
				close(r.done)
			}
		}
	}
}

// commit runs one batch's transaction and sets every request's answer.
func (s *Enrollments) commit(courseID int64, batch []*request) {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var accepted []*request
	var at time.Time
	err := s.DB.transact(ctx, "enroll", func(tx *sql.Tx) error {
		var err error
		accepted, at, err = s.enrollBatch(ctx, tx, courseID, batch)
		return err
	})
	if err == nil {
		return
	}
	// A commit whose answer was lost may still have happened: ask the
	// primary, so that a committed enrollment is never reported as failed
	// (and its seat never given back).
	if len(accepted) > 0 && s.committed(accepted[0].studentID, courseID, at) {
		return
	}
	for _, r := range batch {
		r.err = err
	}
}

// enrollBatch checks each request under the locks and writes the accepted
// ones. It returns them and their enrolled_at.
func (s *Enrollments) enrollBatch(ctx context.Context, tx *sql.Tx, courseID int64, batch []*request) ([]*request, time.Time, error) {
	ids := make([]int64, 0, len(batch))
	for _, r := range batch {
		ids = append(ids, r.studentID)
		r.err, r.enrollment, r.total = nil, core.Enrollment{}, 0
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	maxCredits, err := lockStudents(ctx, tx, ids)
	if err != nil {
		return nil, time.Time{}, err
	}
	var credits, capacity, enrolled int
	var schedule string
	err = tx.QueryRowContext(ctx,
		"SELECT credits, capacity, enrolled, schedule FROM courses WHERE id = ? FOR UPDATE", courseID,
	).Scan(&credits, &capacity, &enrolled, &schedule)
	if errors.Is(err, sql.ErrNoRows) {
		for _, r := range batch {
			r.err = core.ErrNotFound
		}
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("lock course: %w", err)
	}
	slots, err := core.DecodeSchedule(schedule)
	if err != nil {
		return nil, time.Time{}, err
	}
	holds, err := heldCourses(ctx, tx, ids)
	if err != nil {
		return nil, time.Time{}, err
	}

	var accepted []*request
	for _, r := range batch {
		limit, ok := maxCredits[r.studentID]
		if !ok {
			r.err = core.ErrUnauthenticated
			continue
		}
		sum, dup, conflict := 0, false, false
		for _, h := range holds[r.studentID] {
			sum += h.credits
			dup = dup || h.id == courseID
			conflict = conflict || core.Conflicts(slots, h.schedule)
		}
		switch {
		case dup:
			r.err = core.ErrAlreadyEnrolled
		case enrolled+len(accepted) >= capacity:
			r.err = core.ErrSoldOut
		case sum+credits > limit:
			r.err = core.ErrCreditLimitExceeded
		case conflict:
			r.err = core.ErrTimeConflict
		default:
			r.total = sum + credits
			holds[r.studentID] = append(holds[r.studentID], held{id: courseID, credits: credits, schedule: slots})
			accepted = append(accepted, r)
		}
	}
	if len(accepted) == 0 {
		return nil, time.Time{}, nil
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	var q strings.Builder
	args := make([]any, 0, 3*len(accepted))
	q.WriteString("INSERT INTO enrollments (student_id, course_id, enrolled_at) VALUES ")
	for i, r := range accepted {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, r.studentID, courseID, now)
	}
	if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
		return accepted, now, fmt.Errorf("insert enrollments: %w", err)
	}
	if _, err := tx.ExecContext(ctx,
		"UPDATE courses SET enrolled = enrolled + ?, version = version + 1, updated_at = ? WHERE id = ?",
		len(accepted), now, courseID,
	); err != nil {
		return accepted, now, fmt.Errorf("count seats: %w", err)
	}
	if s.BeforeCommit != nil {
		if err := s.BeforeCommit(ctx, tx); err != nil {
			return accepted, now, err
		}
	}
	for _, r := range accepted {
		r.enrollment = core.Enrollment{StudentID: r.studentID, CourseID: courseID, EnrolledAt: now}
	}
	return accepted, now, nil
}

// lockStudents locks the student rows in id order and returns their credit
// limits.
func lockStudents(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT id, max_credits FROM students WHERE id IN ("+placeholders(len(ids))+") ORDER BY id FOR UPDATE", int64Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("lock students: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]int, len(ids))
	for rows.Next() {
		var id int64
		var limit int
		if err := rows.Scan(&id, &limit); err != nil {
			return nil, fmt.Errorf("lock students: %w", err)
		}
		out[id] = limit
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// committed reports whether the student's enrollment in the course exists
// with enrolled_at at, the mark of one batch's transaction.
func (s *Enrollments) committed(studentID, courseID int64, at time.Time) bool {
	if at.IsZero() {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var got time.Time
	err := s.DB.Primary.QueryRowContext(ctx,
		"SELECT enrolled_at FROM enrollments WHERE student_id = ? AND course_id = ?", studentID, courseID,
	).Scan(&got)
	return err == nil && got.Equal(at)
}
