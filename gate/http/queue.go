package http

import (
	"errors"

	"classmate/gate"
	"classmate/internal/contract"
)

// join gives the student a place in the room (or the one it holds).
func (s *Server) join(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	now := s.now()
	v, err := s.Queue.Join(ctx, c.studentID, now)
	if err != nil {
		return s.storeError(err)
	}
	contract.WriteJSON(c.ctx, 200, v.TicketAt(now, s.Estimator))
	return nil
}

// status answers the student's latest ticket, found by session token or by
// ?ticket=. With both, the ticket must be the student's. A poll counts as
// a sign of life of a waiting ticket.
func (s *Server) status(c *call) error {
	ticket := c.ctx.QueryArgs().Peek("ticket")
	_, hasAuth := bearer(c.ctx)
	if hasAuth {
		if err := s.authorize(c, authSession); err != nil {
			return err
		}
	} else if len(ticket) == 0 {
		return gate.ErrUnauthenticated
	}
	ctx, cancel := s.context()
	defer cancel()
	var asked string
	if len(ticket) > 0 {
		if !validTicket(ticket) {
			return gate.ErrNotFound
		}
		asked = string(ticket)
		owner, err := s.Queue.StudentOf(ctx, asked)
		if err != nil {
			return s.storeError(err)
		}
		if hasAuth && owner != c.studentID {
			return gate.ErrForbidden
		}
		c.studentID = owner
	}
	if err := s.limiter.allowStudent(c.studentID); err != nil {
		return err
	}
	now := s.now()
	v, err := s.Queue.View(ctx, c.studentID, now, true)
	if err != nil {
		return s.storeError(err)
	}
	if v.Ticket == "" {
		return gate.ErrNotFound
	}
	t := v.TicketAt(now, s.Estimator)
	if asked != "" && asked != v.Ticket {
		// An older ticket of the student: it ended when the new one began.
		t = gate.Ticket{Ticket: asked, State: gate.StateExpired, OpensAt: t.OpensAt, Mode: t.Mode,
			DrawCommitment: t.DrawCommitment, DrawSeed: t.DrawSeed}
	}
	contract.WriteJSON(c.ctx, 200, t)
	return nil
}

// leave ends the student's waiting or admission at once and revokes the
// admission token: first the token presented and the stored one, then
// whatever the leave itself returns, so no admission outlives its slot.
func (s *Server) leave(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	now := s.now()
	if c.jti != "" {
		if err := s.Queue.Revoke(ctx, c.jti, c.exp, now); err != nil {
			return s.storeError(err)
		}
	}
	revoked := ""
	if v, err := s.Queue.View(ctx, c.studentID, now, false); err == nil && v.Admission != nil {
		if err := s.Queue.Revoke(ctx, v.Admission.ID, v.Admission.ExpiresAt, now); err != nil {
			return s.storeError(err)
		}
		revoked = v.Admission.ID
	}
	adm, err := s.Queue.Leave(ctx, c.studentID, now)
	if err != nil {
		return s.storeError(err)
	}
	if adm != nil && adm.ID != revoked {
		if err := s.Queue.Revoke(ctx, adm.ID, adm.ExpiresAt, now); err != nil {
			return s.storeError(err)
		}
	}
	c.ctx.SetStatusCode(204)
	return nil
}

// storeError passes domain errors on and turns the store's failures into
// UNAVAILABLE, logged.
func (s *Server) storeError(err error) error {
	var e *gate.Error
	if errors.As(err, &e) {
		return err
	}
	s.log().Error("redis", "err", err)
	return gate.ErrUnavailable
}
