package http

import (
	"classmate/core"
	"classmate/internal/contract"
)

// course answers one course with its live remaining seats.
func (s *Server) course(c *call) error {
	id, err := parseID(c.param)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	course, err := s.Courses.Course(ctx, id)
	if err != nil {
		return err
	}
	s.liveRemaining(&course)
	contract.WriteJSON(c.ctx, 200, course)
	return nil
}

// liveRemaining replaces the (possibly lagging) remaining seats read from
// MySQL with the seat counter's, when Redis has one.
func (s *Server) liveRemaining(courses ...*core.Course) {
	if len(courses) == 0 {
		return
	}
	ids := make([]int64, len(courses))
	for i, co := range courses {
		ids[i] = co.ID
	}
	ctx, cancel := s.context()
	defer cancel()
	live, err := s.Seats.Remaining(ctx, ids...)
	if err != nil {
		s.log().Warn("live remaining seats", "err", err)
		return
	}
	for _, co := range courses {
		if n, ok := live[co.ID]; ok {
			co.Remaining = min(n, co.Capacity)
		}
	}
}
