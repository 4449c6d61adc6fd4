package http

import (
	"classmate/core"
	"classmate/internal/contract"
)

// search answers GET /api/v1/courses: one page of the catalogue search.
// Empty parameters count as absent (the contract's own example sends
// q=&department=&…); any other value out of range is 400.
func (s *Server) search(c *call) error {
	// "/api/v1/courses/" is the course route with an empty id, not this.
	if p := c.ctx.Path(); len(p) > 0 && p[len(p)-1] == '/' {
		return core.ErrNotFound
	}
	args := c.ctx.QueryArgs()
	q := core.SearchQuery{
		Q:          string(args.Peek("q")),
		Department: string(args.Peek("department")),
		Day:        string(args.Peek("day")),
		Cursor:     string(args.Peek("cursor")),
	}
	var ok bool
	if q.Credits, ok = smallInt(args.Peek("credits"), 1, 6); !ok {
		return core.Errorf(core.CodeBadRequest, "credits must be 1–6")
	}
	if q.Limit, ok = smallInt(args.Peek("limit"), 1, 100); !ok {
		return core.Errorf(core.CodeBadRequest, "limit must be 1–100")
	}
	if err := q.Validate(); err != nil {
		return err
	}
	if s.Search == nil {
		return core.ErrUnavailable
	}
	ctx, cancel := s.context()
	defer cancel()
	page, err := s.Search.Search(ctx, q)
	if err != nil {
		return err
	}
	contract.WriteJSON(c.ctx, 200, page)
	return nil
}

// smallInt parses a decimal parameter in [lo, hi]; an empty one is 0.
func smallInt(b []byte, lo, hi int) (int, bool) {
	if len(b) == 0 {
		return 0, true
	}
	if len(b) > 3 {
		return 0, false
	}
	n := 0
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, n >= lo && n <= hi
}
