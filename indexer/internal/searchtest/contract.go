package searchtest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
)

// Contract runs the query contract of GET /api/v1/courses against s, which
// must hold exactly docs: filters, cursor pagination that is stable and
// complete, and validation.
func Contract(t *testing.T, s indexer.Searcher, docs []indexer.Document) {
	ctx := context.Background()

	t.Run("Filters", func(t *testing.T) {
		for _, q := range []indexer.Query{
			{Department: "컴퓨터공학과", Limit: 100},
			{Day: "SAT", Limit: 100},
			{Credits: 2, Limit: 100},
			{Q: "수학", Department: "수학과", Credits: 3, Limit: 100},
		} {
			// Expected: the hits of q alone, filtered here.
			var want []int64
			for _, d := range docs {
				if q.Q == "" && filtered(q, d) {
					want = append(want, d.ID)
				}
			}
			if q.Q != "" {
				for _, d := range walk(t, s, indexer.Query{Q: q.Q, Limit: 100}) {
					if filtered(q, d) {
						want = append(want, d.ID)
					}
				}
			}
			require.NotEmpty(t, want, "%+v matches nothing in the catalogue", q)
			got := walk(t, s, q)
			assert.ElementsMatch(t, want, ids(got), "%+v", q)
			for _, d := range got {
				assert.True(t, filtered(q, d), "%+v: %s", q, show(d))
			}
		}
	})

	t.Run("Pagination", func(t *testing.T) {
		for _, q := range []indexer.Query{
			{Q: "학", Limit: 7},   // many hits with many equal scores
			{Limit: 100},         // everything
			{Q: "공학", Limit: 13}, // words and partial words
		} {
			first := walk(t, s, q)
			again := walk(t, s, q)
			require.Equal(t, ids(first), ids(again), "%+v: pagination is not stable", q)
			seen := map[int64]bool{}
			for _, d := range first {
				require.False(t, seen[d.ID], "%+v: course %d on two pages", q, d.ID)
				seen[d.ID] = true
			}
			// Complete: the same set as with the largest pages.
			big := q
			big.Limit = 100
			assert.ElementsMatch(t, ids(walk(t, s, big)), ids(first), "%+v", q)
			if q.Q == "" {
				assert.Len(t, first, len(docs), "an empty query lists the catalogue")
			}
		}
	})

	t.Run("Validation", func(t *testing.T) {
		p, err := s.Search(ctx, indexer.Query{Q: "학", Limit: 2})
		require.NoError(t, err)
		require.NotEmpty(t, p.Next)
		for _, q := range []indexer.Query{
			{Day: "SUN"}, {Day: "mon"}, {Credits: 7}, {Credits: -1}, {Limit: 101}, {Limit: -1},
			{Cursor: "garbage"}, {Cursor: p.Next[:len(p.Next)-2]},
			{Q: "학", Cursor: p.Next, Day: "MON"}, {Q: "학과", Cursor: p.Next}, {Cursor: p.Next},
		} {
			_, err := s.Search(ctx, q)
			assert.ErrorIs(t, err, indexer.ErrBadQuery, "%+v", q)
		}
		// The cursor stays valid with another limit.
		_, err = s.Search(ctx, indexer.Query{Q: "학", Cursor: p.Next, Limit: 50})
		assert.NoError(t, err)
	})
}

func filtered(q indexer.Query, d indexer.Document) bool {
	if q.Department != "" && d.Department != q.Department {
		return false
	}
	if q.Credits != 0 && d.Credits != q.Credits {
		return false
	}
	if q.Day != "" {
		for _, s := range d.Schedule {
			if s.Day == q.Day {
				return true
			}
		}
		return false
	}
	return true
}

// walk follows next cursors to the last page.
func walk(t *testing.T, s indexer.Searcher, q indexer.Query) []indexer.Document {
	t.Helper()
	var out []indexer.Document
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10000, "endless pagination")
		p, err := s.Search(context.Background(), q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(p.Docs), max(q.Limit, 1))
		out = append(out, p.Docs...)
		if p.Next == "" {
			return out
		}
		require.Len(t, p.Docs, q.Limit, "a page before the last is full")
		q.Cursor = p.Next
	}
}

func ids(ds []indexer.Document) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}
