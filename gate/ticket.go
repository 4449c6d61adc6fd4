package gate

import (
	"math"
	"time"
)

// State is the state of a ticket.
type State string

// States of a ticket.
const (
	StatePrequeue State = "prequeue" // joined before the opening
	StateWaiting  State = "waiting"  // in the queue after the opening
	StateAdmitted State = "admitted" // holds a live admission
	StateExpired  State = "expired"  // admission ended, left, or abandoned
)

// Ticket is a student's place in the room, as the HTTP contract shows it.
// The fields after AdmissionExpiresAt are additions to the contract.
type Ticket struct {
	Ticket             string     `json:"ticket"`
	State              State      `json:"state"`
	Position           int64      `json:"position"`
	EtaSeconds         int64      `json:"eta_seconds"`
	OpensAt            time.Time  `json:"opens_at"`
	AdmissionToken     string     `json:"admission_token,omitempty"`
	AdmissionExpiresAt *time.Time `json:"admission_expires_at,omitempty"`

	// Ahead is the number of waiting students ahead (Position - 1, or 0).
	Ahead int64 `json:"ahead"`
	// EtaLow and EtaHigh bound EtaSeconds from the spread of the observed
	// admission rate.
	EtaLow  int64 `json:"eta_low"`
	EtaHigh int64 `json:"eta_high"`
	Mode    Mode  `json:"mode"`
	// DrawCommitment is the lottery's commitment, sha256(seed) in hex, in
	// lottery mode; DrawSeed reveals the seed once the room opened.
	DrawCommitment string `json:"draw_commitment,omitempty"`
	DrawSeed       string `json:"draw_seed,omitempty"`
}

// Admission is an admission the gate minted and stored with a ticket.
type Admission struct {
	Token      string
	ID         string // the token's jti
	AdmittedAt time.Time
	ExpiresAt  time.Time // the token's exp and the ticket's admission_expires_at
	Number     int64     // 1 for the room's first admission, 2 for the next…
}

// TicketView is what the queue store knows about a student's ticket, read
// atomically.
type TicketView struct {
	StudentID int64
	Ticket    string // "" when the student never held one
	// Rank is the 0-based rank in the queue, or -1 when not queued.
	Rank int64
	// ActiveUntil is when the admission ends while the student holds one of
	// the room's active slots, else zero.
	ActiveUntil time.Time
	// Admission is the last admission of this ticket, nil if none.
	Admission *Admission
	Room      RoomState // Room, Configured, Opened, OpenMode, Drawn, Seed, Waiting
}

// State returns the ticket's state at now, "" when there is no ticket.
func (v TicketView) State(now time.Time) State {
	switch {
	case v.Ticket == "":
		return ""
	case v.Rank >= 0:
		return v.Room.Phase(now)
	case !v.ActiveUntil.IsZero() && v.ActiveUntil.After(now) && v.Admission != nil:
		return StateAdmitted
	}
	return StateExpired
}

// Position returns the position shown for a queued ticket: its rank plus
// one, except in a lottery pre-queue before the draw, where the order is not
// known yet and the position is the size of the pre-queue (the worst case).
func (v TicketView) Position(now time.Time) int64 {
	if v.Rank < 0 {
		return 0
	}
	if v.Room.Phase(now) == StatePrequeue && v.Room.LotteryPending() {
		return max(v.Room.Waiting, v.Rank+1)
	}
	return v.Rank + 1
}

// TicketAt renders the view at now, with ETAs from est (which may be nil).
func (v TicketView) TicketAt(now time.Time, est *Estimator) Ticket {
	st := v.State(now)
	t := Ticket{
		Ticket:  v.Ticket,
		State:   st,
		OpensAt: v.Room.Room.OpensAt.UTC(),
		Mode:    v.Room.Room.Mode,
	}
	if v.Room.Room.Mode == ModeLottery || v.Room.OpenMode == ModeLottery {
		t.DrawCommitment = v.Room.Commitment()
		t.DrawSeed = v.Room.RevealedSeed()
	}
	switch st {
	case StatePrequeue, StateWaiting:
		t.Position = v.Position(now)
		t.Ahead = t.Position - 1
		t.EtaSeconds, t.EtaLow, t.EtaHigh = est.ETA(t.Position, now, v.Room, st)
	case StateAdmitted:
		t.AdmissionToken = v.Admission.Token
		exp := v.Admission.ExpiresAt.UTC()
		t.AdmissionExpiresAt = &exp
	}
	return t
}

// ceilSeconds rounds a number of seconds up to a whole non-negative number,
// capped at a day.
func ceilSeconds(s float64) int64 {
	if math.IsNaN(s) || s <= 0 {
		return 0
	}
	return int64(math.Ceil(min(s, 86400)))
}
