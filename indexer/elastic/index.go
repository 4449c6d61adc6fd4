// Package elastic is the Elasticsearch sink and searcher of the indexer,
// with github.com/elastic/go-elasticsearch/v8.
//
// Documents go through esutil.BulkIndexer with version_type=external and
// the change's rank (indexer.Change.Rank) as the version: a stale write
// answers 409 and counts as success, 429 and 5xx are retried with backoff,
// and Flush returns only when every item is applied (refresh=wait_for, so
// also searchable). Deleted rows are kept as tombstone documents
// (deleted: true), which searches filter out: a late replay of the deleted
// row then still meets the higher version, however long afterwards.
//
// The index is built from a versioned index template (see template.go);
// searches go through an alias that Publish switches to the index once the
// indexer has filled it, so a mapping change is a new index and an alias
// switch, without search downtime. The checkpoint of each concrete index
// lives in a small index of its own, <alias>-checkpoints.
package elastic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"
)

// Config configures an Index.
type Config struct {
	// URL is the Elasticsearch address, or several separated by commas.
	URL string
	// Alias is what searches use, default "classmate-courses"; the
	// concrete index is Alias-v<TemplateVersion>.
	Alias string
	// Replicas is number_of_replicas of the index (default 0: one node).
	Replicas int
	// Version overrides TemplateVersion in the index's name, to build an
	// index beside the current one (tests of the alias switch).
	Version int
	// Log receives errors (default slog.Default()).
	Log *slog.Logger
}

// Index is a search index in Elasticsearch. It implements indexer.Sink,
// indexer.CheckpointStore and indexer.Searcher. Writes come from one
// goroutine at a time; Search is safe for concurrent use.
type Index struct {
	es    *elasticsearch.Client
	cfg   Config
	index string // the concrete index written to

	bi      esutil.BulkIndexer
	mu      sync.Mutex
	retry   []esutil.BulkIndexerItem // items to send again (429, 5xx, transport)
	failure error                    // the first permanent item failure
}

// New returns an Index for cfg. It does not contact Elasticsearch; Setup
// does.
func New(cfg Config) (*Index, error) {
	if cfg.Alias == "" {
		cfg.Alias = "classmate-courses"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	es, err := elasticsearch.NewClient(elasticsearch.Config{
		Addresses:     strings.Split(cfg.URL, ","),
		RetryOnStatus: []int{429, 502, 503, 504},
		MaxRetries:    5,
		RetryBackoff:  backoff,
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("elastic: %w", err)
	}
	if cfg.Version == 0 {
		cfg.Version = TemplateVersion
	}
	return &Index{es: es, cfg: cfg, index: indexName(cfg.Alias, cfg.Version)}, nil
}

// backoff is the wait before retry attempt i (1, 2, …): 100 ms doubling up
// to 5 s.
func backoff(i int) time.Duration {
	return min(100*time.Millisecond<<min(i-1, 6), 5*time.Second)
}

// Name is the concrete index this Index writes.
func (x *Index) Name() string { return x.index }

// Alias is the alias searches use.
func (x *Index) Alias() string { return x.cfg.Alias }

// Setup puts the index template, creates the concrete index from it and
// the checkpoint index when missing, and starts the bulk indexer. Call it
// before writing; searching needs only an existing alias.
func (x *Index) Setup(ctx context.Context) error {
	tpl, err := template(x.index, x.cfg.Replicas)
	if err != nil {
		return err
	}
	if err := x.do(ctx, esapi.IndicesPutIndexTemplateRequest{Name: x.index, Body: strings.NewReader(string(tpl))}); err != nil {
		return fmt.Errorf("elastic: put template: %w", err)
	}
	for _, idx := range []struct{ name, body string }{{x.index, "{}"}, {x.checkpoints(), checkpointMapping}} {
		res, err := esapi.IndicesExistsRequest{Index: []string{idx.name}}.Do(ctx, x.es)
		if err != nil {
			return fmt.Errorf("elastic: %w", err)
		}
		res.Body.Close()
		if res.StatusCode == 200 {
			continue
		}
		err = x.do(ctx, esapi.IndicesCreateRequest{Index: idx.name, Body: strings.NewReader(idx.body)})
		if err != nil && !strings.Contains(err.Error(), "resource_already_exists_exception") {
			return fmt.Errorf("elastic: create index %s: %w", idx.name, err)
		}
	}
	if x.bi == nil {
		x.bi, err = esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
			Client:        x.es,
			Index:         x.index,
			NumWorkers:    2,
			FlushBytes:    4 << 20,
			FlushInterval: time.Hour, // Flush is explicit, before each checkpoint
			Refresh:       "wait_for",
			OnError: func(_ context.Context, err error) {
				x.cfg.Log.Warn("elastic bulk", "err", err)
			},
		})
		if err != nil {
			return fmt.Errorf("elastic: bulk indexer: %w", err)
		}
	}
	return nil
}

// Close stops the bulk indexer; unflushed writes are lost.
func (x *Index) Close(ctx context.Context) error {
	if x.bi == nil {
		return nil
	}
	return x.bi.Close(ctx)
}

// Ping checks that the cluster answers.
func (x *Index) Ping(ctx context.Context) error {
	res, err := esapi.ClusterHealthRequest{}.Do(ctx, x.es)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		return fmt.Errorf("elastic: cluster health: %s", res.Status())
	}
	return nil
}

func (x *Index) checkpoints() string { return x.cfg.Alias + "-checkpoints" }

// Destroy deletes every index, template and checkpoint of the alias: all
// versions. The next Setup starts from nothing.
func (x *Index) Destroy(ctx context.Context) error {
	notFound := func(err error) error {
		if err != nil && strings.HasPrefix(err.Error(), "404") {
			return nil
		}
		return err
	}
	return errors.Join(
		notFound(x.do(ctx, esapi.IndicesDeleteRequest{Index: []string{x.cfg.Alias + "-v*", x.checkpoints()}, IgnoreUnavailable: &yes})),
		notFound(x.do(ctx, esapi.IndicesDeleteIndexTemplateRequest{Name: x.cfg.Alias + "-v*"})))
}

var yes = true

// do runs a request and turns an error answer into an error.
func (x *Index) do(ctx context.Context, req esapi.Request) error {
	res, err := req.Do(ctx, x.es)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
		return fmt.Errorf("%s: %s", res.Status(), b)
	}
	io.Copy(io.Discard, res.Body)
	return nil
}
