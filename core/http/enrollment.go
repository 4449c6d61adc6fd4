package http

import (
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
// answer is stored and every repeat gets it again.
func (s *Server) enroll(c *call) error {
	key := c.ctx.Request.Header.Peek("Idempotency-Key")
	if key == nil {
		return s.doEnroll(c)
	}
	if !ValidIdempotencyKey(key) {
		return core.Errorf(core.CodeBadRequest, "Idempotency-Key must be 1–64 characters of [A-Za-z0-9._-]")
	}
	k := string(key)
	ctx, cancel := s.context()
	defer cancel()
	reply, claimed, err := s.Replies.Claim(ctx, c.studentID, k)
	if err != nil {
		s.log().Error("idempotency claim", "err", err)
		return core.ErrUnavailable
	}
	if !claimed {
		contract.WriteRaw(c.ctx, reply.Status, reply.Body)
		c.ctx.Response.Header.Set("Idempotent-Replayed", "true")
		return nil
	}
	if err := s.doEnroll(c); err != nil {
		s.writeError(c.ctx, err)
	}
	status := c.ctx.Response.StatusCode()
	if status >= 500 {
		// Nothing was decided: let a repeat try again.
		if err := s.Replies.Abandon(ctx, c.studentID, k); err != nil {
			s.log().Warn("idempotency abandon", "err", err)
		}
		return nil
	}
	if err := s.Replies.Store(ctx, c.studentID, k, core.Reply{Status: status, Body: append([]byte(nil), c.ctx.Response.Body()...)}); err != nil {
		s.log().Warn("idempotency store", "err", err)
	}
	return nil
}

func (s *Server) doEnroll(c *call) error {
	var req enrollRequest
	if err := decodeObject(c.ctx.Request.Body(), &req); err != nil {
		return err
	}
	if req.CourseID == nil || *req.CourseID <= 0 {
		return core.Errorf(core.CodeBadRequest, "course_id must be a positive integer")
	}
	ctx, cancel := s.context()
	defer cancel()
	e, total, err := s.Registrar.Enroll(ctx, c.studentID, *req.CourseID)
	if err != nil {
		return err
	}
	e.EnrolledAt = e.EnrolledAt.UTC().Truncate(time.Microsecond)
	contract.WriteJSON(c.ctx, 201, enrollResponse{Enrollment: e, TotalCredits: total})
	return nil
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
