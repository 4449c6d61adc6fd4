package http

import (
	"time"

	"classmate/gate"
	"classmate/internal/contract"
)

// roomJSON is the room object of PUT and GET /admin/v1/room. The fields
// after session_seconds are additions to the contract.
type roomJSON struct {
	OpensAt         time.Time `json:"opens_at"`
	PrequeueSeconds int       `json:"prequeue_seconds"`
	MaxActive       int       `json:"max_active"`
	AdmitPerSecond  float64   `json:"admit_per_second"`
	Mode            gate.Mode `json:"mode"`
	Paused          bool      `json:"paused"`
	SessionSeconds  int       `json:"session_seconds"`

	// PrequeueOpensAt is when joining starts.
	PrequeueOpensAt time.Time `json:"prequeue_opens_at"`
	// Opened is set once the room opened (the pre-queue became the queue).
	Opened bool `json:"opened"`
	// DrawCommitment is sha256(seed) in hex, shown from the moment lottery
	// mode is configured; DrawSeed reveals the seed once the room opened.
	DrawCommitment string `json:"draw_commitment,omitempty"`
	DrawSeed       string `json:"draw_seed,omitempty"`
	Drawn          bool   `json:"drawn"`
}

func newRoomJSON(st gate.RoomState) *roomJSON {
	if !st.Configured {
		return nil
	}
	r := st.Room
	out := &roomJSON{
		OpensAt: r.OpensAt.UTC(), PrequeueSeconds: r.PrequeueSeconds, MaxActive: r.MaxActive,
		AdmitPerSecond: r.AdmitPerSecond, Mode: r.Mode, Paused: r.Paused, SessionSeconds: r.SessionSeconds,
		PrequeueOpensAt: r.PrequeueOpensAt().UTC(), Opened: st.Opened, Drawn: st.Drawn,
	}
	if r.Mode == gate.ModeLottery || st.OpenMode == gate.ModeLottery {
		out.DrawCommitment = st.Commitment()
		out.DrawSeed = st.RevealedSeed()
	}
	return out
}

// roomStats is the answer of GET /admin/v1/room. The fields after
// admit_rate are additions to the contract.
type roomStats struct {
	Room          *roomJSON `json:"room"`
	Waiting       int64     `json:"waiting"`
	Active        int64     `json:"active"`
	AdmittedTotal int64     `json:"admitted_total"`
	// AdmitRate is the effective admission rate, after AIMD.
	AdmitRate float64 `json:"admit_rate"`

	// AdmitRateConfigured is the room's admit_per_second.
	AdmitRateConfigured float64 `json:"admit_rate_configured"`
	// AdmitRateObserved is the rate this gate saw over the last 20 s.
	AdmitRateObserved float64 `json:"admit_rate_observed"`
	// Departed counts the waiters who left or were dropped for silence.
	Departed   int64 `json:"departed"`
	Configured bool  `json:"configured"`
	// Sockets is the number of WebSockets this gate instance holds.
	Sockets int64 `json:"sockets"`
	// Leader reports whether this gate instance runs the admission tick.
	Leader bool `json:"leader"`
}

// room answers the room and its figures.
func (s *Server) room(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	st, err := s.Queue.Room(ctx)
	if err != nil {
		return s.storeError(err)
	}
	observed := s.Estimator.Rates().Mean
	out := roomStats{
		Room: newRoomJSON(st), Waiting: st.Waiting, Active: st.Active, AdmittedTotal: st.AdmittedTotal,
		AdmitRate: st.EffectiveRate, AdmitRateConfigured: st.Room.AdmitPerSecond, AdmitRateObserved: observed,
		Departed: st.Departed, Configured: st.Configured,
	}
	if s.Hub != nil {
		out.Sockets = s.Hub.Sockets()
	}
	if s.Leader != nil {
		out.Leader = s.Leader()
	}
	contract.WriteJSON(c.ctx, 200, out)
	return nil
}

// putRoom merges the body into the room: fields left out keep their
// values.
func (s *Server) putRoom(c *call) error {
	var patch gate.RoomPatch
	if err := decodeObject(c.ctx.Request.Body(), &patch); err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	st, err := s.Queue.UpdateRoom(ctx, patch)
	if err != nil {
		return s.storeError(err)
	}
	s.log().Info("room configured", "opens_at", st.Room.OpensAt, "mode", st.Room.Mode,
		"admit_per_second", st.Room.AdmitPerSecond, "max_active", st.Room.MaxActive, "paused", st.Room.Paused)
	contract.WriteJSON(c.ctx, 200, newRoomJSON(st))
	return nil
}

// drawJSON is the answer of GET /admin/v1/room/draw (an addition): the
// lottery's commitment, and once the room opened its seed and the order
// the pre-queue took, so anyone can recompute it (see gate.DrawOrder).
type drawJSON struct {
	Commitment string  `json:"commitment"`
	Seed       string  `json:"seed,omitempty"`
	Order      []int64 `json:"order"`
}

// draw answers the lottery's audit data.
func (s *Server) draw(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	st, err := s.Queue.Room(ctx)
	if err != nil {
		return s.storeError(err)
	}
	_, order, err := s.Queue.Draw(ctx)
	if err != nil {
		return s.storeError(err)
	}
	if order == nil {
		order = []int64{}
	}
	contract.WriteJSON(c.ctx, 200, drawJSON{Commitment: st.Commitment(), Seed: st.RevealedSeed(), Order: order})
	return nil
}
