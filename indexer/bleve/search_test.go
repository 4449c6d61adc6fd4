package bleve_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"classmate/core/demo"
	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
	"classmate/indexer/internal/searchtest"
)

// catalogue is the demo catalogue of 3,000 courses as documents, built once.
var catalogue = sync.OnceValue(func() []indexer.Document {
	var out []indexer.Document
	for _, c := range demo.Courses(demo.DefaultCourses) {
		d := indexer.Document{ID: c.ID, Code: c.Code, Title: c.Title, Professor: c.Professor,
			Department: c.Department, Credits: c.Credits, Capacity: c.Capacity, Remaining: c.Capacity,
			Room: c.Room, Version: 1}
		for _, s := range c.Schedule {
			d.Schedule = append(d.Schedule, indexer.Slot{Day: s.Day, Start: s.Start, End: s.End})
		}
		d.Derive()
		out = append(out, d)
	}
	return out
})

// openCatalogue returns an index in a temporary directory holding the
// demo catalogue.
func openCatalogue(tb testing.TB) *cmbleve.Index {
	tb.Helper()
	x, err := cmbleve.Open(tb.TempDir(), "")
	require.NoError(tb, err)
	tb.Cleanup(func() { x.Close() })
	var changes []indexer.Change
	for _, d := range catalogue() {
		changes = append(changes, indexer.Upsert(d, time.Time{}))
	}
	require.NoError(tb, x.Write(context.Background(), changes))
	require.NoError(tb, x.Flush(context.Background()))
	return x
}

func TestRelevance(t *testing.T) {
	t.Parallel()
	searchtest.Relevance(t, openCatalogue(t), catalogue())
}

func TestContract(t *testing.T) {
	t.Parallel()
	searchtest.Contract(t, openCatalogue(t), catalogue())
}
