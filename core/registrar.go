package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// Registrar enrolls and cancels. The seat filter answers requests that cannot
// succeed (sold out, duplicate) without touching MySQL; the rest commit in
// the store. Every path that does not commit gives back what the filter took.
// Safe for concurrent use.
type Registrar struct {
	Store  EnrollmentStore
	States SeatStateStore
	Seats  Seats
	Log    *slog.Logger
	// PendingWait bounds how long a request waits for the same student's
	// in-flight request for the same course (default 3 s).
	PendingWait time.Duration

	loads sync.Map // course id → *counterLoad in flight
}

// counterLoad is one load of a missing seat counter, shared by the requests
// that found it missing at the same time.
type counterLoad struct {
	done chan struct{}
	err  error
}

var (
	enrollCommitted   = metrics.NewCounter(`classmate_enrollments_committed_total`)
	enrollCancelled   = metrics.NewCounter(`classmate_enrollments_cancelled_total`)
	fastRejectSoldOut = metrics.NewCounter(`classmate_enroll_fast_rejects_total{reason="SOLD_OUT"}`)
	fastRejectDup     = metrics.NewCounter(`classmate_enroll_fast_rejects_total{reason="ALREADY_ENROLLED"}`)
	seatsReleased     = metrics.NewCounter(`classmate_seats_released_total`)
)

// Attempt is one request to enroll a student in a course.
type Attempt struct {
	StudentID int64
	CourseID  int64
	// Admission, when not empty, is the id of the request's admission token,
	// still to be checked against revocations: the seat take checks it in
	// its round trip, and a revoked token gets ErrAdmissionRequired.
	Admission string
	// Key, when not empty, is the request's claimed Idempotency-Key. On
	// success Reply renders the answer, which is stored for the key in the
	// round trip that confirms the seat; on any error the caller stores its
	// own answer.
	Key   string
	Reply func(e Enrollment, totalCredits int) Reply
}

// Enroll enrolls the student in the course. A nil error means the enrollment
// is durably committed; any other answer means nothing was written and no
// seat is held. Any answer but ErrUnavailable means a.Admission was checked.
func (r *Registrar) Enroll(ctx context.Context, a Attempt) (Enrollment, int, error) {
	if err := r.take(ctx, a.CourseID, a.StudentID, a.Admission); err != nil {
		return Enrollment{}, 0, err
	}
	e, total, err := r.Store.Enroll(ctx, a.StudentID, a.CourseID)
	// The filter's bookkeeping must happen even when the client went away.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err != nil {
		seatsReleased.Inc()
		if rerr := r.Seats.Release(bg, a.CourseID, a.StudentID); rerr != nil {
			// The hold expires and the reconciler gives the seat back.
			r.log().Warn("release seat", "course", a.CourseID, "student", a.StudentID, "err", rerr)
		}
		return Enrollment{}, 0, r.unavailable("enroll", err)
	}
	enrollCommitted.Inc()
	var reply *KeyedReply
	if a.Key != "" {
		reply = &KeyedReply{StudentID: a.StudentID, Key: a.Key, Reply: a.Reply(e, total)}
	}
	if cerr := r.Seats.Confirm(bg, a.CourseID, a.StudentID, reply); cerr != nil {
		// The reconciler turns the hold into a seat: MySQL has the row. A
		// repeat of the key runs again once the claim expires.
		r.log().Warn("confirm seat", "course", a.CourseID, "student", a.StudentID, "err", cerr)
	}
	return e, total, nil
}

// take asks the seat filter for a seat, checking admission with the first
// try. It loads a missing counter from MySQL and waits out the student's own
// in-flight request for the same course, so that a double click gets the
// first request's outcome, not a guess.
func (r *Registrar) take(ctx context.Context, courseID, studentID int64, admission string) error {
	wait := r.PendingWait
	if wait <= 0 {
		wait = 3 * time.Second
	}
	deadline := time.Now().Add(wait)
	loaded := false
	for {
		err := r.Seats.Take(ctx, courseID, studentID, admission)
		// Only an answer of the filter leads to another try: the token
		// was checked.
		admission = ""
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrAdmissionRequired):
			return err
		case errors.Is(err, ErrSoldOut):
			fastRejectSoldOut.Inc()
			return err
		case errors.Is(err, ErrAlreadyEnrolled):
			fastRejectDup.Inc()
			return err
		case errors.Is(err, ErrNoCounter) && !loaded:
			loaded = true
			if err := r.loadCounter(ctx, courseID); err != nil {
				return r.unavailable("load seat counter", err)
			}
		case errors.Is(err, ErrNoCounter):
			return fmt.Errorf("seat counter of course %d vanished: %w", courseID, ErrUnavailable)
		case errors.Is(err, ErrSeatPending) && time.Now().Before(deadline):
			select {
			case <-ctx.Done():
				return ErrUnavailable
			case <-time.After(5 * time.Millisecond):
			}
		case errors.Is(err, ErrSeatPending):
			return ErrUnavailable
		default:
			return r.unavailable("seat filter", err)
		}
	}
}

// loadCounter loads a missing seat counter from MySQL. After a Redis restart
// during a rush, thousands of requests find the same counter missing; one
// load per course runs and the others wait for it.
func (r *Registrar) loadCounter(ctx context.Context, courseID int64) error {
	l := &counterLoad{done: make(chan struct{})}
	if v, running := r.loads.LoadOrStore(courseID, l); running {
		l = v.(*counterLoad)
		select {
		case <-l.done:
			return l.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	_, l.err = r.ReconcileCourse(ctx, courseID)
	r.loads.Delete(courseID)
	close(l.done)
	return l.err
}

// Cancel cancels the student's enrollment and returns the seat at once.
func (r *Registrar) Cancel(ctx context.Context, studentID, courseID int64) error {
	if err := r.Store.Cancel(ctx, studentID, courseID); err != nil {
		return r.unavailable("cancel", err)
	}
	enrollCancelled.Inc()
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := r.Seats.Return(bg, courseID, studentID); err != nil {
		// MySQL committed the cancellation; the reconciler fixes the counter.
		r.log().Warn("return seat", "course", courseID, "student", studentID, "err", err)
	}
	return nil
}

// unavailable passes domain errors through and turns any other failure of a
// dependency into ErrUnavailable, logging the cause.
func (r *Registrar) unavailable(op string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	r.log().Error(op, "err", err)
	return ErrUnavailable
}

func (r *Registrar) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}
