package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/elastic/go-elasticsearch/v8/esutil"

	"classmate/indexer"
)

// maxAttempts bounds how often Flush sends an item that keeps failing with
// 429 or 5xx before it gives up (and the indexer restarts from its
// checkpoint).
const maxAttempts = 8

var (
	staleTotal = metrics.GetOrCreateCounter(`classmate_indexer_es_items_total{result="stale"}`)
	retryTotal = metrics.GetOrCreateCounter(`classmate_indexer_es_items_total{result="retried"}`)
)

// source is the stored form of a document, or of a tombstone.
type source struct {
	indexer.Document
	Deleted bool `json:"deleted"`
}

type tombstone struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
	Deleted bool  `json:"deleted"`
}

// Write adds the changes to the bulk indexer, each with its rank as
// external version.
func (x *Index) Write(ctx context.Context, changes []indexer.Change) error {
	if x.bi == nil {
		return errors.New("elastic: Setup was not called")
	}
	for _, c := range changes {
		var body []byte
		var err error
		if c.Deleted {
			body, err = json.Marshal(tombstone{ID: c.ID, Version: c.Version, Deleted: true})
		} else {
			d := c.Doc
			d.Derive()
			body, err = json.Marshal(source{Document: d})
		}
		if err != nil {
			return err
		}
		rank := c.Rank()
		err = x.bi.Add(ctx, esutil.BulkIndexerItem{
			Action:      "index",
			DocumentID:  strconv.FormatInt(c.ID, 10),
			Version:     &rank,
			VersionType: "external",
			Body:        bytes.NewReader(body),
			OnFailure:   x.onFailure,
		})
		if err != nil {
			return fmt.Errorf("elastic: bulk add: %w", err)
		}
	}
	return nil
}

// onFailure sorts a failed item: a version conflict is a stale write,
// which is what external versioning is for; 429, 5xx and transport errors
// are retried; anything else fails the flush.
func (x *Index) onFailure(_ context.Context, item esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case err == nil && res.Status == 409:
		staleTotal.Inc()
	case err != nil || res.Status == 429 || res.Status >= 500:
		x.retry = append(x.retry, item)
	case x.failure == nil:
		x.failure = fmt.Errorf("elastic: document %s: %d %s: %s", item.DocumentID, res.Status, res.Error.Type, res.Error.Reason)
	}
}

// Flush sends everything written and waits until Elasticsearch applied it
// and made it searchable, retrying items with backoff.
func (x *Index) Flush(ctx context.Context) error {
	if x.bi == nil {
		return nil
	}
	for attempt := 1; ; attempt++ {
		if err := x.bi.Flush(ctx); err != nil {
			return fmt.Errorf("elastic: flush: %w", err)
		}
		x.mu.Lock()
		retry, failure := x.retry, x.failure
		x.retry, x.failure = nil, nil
		x.mu.Unlock()
		if failure != nil {
			return failure
		}
		if len(retry) == 0 {
			return nil
		}
		if attempt == maxAttempts {
			return fmt.Errorf("elastic: %d items still failing after %d attempts", len(retry), attempt)
		}
		retryTotal.Add(len(retry))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff(attempt)):
		}
		for _, item := range retry {
			if _, err := item.Body.Seek(0, io.SeekStart); err != nil {
				return err
			}
			if err := x.bi.Add(ctx, item); err != nil {
				return fmt.Errorf("elastic: bulk add: %w", err)
			}
		}
	}
}

// LoadCheckpoint implements indexer.CheckpointStore.
func (x *Index) LoadCheckpoint(ctx context.Context) (indexer.Checkpoint, bool, error) {
	var cp indexer.Checkpoint
	res, err := esapi.GetRequest{Index: x.checkpoints(), DocumentID: x.index}.Do(ctx, x.es)
	if err != nil {
		return cp, false, fmt.Errorf("elastic: load checkpoint: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == 404 {
		return cp, false, nil
	}
	if res.IsError() {
		return cp, false, fmt.Errorf("elastic: load checkpoint: %s", res.Status())
	}
	var doc struct {
		Source struct {
			Checkpoint indexer.Checkpoint `json:"checkpoint"`
		} `json:"_source"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		return cp, false, fmt.Errorf("elastic: load checkpoint: %w", err)
	}
	return doc.Source.Checkpoint, true, nil
}

// SaveCheckpoint implements indexer.CheckpointStore. The change data
// capture calls it only after Flush.
func (x *Index) SaveCheckpoint(ctx context.Context, cp indexer.Checkpoint) error {
	b, err := json.Marshal(map[string]any{"checkpoint": cp})
	if err != nil {
		return err
	}
	err = x.do(ctx, esapi.IndexRequest{Index: x.checkpoints(), DocumentID: x.index, Body: bytes.NewReader(b)})
	if err != nil {
		return fmt.Errorf("elastic: save checkpoint: %w", err)
	}
	return nil
}

// Publish points the alias at this index, atomically removing it from any
// other: searches switch from the old index to the new one at once.
func (x *Index) Publish(ctx context.Context) error {
	res, err := esapi.IndicesGetAliasRequest{Name: []string{x.cfg.Alias}}.Do(ctx, x.es)
	if err != nil {
		return fmt.Errorf("elastic: get alias: %w", err)
	}
	var current map[string]any
	if res.StatusCode == 200 {
		err = json.NewDecoder(res.Body).Decode(&current)
	}
	res.Body.Close()
	if err != nil {
		return fmt.Errorf("elastic: get alias: %w", err)
	}
	if _, ok := current[x.index]; ok && len(current) == 1 {
		return nil
	}
	var actions []string
	for idx := range current {
		if idx != x.index {
			actions = append(actions, fmt.Sprintf(`{"remove":{"index":%q,"alias":%q}}`, idx, x.cfg.Alias))
		}
	}
	actions = append(actions, fmt.Sprintf(`{"add":{"index":%q,"alias":%q}}`, x.index, x.cfg.Alias))
	body := `{"actions":[` + strings.Join(actions, ",") + `]}`
	if err := x.do(ctx, esapi.IndicesUpdateAliasesRequest{Body: strings.NewReader(body)}); err != nil {
		return fmt.Errorf("elastic: switch alias: %w", err)
	}
	x.cfg.Log.Info("alias switched", "alias", x.cfg.Alias, "index", x.index)
	return nil
}
