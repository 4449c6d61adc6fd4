package http

import (
	"classmate/core"
	"classmate/internal/contract"
)

// cart lists the student's cart.
func (s *Server) cart(c *call) error {
	ctx, cancel := s.context()
	defer cancel()
	items, err := s.Carts.Cart(ctx, c.studentID)
	if err != nil {
		return err
	}
	ptrs := make([]*core.Course, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	s.liveRemaining(ptrs...)
	contract.WriteJSON(c.ctx, 200, map[string]any{"items": items})
	return nil
}

// cartAdd puts the course of the path in the cart.
func (s *Server) cartAdd(c *call) error {
	id, err := parseID(c.param)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	if err := s.Carts.Add(ctx, c.studentID, id); err != nil {
		return err
	}
	c.ctx.SetStatusCode(204)
	return nil
}

// cartRemove takes the course of the path out of the cart.
func (s *Server) cartRemove(c *call) error {
	id, err := parseID(c.param)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	if err := s.Carts.Remove(ctx, c.studentID, id); err != nil {
		return err
	}
	c.ctx.SetStatusCode(204)
	return nil
}
