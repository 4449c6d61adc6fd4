package gate

import (
	"context"
	"errors"
	"time"
)

// ErrDrawChanged is returned by AdmitStore.Draw when the pre-queue changed
// since it was read; the leader reads it again on its next tick.
var ErrDrawChanged = errors.New("gate: the pre-queue changed during the draw")

// ErrNotLeader is returned by AdmitStore methods when the lock token given
// no longer holds the room's lock (fencing): another instance leads now.
var ErrNotLeader = errors.New("gate: not the leader")

// Queue is the room's shared state as the HTTP adapter and the socket hub
// use it: the room's configuration, tickets, and positions. gate/redis
// implements it; every method is safe for concurrent use and gives the
// same answers on every gate instance.
type Queue interface {
	// Room returns the room's configuration and figures.
	Room(ctx context.Context) (RoomState, error)
	// UpdateRoom applies patch to the room atomically, validates the result
	// and returns the new state. Configuring lottery mode creates the seed
	// if there is none. A changed admit_per_second also resets the
	// effective rate to it.
	UpdateRoom(ctx context.Context, patch RoomPatch) (RoomState, error)

	// Join gives the student a place: the ticket it holds while waiting or
	// admitted, else a new ticket at the back. It fails with ErrNotOpen
	// before the pre-queue opens.
	Join(ctx context.Context, studentID int64, now time.Time) (TicketView, error)
	// View returns the student's current ticket; with touch, a waiting
	// ticket's last-seen time becomes now (a poll keeps the place).
	View(ctx context.Context, studentID int64, now time.Time, touch bool) (TicketView, error)
	// StudentOf returns the student a ticket belongs to, current or not, or
	// ErrNotFound.
	StudentOf(ctx context.Context, ticket string) (int64, error)
	// Leave ends the student's waiting or admission at once and returns the
	// admission of the current ticket, if any, for revocation.
	Leave(ctx context.Context, studentID int64, now time.Time) (*Admission, error)
	// Revoke marks an admission token as revoked until its expiry; the core
	// refuses it from then on (the gate forwards it and lets the core say so).
	Revoke(ctx context.Context, jti string, until, now time.Time) error

	// Ranks sets ranks[i] to the 0-based queue rank of students[i], or -1,
	// in pipelined batches (one round trip per few thousand students).
	Ranks(ctx context.Context, students []int64, ranks []int64) error
	// Views returns the views of many students, pipelined.
	Views(ctx context.Context, students []int64, now time.Time) ([]TicketView, error)
	// Touch sets the last-seen time of the waiting students to now, in one
	// command per few thousand students.
	Touch(ctx context.Context, students []int64, now time.Time) error
	// Draw returns the lottery's order once drawn: the seed and the
	// pre-queue's students in draw order (nil before the draw).
	Draw(ctx context.Context) (seed []byte, order []int64, err error)
}

// SweepResult is what AdmitStore.Sweep found and did.
type SweepResult struct {
	Room RoomState
	// Candidates are the students at the head of the queue, in order, who
	// may be admitted now: at most the budget and the free slots.
	Candidates []int64
	// DrawDue is set when the room opened in lottery mode and still needs
	// its draw; no candidates are returned until it is done.
	DrawDue bool
	// Expired and Abandoned count the admissions that ended and the
	// waiters dropped for silence during this sweep.
	Expired, Abandoned int
}

// AdmitStore is what the admission tick needs of the queue. Every write is
// fenced by the lock token: it fails with ErrNotLeader once the token no
// longer holds the room's lock.
type AdmitStore interface {
	// Sweep ends admissions whose time passed, drops waiters not seen since
	// now-grace, records the opening once now reaches opens_at, and returns
	// up to want candidates from the head of the queue.
	Sweep(ctx context.Context, lock string, now time.Time, grace time.Duration, want int) (SweepResult, error)
	// Admit admits the candidates in order with their minted admissions,
	// stopping at max_active or a pause; students who left meanwhile are
	// skipped. It returns the number admitted.
	Admit(ctx context.Context, lock string, now time.Time, adm []Admitted) (int, error)
	// PreQueue returns the students of the pre-queue awaiting the draw.
	PreQueue(ctx context.Context) ([]int64, error)
	// CommitDraw reorders the pre-queue to order (a permutation of what
	// PreQueue returned) or fails with ErrDrawChanged.
	CommitDraw(ctx context.Context, lock string, order []int64) error
	// SetEffectiveRate stores the rate the AIMD controller settled on.
	SetEffectiveRate(ctx context.Context, lock string, rate float64) error
	// AddLoad adds one gate's proxy figures to the room's second sec.
	AddLoad(ctx context.Context, sec int64, l Load) error
	// LoadSince sums every gate's figures of seconds from..to inclusive.
	LoadSince(ctx context.Context, from, to int64) (Load, error)
}

// Admitted is a candidate with the admission minted for it.
type Admitted struct {
	StudentID int64
	Admission Admission
}

// Lock is the room's leader lock. Acquire obtains it or, when held,
// renews it; it reports whether this instance holds it. Token is the value
// the fenced writes compare with the lock's, valid while held.
type Lock interface {
	Acquire(ctx context.Context) (bool, error)
	Token() string
	Release(ctx context.Context) error
}
