package core

import (
	"context"
	"errors"
	"time"
)

// Enrollment is a committed registration of a student in a course.
type Enrollment struct {
	StudentID  int64     `json:"student_id"`
	CourseID   int64     `json:"course_id"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// EnrolledCourse is one line of a student's timetable.
type EnrolledCourse struct {
	Course     Course    `json:"course"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// Timetable is a student's enrollments with their credit total.
type Timetable struct {
	Items        []EnrolledCourse `json:"items"`
	TotalCredits int              `json:"total_credits"`
	MaxCredits   int              `json:"max_credits"`
}

// EnrollmentStore is the source of truth for enrollments (MySQL).
type EnrollmentStore interface {
	// Enroll commits the enrollment in one transaction that locks the
	// student row, then the course row, and checks, in this order,
	// ErrNotFound, ErrAlreadyEnrolled, ErrSoldOut, ErrCreditLimitExceeded
	// and ErrTimeConflict. It returns the student's new credit total. Any
	// error means nothing was written.
	Enroll(ctx context.Context, studentID, courseID int64) (Enrollment, int, error)
	// Cancel deletes the enrollment under the same locks and gives the seat
	// back to the course: ErrNotFound for an unknown course, ErrNotEnrolled
	// when the student does not hold it.
	Cancel(ctx context.Context, studentID, courseID int64) error
	// Timetable returns the student's enrollments, read from the primary so
	// that a student always sees their own writes.
	Timetable(ctx context.Context, studentID int64) (Timetable, error)
}

// Seats is the fast seat filter in front of the store (Redis). A take holds a
// seat for a student until it is confirmed (the enrollment committed) or
// released (it did not).
type Seats interface {
	// Take holds a seat of the course for the student. It returns
	// ErrAlreadyEnrolled when the student holds a committed seat, ErrSoldOut
	// when no seat is left, ErrSeatPending when the student's own earlier
	// take of this course is still in flight, and ErrNoCounter when the
	// course has no counter yet (unknown course, or Redis lost its data).
	// A non-empty admission is the id of the request's admission token,
	// checked against revocations in the same round trip: a revoked one
	// gets ErrAdmissionRequired, whatever the seat, and holds nothing.
	Take(ctx context.Context, courseID, studentID int64, admission string) error
	// Confirm turns the student's hold into a committed seat. A non-nil
	// reply is stored for its key in the same round trip, as Replies.Store
	// would.
	Confirm(ctx context.Context, courseID, studentID int64, reply *KeyedReply) error
	// Release gives back the student's hold. It is a no-op when there is no
	// hold, so a hold is never given back twice.
	Release(ctx context.Context, courseID, studentID int64) error
	// Return gives back the committed seat of a cancelled enrollment; a
	// no-op when the counter does not list the student.
	Return(ctx context.Context, courseID, studentID int64) error
	// Remaining returns the live remaining seats of the courses that have a
	// counter.
	Remaining(ctx context.Context, courseIDs ...int64) (map[int64]int, error)
	// Set makes the course's counter equal state, keeping holds still in
	// flight, and reports whether the counter had to change.
	Set(ctx context.Context, state SeatState) (bool, error)
}

// SeatState is a course's committed seats as MySQL knows them.
type SeatState struct {
	CourseID int64
	Capacity int
	Students []int64
}

// Internal seat filter answers.
var (
	ErrSeatPending = errors.New("seat: the student's earlier take is in flight")
	ErrNoCounter   = errors.New("seat: no counter for the course")
)

// SeatStateStore reads seat states under the course row locks, so that no
// enrollment or cancellation of those courses commits while fn runs.
type SeatStateStore interface {
	// LockSeatStates calls fn with the seat states of up to limit courses with
	// id > afterID, in id order, inside one transaction holding their row
	// locks. It returns the last id seen (0 when there were none).
	LockSeatStates(ctx context.Context, afterID int64, limit int, fn func([]SeatState) error) (int64, error)
	// LockSeatState is LockSeatStates for one course; ErrNotFound when it
	// does not exist.
	LockSeatState(ctx context.Context, courseID int64, fn func(SeatState) error) error
}
