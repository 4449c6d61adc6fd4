package http

import (
	"classmate/core"
	"classmate/internal/contract"
)

// putCourse creates or updates a course. Under the course row lock it makes
// the seat counter match the new capacity, keeping the seats already sold.
func (s *Server) putCourse(c *call) error {
	id, err := parseID(c.param)
	if err != nil {
		return err
	}
	var course core.Course
	if err := decodeObject(c.ctx.Request.Body(), &course); err != nil {
		return err
	}
	if course.ID != 0 && course.ID != id {
		return core.Errorf(core.CodeBadRequest, "id in the body must match the path")
	}
	course.ID = id
	if err := course.Validate(); err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	out, err := s.Courses.PutCourse(ctx, course, func(st core.SeatState) error {
		_, err := s.Seats.Set(ctx, st)
		if err != nil {
			s.log().Error("set seat counter", "course", id, "err", err)
			return core.ErrUnavailable
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.liveRemaining(&out)
	contract.WriteJSON(c.ctx, 200, out)
	return nil
}

type reconcileResponse struct {
	Checked int `json:"checked"`
	Fixed   int `json:"fixed"`
}

// reconcile makes every seat counter equal MySQL.
func (s *Server) reconcile(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	checked, fixed, err := s.Registrar.Reconcile(ctx)
	if err != nil {
		s.log().Error("reconcile", "err", err)
		return core.ErrUnavailable
	}
	contract.WriteJSON(c.ctx, 200, reconcileResponse{Checked: checked, Fixed: fixed})
	return nil
}
