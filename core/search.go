package core

import (
	"context"
	"errors"

	"classmate/indexer"
)

// SearchQuery is a catalogue search, as GET /api/v1/courses takes it. Zero
// values mean "any" (Credits, Day, Department), "first page" (Cursor) and
// the default limit of 20 (Limit).
type SearchQuery struct {
	Q          string
	Department string
	Day        string
	Credits    int
	Cursor     string
	Limit      int
}

// SearchPage is one page of search results. NextCursor is nil on the last
// page. Remaining seats in Items may lag by a few seconds.
type SearchPage struct {
	Items      []Course `json:"items"`
	NextCursor *string  `json:"next_cursor"`
}

// Searcher searches the catalogue. Implementations are safe for
// concurrent use.
type Searcher interface {
	// Search answers one page. A bad query or cursor is ErrBadRequest; an
	// engine that cannot answer now is ErrUnavailable.
	Search(ctx context.Context, q SearchQuery) (SearchPage, error)
}

// Validate checks a query: Day MON…SAT, Credits 1–6, Limit 1–100 (zero
// values allowed, as above), and a cursor issued for the same q and
// filters. Errors are BAD_REQUEST.
func (q SearchQuery) Validate() error {
	if _, err := q.index().Parse(); err != nil {
		return Errorf(CodeBadRequest, "%s", err.Error())
	}
	return nil
}

func (q SearchQuery) index() indexer.Query {
	return indexer.Query{Q: q.Q, Department: q.Department, Day: q.Day, Credits: q.Credits, Cursor: q.Cursor, Limit: q.Limit}
}

// IndexSearcher is the Searcher of the indexer's engines (the embedded
// index or Elasticsearch; see classmate/indexer).
type IndexSearcher struct {
	Index indexer.Searcher
}

// Search implements Searcher.
func (s IndexSearcher) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	page, err := s.Index.Search(ctx, q.index())
	switch {
	case errors.Is(err, indexer.ErrBadQuery):
		return SearchPage{}, Errorf(CodeBadRequest, "%s", err.Error())
	case errors.Is(err, indexer.ErrUnavailable):
		return SearchPage{}, ErrUnavailable
	case err != nil:
		return SearchPage{}, err
	}
	out := SearchPage{Items: make([]Course, len(page.Docs))}
	for i, d := range page.Docs {
		out.Items[i] = courseOf(d)
	}
	if page.Next != "" {
		out.NextCursor = &page.Next
	}
	return out, nil
}

// courseOf turns a search document back into a Course.
func courseOf(d indexer.Document) Course {
	c := Course{ID: d.ID, Code: d.Code, Title: d.Title, Professor: d.Professor, Department: d.Department,
		Credits: d.Credits, Capacity: d.Capacity, Remaining: d.Remaining, Room: d.Room,
		Schedule: make([]Slot, len(d.Schedule)), Enrolled: d.Capacity - d.Remaining, Version: d.Version}
	for i, s := range d.Schedule {
		c.Schedule[i] = Slot{Day: s.Day, Start: s.Start, End: s.End}
	}
	return c
}
