package gate

import (
	"math"
	"time"
)

// Mode is how the pre-queue is ordered when the room opens.
type Mode string

// Modes of a room.
const (
	// ModeFIFO keeps the pre-queue in join order.
	ModeFIFO Mode = "fifo"
	// ModeLottery orders the pre-queue by a draw (see DrawOrder) when the
	// room opens; later joiners queue in join order behind it.
	ModeLottery Mode = "lottery"
)

// Limits of a room's settings.
const (
	MinSessionSeconds     = 5
	MaxSessionSeconds     = 3600
	DefaultSessionSeconds = 600
	MaxPrequeueSeconds    = 7 * 24 * 3600
	MaxMaxActive          = 10_000_000
	MaxAdmitPerSecond     = 1_000_000
)

// Room is the configuration of the waiting room, as PUT /admin/v1/room sets
// it. Times are UTC.
type Room struct {
	OpensAt         time.Time // when the queue opens
	PrequeueSeconds int       // how long before OpensAt joining starts
	MaxActive       int       // most students admitted at once
	AdmitPerSecond  float64   // configured admission rate
	Mode            Mode
	Paused          bool // stops admission, not joining
	SessionSeconds  int  // life of an admission
}

// DefaultRoom is the room a development gate creates when none is
// configured: open at now, FIFO, 50 admissions a second, at most 2,000
// admitted at once, 10-minute admissions, an hour of pre-queue.
func DefaultRoom(now time.Time) Room {
	return Room{
		OpensAt:         now.UTC().Truncate(time.Second),
		PrequeueSeconds: 3600,
		MaxActive:       2000,
		AdmitPerSecond:  50,
		Mode:            ModeFIFO,
		SessionSeconds:  DefaultSessionSeconds,
	}
}

// PrequeueOpensAt is when joining starts.
func (r Room) PrequeueOpensAt() time.Time {
	return r.OpensAt.Add(-time.Duration(r.PrequeueSeconds) * time.Second)
}

// SessionTTL is the life of an admission.
func (r Room) SessionTTL() time.Duration {
	return time.Duration(r.SessionSeconds) * time.Second
}

// Validate reports the first invalid setting as a BAD_REQUEST error.
func (r Room) Validate() error {
	switch {
	case r.OpensAt.IsZero():
		return Errorf(CodeBadRequest, "opens_at is required")
	case r.OpensAt.Year() < 2000 || r.OpensAt.Year() > 9999:
		return Errorf(CodeBadRequest, "opens_at is out of range")
	case r.PrequeueSeconds < 0 || r.PrequeueSeconds > MaxPrequeueSeconds:
		return Errorf(CodeBadRequest, "prequeue_seconds must be 0-%d", MaxPrequeueSeconds)
	case r.MaxActive < 0 || r.MaxActive > MaxMaxActive:
		return Errorf(CodeBadRequest, "max_active must be 0-%d", MaxMaxActive)
	case math.IsNaN(r.AdmitPerSecond) || r.AdmitPerSecond < 0 || r.AdmitPerSecond > MaxAdmitPerSecond:
		return Errorf(CodeBadRequest, "admit_per_second must be 0-%d", MaxAdmitPerSecond)
	case r.Mode != ModeFIFO && r.Mode != ModeLottery:
		return Errorf(CodeBadRequest, "mode must be fifo or lottery")
	case r.SessionSeconds < MinSessionSeconds || r.SessionSeconds > MaxSessionSeconds:
		return Errorf(CodeBadRequest, "session_seconds must be %d-%d", MinSessionSeconds, MaxSessionSeconds)
	}
	return nil
}

// RoomPatch is the body of PUT /admin/v1/room: a nil field keeps the
// room's value.
type RoomPatch struct {
	OpensAt         *time.Time `json:"opens_at"`
	PrequeueSeconds *int       `json:"prequeue_seconds"`
	MaxActive       *int       `json:"max_active"`
	AdmitPerSecond  *float64   `json:"admit_per_second"`
	Mode            *Mode      `json:"mode"`
	Paused          *bool      `json:"paused"`
	SessionSeconds  *int       `json:"session_seconds"`
}

// Apply returns r with the patch's fields set. A room that did not exist
// yet starts from a zero OpensAt (so the patch must give one), FIFO mode
// and DefaultSessionSeconds.
func (p RoomPatch) Apply(r Room, exists bool) Room {
	if !exists {
		r = Room{Mode: ModeFIFO, SessionSeconds: DefaultSessionSeconds}
	}
	if p.OpensAt != nil {
		r.OpensAt = p.OpensAt.UTC()
	}
	if p.PrequeueSeconds != nil {
		r.PrequeueSeconds = *p.PrequeueSeconds
	}
	if p.MaxActive != nil {
		r.MaxActive = *p.MaxActive
	}
	if p.AdmitPerSecond != nil {
		r.AdmitPerSecond = *p.AdmitPerSecond
	}
	if p.Mode != nil {
		r.Mode = *p.Mode
	}
	if p.Paused != nil {
		r.Paused = *p.Paused
	}
	if p.SessionSeconds != nil {
		r.SessionSeconds = *p.SessionSeconds
	}
	return r
}

// RoomState is the room's configuration with what the queue knows about it:
// the figures of GET /admin/v1/room.
type RoomState struct {
	Room       Room
	Configured bool // a room was ever configured
	// Opened is set once the room opened; from then on moving OpensAt does
	// not change the order.
	Opened bool
	// OpenMode is the mode the room had when it opened; a lottery draw is
	// due when it is ModeLottery and Drawn is false.
	OpenMode Mode
	Drawn    bool
	// Seed is the secret of the lottery draw, created when the room is first
	// configured in lottery mode. Reveal it only once Opened.
	Seed []byte

	Waiting       int64   // students in the queue or pre-queue
	Active        int64   // admissions not yet ended
	AdmittedTotal int64   // admissions ever made
	Departed      int64   // waiters who left or were abandoned, ever
	EffectiveRate float64 // the admission rate after AIMD, per second
}

// Phase is the state a waiting ticket of the room has at now: prequeue
// until the room opened (and, in lottery mode, was drawn), then waiting.
func (s RoomState) Phase(now time.Time) State {
	opened := s.Opened || (s.Configured && !now.Before(s.Room.OpensAt))
	if !opened {
		return StatePrequeue
	}
	if s.LotteryPending() {
		return StatePrequeue
	}
	return StateWaiting
}

// LotteryPending reports whether the pre-queue still awaits its draw: the
// room opened in lottery mode and was not drawn yet, or has not opened and
// is in lottery mode now.
func (s RoomState) LotteryPending() bool {
	if s.Opened {
		return s.OpenMode == ModeLottery && !s.Drawn
	}
	return s.Room.Mode == ModeLottery
}

// Commitment returns the lottery commitment, or "" without a seed.
func (s RoomState) Commitment() string {
	if len(s.Seed) == 0 {
		return ""
	}
	return Commitment(s.Seed)
}

// RevealedSeed returns the seed in hex once the room opened, else "".
func (s RoomState) RevealedSeed() string {
	if !s.Opened || len(s.Seed) == 0 {
		return ""
	}
	return hexString(s.Seed)
}
