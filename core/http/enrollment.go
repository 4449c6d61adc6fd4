package http

import (
	"encoding/json"
	"errors"
	"time"

	"classmate/core"
	"classmate/internal/contract"
)

type enrollRequest struct {
	CourseID *int64 `json:"course_id"`
}

type enrollResponse struct {
	Enrollment   core.Enrollment `json:"enrollment"`
	TotalCredits int             `json:"total_credits"`
}

// enroll enrolls the admitted student. With an Idempotency-Key, the first
// answer is stored and every repeat gets it again. The admission token's
// revocation is checked with the first call to Redis: the claim of the key,
// or else the seat take.
func (s *Server) enroll(c *call) error {
	key := c.ctx.Request.Header.Peek("Idempotency-Key")
	if key == nil {
		return s.doEnroll(c, "")
	}
	if !ValidIdempotencyKey(key) {
		return s.badRequest(c, core.Errorf(core.CodeBadRequest, "Idempotency-Key must be 1–64 characters of [A-Za-z0-9._-]"))
	}
	k := string(key)
	ctx, cancel := s.context()
	defer cancel()
	reply, claimed, err := s.Replies.Claim(ctx, c.studentID, k, c.admission())
	switch {
	case errors.Is(err, core.ErrAdmissionRequired):
		return err
	case err != nil:
		s.log().Error("idempotency claim", "err", err)
		return core.ErrUnavailable
	}
	c.lateRevocation = false
	if !claimed {
		contract.WriteRaw(c.ctx, reply.Status, reply.Body)
		c.ctx.Response.Header.Set("Idempotent-Replayed", "true")
		return nil
	}
	if err := s.doEnroll(c, k); err != nil {
		s.writeError(c.ctx, err)
	}
	switch status := c.ctx.Response.StatusCode(); {
	case status == 201:
		// Stored by the registrar, with the seat's confirmation.
	case status >= 500:
		// Nothing was decided: let a repeat try again.
		if err := s.Replies.Abandon(ctx, c.studentID, k); err != nil {
			s.log().Warn("idempotency abandon", "err", err)
		}
	default:
		if err := s.Replies.Store(ctx, c.studentID, k, core.Reply{Status: status, Body: append([]byte(nil), c.ctx.Response.Body()...)}); err != nil {
			s.log().Warn("idempotency store", "err", err)
		}
	}
	return nil
}

// doEnroll enrolls the student in the course of the body; a non-empty key
// is the claimed Idempotency-Key, whose reply the registrar stores on
// success.
func (s *Server) doEnroll(c *call, key string) error {
	var req enrollRequest
	if err := decodeObject(c.ctx.Request.Body(), &req); err != nil {
		return s.badRequest(c, err)
	}
	if req.CourseID == nil || *req.CourseID <= 0 {
		return s.badRequest(c, core.Errorf(core.CodeBadRequest, "course_id must be a positive integer"))
	}
	ctx, cancel := s.context()
	defer cancel()
	// With a key the registrar renders the answer to store it; it is then
	// written as stored, not rendered again.
	var r core.Reply
	render := func(e core.Enrollment, total int) core.Reply {
		r = enrolled(e, total)
		return r
	}
	e, total, err := s.Registrar.Enroll(ctx, core.Attempt{
		StudentID: c.studentID, CourseID: *req.CourseID,
		Admission: c.admission(), Key: key, Reply: render,
	})
	c.lateRevocation = false
	if err != nil {
		return err
	}
	if r.Body == nil {
		r = enrolled(e, total)
	}
	contract.WriteRaw(c.ctx, r.Status, r.Body)
	return nil
}

// enrolled renders the answer to a committed enrollment.
func enrolled(e core.Enrollment, total int) core.Reply {
	e.EnrolledAt = e.EnrolledAt.UTC().Truncate(time.Microsecond)
	b, err := json.Marshal(enrollResponse{Enrollment: e, TotalCredits: total})
	if err != nil {
		panic(err) // plain structs of numbers and a time
	}
	return core.Reply{Status: 201, Body: b}
}

// badRequest answers err, a 400, unless the admission token's revocation,
// still to be checked, gives a 401, which comes first.
func (s *Server) badRequest(c *call, err error) error {
	if c.lateRevocation {
		c.lateRevocation = false
		if rerr := s.checkRevocation(c.jti); rerr != nil {
			return rerr
		}
	}
	return err
}

// cancel cancels the student's enrollment in the course of the path.
func (s *Server) cancel(c *call) error {
	id, err := parseID(c.param)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	if err := s.Registrar.Cancel(ctx, c.studentID, id); err != nil {
		return err
	}
	c.ctx.SetStatusCode(204)
	return nil
}

// enrollments answers the student's timetable, fresh from the primary.
func (s *Server) enrollments(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	t, err := s.Enrollments.Timetable(ctx, c.studentID)
	if err != nil {
		return err
	}
	ptrs := make([]*core.Course, len(t.Items))
	for i := range t.Items {
		ptrs[i] = &t.Items[i].Course
	}
	s.liveRemaining(ptrs...)
	contract.WriteJSON(c.ctx, 200, t)
	return nil
}
