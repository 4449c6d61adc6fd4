package http_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/core"
	"classmate/core/demo"
	"classmate/indexer"
	"classmate/indexer/binlog"
	cmbleve "classmate/indexer/bleve"
	"classmate/indexer/elastic"
)

// newSearchEnv is a core server whose catalogue is the demo one, searched
// through an engine that the change data capture fills from the test's
// database: the embedded index (engine "bleve"), as `make run` does, or
// Elasticsearch at CLASSMATE_ES_URL ("elasticsearch").
func newSearchEnv(t testing.TB, engine string) *env {
	t.Helper()
	if engine == "elasticsearch" && os.Getenv("CLASSMATE_ES_URL") == "" {
		// Before newEnv: its server must not stop while starting.
		t.Skip("CLASSMATE_ES_URL is unset: skipping the Elasticsearch engine (scripts/elasticsearch.sh up)")
	}
	e := newEnv(t)
	_, err := demo.Load(context.Background(), e.db.DB, 0, demo.DefaultCourses)
	require.NoError(t, err)
	var sink interface {
		indexer.Sink
		indexer.CheckpointStore
		indexer.Searcher
	}
	var publish func() error
	switch engine {
	case "bleve":
		idx, err := cmbleve.Open(t.TempDir(), "")
		require.NoError(t, err)
		t.Cleanup(func() { idx.Close() })
		sink = idx
	case "elasticsearch":
		x := newElastic(t)
		sink, publish = x, func() error { return x.Publish(context.Background()) }
	}
	st, err := binlog.New(binlog.Config{DSN: e.db.DSN, Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Run(ctx, sink, sink) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
		st.Close()
	})
	for deadline := time.Now().Add(30 * time.Second); !st.Ready(); time.Sleep(10 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "indexer not ready")
	}
	if publish != nil {
		require.NoError(t, publish())
	}
	// Set before the first request, which the in-memory listener orders
	// after this write.
	e.srv.Search = core.IndexSearcher{Index: sink}
	return e
}

// newElastic returns an Elasticsearch index of its own, deleted when the
// test ends; without CLASSMATE_ES_URL the test skips (indexer/elastic's
// tests are the ones that insist under CI).
func newElastic(t testing.TB) *elastic.Index {
	t.Helper()
	url := os.Getenv("CLASSMATE_ES_URL")
	if url == "" {
		t.Skip("CLASSMATE_ES_URL is unset: skipping the Elasticsearch engine (scripts/elasticsearch.sh up)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	x, err := elastic.New(elastic.Config{URL: url, Alias: "t" + hex.EncodeToString(b) + "-courses", Log: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.NoError(t, x.Setup(context.Background()))
	t.Cleanup(func() {
		x.Close(context.Background())
		assert.NoError(t, x.Destroy(context.Background()))
	})
	return x
}

type searchPage struct {
	Items      []core.Course `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

// search GETs /api/v1/courses with params (name, value pairs).
func (e *env) search(params ...string) (int, searchPage, []byte) {
	e.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	status, body := e.do("GET", "/api/v1/courses?"+v.Encode(), "")
	var p searchPage
	if status == 200 {
		require.NoError(e.t, json.Unmarshal(body, &p), string(body))
	}
	return status, p, body
}

// walkSearch follows next_cursor to the last page.
func (e *env) walkSearch(params ...string) []core.Course {
	e.t.Helper()
	var out []core.Course
	cursor := ""
	for pages := 0; pages < 1000; pages++ {
		ps := params
		if cursor != "" {
			ps = append(append([]string{}, params...), "cursor", cursor)
		}
		status, p, body := e.search(ps...)
		require.Equal(e.t, 200, status, string(body))
		out = append(out, p.Items...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	e.t.Fatal("endless pagination")
	return nil
}

func TestSearchContract(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"bleve", "elasticsearch"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			searchContract(t, newSearchEnv(t, engine), engine)
		})
	}
}

func searchContract(t *testing.T, e *env, engine string) {
	// Elasticsearch makes a change searchable at its next refresh (1 s).
	fresh := 2 * time.Second
	if engine == "elasticsearch" {
		fresh = 5 * time.Second
	}

	t.Run("CourseObject", func(t *testing.T) {
		status, _, body := e.search("q", "CSE2010-01")
		require.Equal(t, 200, status, string(body))
		var raw struct {
			Items      []map[string]json.RawMessage `json:"items"`
			NextCursor *string                      `json:"next_cursor"`
		}
		require.NoError(t, json.Unmarshal(body, &raw))
		require.NotEmpty(t, raw.Items)
		var keys []string
		for k := range raw.Items[0] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		assert.Equal(t, []string{"capacity", "code", "credits", "department", "id", "professor", "remaining", "room", "schedule", "title"}, keys)
		assert.Contains(t, string(body), `"next_cursor":null`)
		var p searchPage
		require.NoError(t, json.Unmarshal(body, &p))
		c := p.Items[0]
		assert.Equal(t, "CSE2010-01", c.Code)
		assert.Equal(t, "자료구조", c.Title)
		assert.Equal(t, c.Capacity, c.Remaining)
		assert.NoError(t, c.Validate())
	})

	t.Run("BadRequests", func(t *testing.T) {
		_, first, _ := e.search("q", "학", "limit", "3")
		require.NotNil(t, first.NextCursor)
		for _, params := range [][]string{
			{"day", "SUN"}, {"day", "mon"}, {"credits", "0"}, {"credits", "7"}, {"credits", "three"}, {"credits", "-1"},
			{"limit", "0"}, {"limit", "101"}, {"limit", "ten"}, {"limit", "1000000"},
			{"cursor", "not-a-cursor"}, {"q", "학", "cursor", (*first.NextCursor)[1:]},
			{"q", "학과", "cursor", *first.NextCursor}, {"q", "학", "credits", "3", "cursor", *first.NextCursor},
			{"cursor", *first.NextCursor},
		} {
			status, _, body := e.search(params...)
			assert.Equal(t, 400, status, "%v: %s", params, body)
			assert.Equal(t, core.CodeBadRequest, errorCode(body), "%v", params)
		}
		// Empty parameters are absent ones.
		status, p, body := e.search("q", "", "department", "", "day", "", "credits", "", "cursor", "", "limit", "")
		assert.Equal(t, 200, status, string(body))
		assert.Len(t, p.Items, 20)
	})

	t.Run("Pagination", func(t *testing.T) {
		all := e.walkSearch("q", "공학", "limit", "100")
		require.Greater(t, len(all), 30)
		paged := e.walkSearch("q", "공학", "limit", "7")
		require.Equal(t, len(all), len(paged))
		seen := map[int64]bool{}
		for i, c := range paged {
			assert.False(t, seen[c.ID], "course %d twice", c.ID)
			seen[c.ID] = true
			assert.Equal(t, all[i].ID, c.ID, "same order at %d", i)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		got := e.walkSearch("department", "컴퓨터공학과", "day", "MON", "credits", "3", "limit", "100")
		require.NotEmpty(t, got)
		for _, c := range got {
			assert.Equal(t, "컴퓨터공학과", c.Department)
			assert.Equal(t, 3, c.Credits)
			assert.True(t, hasDay(c, "MON"), c.Code)
		}
		status, p, _ := e.search("department", "컴퓨터공학")
		assert.Equal(t, 200, status)
		assert.Empty(t, p.Items, "department matches exactly")
	})

	t.Run("Fresh", func(t *testing.T) {
		c := course(3001, 30, 2, "FRI 16:00-17:15")
		c.Title = "양자컴퓨팅특강"
		e.putCourse(c)
		deadline := time.Now().Add(fresh)
		for {
			_, p, _ := e.search("q", "양자컴퓨팅")
			if len(p.Items) == 1 && p.Items[0].ID == 3001 {
				break
			}
			require.True(t, time.Now().Before(deadline), "the new course is not searchable within %v", fresh)
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func hasDay(c core.Course, day string) bool {
	for _, s := range c.Schedule {
		if s.Day == day {
			return true
		}
	}
	return false
}

// TestSearchUnavailable: without a search engine the route answers 503.
func TestSearchUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, _, body := e.search("q", "자료구조")
	assert.Equal(t, 503, status)
	assert.Equal(t, core.CodeUnavailable, errorCode(body))
}
