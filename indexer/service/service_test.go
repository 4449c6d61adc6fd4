package service_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
	"classmate/indexer/elastic"
	"classmate/indexer/internal/searchtest"
	"classmate/indexer/service"
	"classmate/internal/dbtest"
)

func insert(t *testing.T, db *dbtest.DB, id int64, title string) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO courses (id, code, title, professor, department, credits, capacity, schedule, room)
		VALUES (?, ?, ?, '김교수', '컴퓨터공학과', 3, 40, '[{"day":"TUE","start":"09:00","end":"10:15"}]', '공학관 101')`,
		id, fmt.Sprintf("TST%04d-01", id), title)
	require.NoError(t, err)
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "%s: not within %v", what, within)
	}
}

// TestOpenSearchEmbedded: without Elasticsearch the core's search side is
// an embedded index in a temporary directory, fed in-process, ready once
// OpenSearch returns.
func TestOpenSearchEmbedded(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	insert(t, db, 1, "자료구조")
	cfg, err := service.LoadConfig(func(k string) string { return map[string]string{"CLASSMATE_MYSQL_DSN": db.DSN}[k] })
	require.NoError(t, err)
	s, err := service.OpenSearch(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer func() { assert.NoError(t, s.Close()) }()
	require.True(t, s.Ready())

	p, err := s.Search(context.Background(), indexer.Query{Q: "ㅈㄹㄱㅈ"})
	require.NoError(t, err)
	require.Len(t, p.Docs, 1)
	insert(t, db, 2, "운영체제")
	eventually(t, 2*time.Second, "insert", func() bool {
		p, err := s.Search(context.Background(), indexer.Query{Q: "운영체제"})
		return err == nil && len(p.Docs) == 1
	})
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"ServerID":      {"CLASSMATE_INDEXER_SERVER_ID": "-1"},
		"FlushInterval": {"CLASSMATE_INDEXER_FLUSH_INTERVAL": "soon"},
		"Replicas":      {"CLASSMATE_ES_REPLICAS": "x"},
	} {
		_, err := service.LoadConfig(func(k string) string { return env[k] })
		assert.Error(t, err, name)
	}
	cfg, err := service.LoadConfig(func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, "classmate-courses", cfg.ESAlias)
	assert.Empty(t, cfg.ESURL)
}

// TestRun: the standalone indexer snapshots into Elasticsearch, publishes
// the alias, reports ready, serves metrics and stops cleanly.
func TestRun(t *testing.T) {
	t.Parallel()
	url := searchtest.ElasticURL(t)
	db := dbtest.MustOpenDB(t)
	insert(t, db, 1, "자료구조")
	b := make([]byte, 6)
	rand.Read(b)
	alias := "t" + hex.EncodeToString(b) + "-courses"
	x, err := elastic.New(elastic.Config{URL: url, Alias: alias})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, x.Destroy(context.Background())) })

	env := map[string]string{
		"CLASSMATE_MYSQL_DSN": db.DSN, "CLASSMATE_ES_URL": url, "CLASSMATE_ES_INDEX": alias,
		"CLASSMATE_INDEXER_ADDR": "127.0.0.1:0",
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, func(k string) string { return env[k] }, io.Discard, func(a string) { addrs <- a })
	}()
	var base string
	select {
	case a := <-addrs:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(90 * time.Second):
		t.Fatal("the indexer did not start")
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status, _ := get("/healthz")
	assert.Equal(t, 200, status)
	eventually(t, 30*time.Second, "ready", func() bool { status, _ := get("/readyz"); return status == 200 })
	p, err := x.Search(context.Background(), indexer.Query{Q: "자료구조"})
	require.NoError(t, err)
	assert.Len(t, p.Docs, 1, "searchable through the alias")
	_, metrics := get("/metrics")
	assert.True(t, strings.Contains(metrics, "classmate_indexer_snapshots_total"), "metrics")

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("the indexer did not stop")
	}
}
