package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"classmate/indexer"
)

// Boosts, as in the embedded engine: an exact title first, then whole
// words, then prefixes, then initial consonants.
const (
	boostExact   = 40
	boostChosung = 30
	boostProf    = 15
	boostWord    = 6
	boostPrefix  = 3
	boostGram    = 1
)

type hit struct {
	Source indexer.Document `json:"_source"`
	Sort   []json.Number    `json:"sort"`
}

type searchResponse struct {
	Hits struct {
		Hits []hit `json:"hits"`
	} `json:"hits"`
}

// Search implements indexer.Searcher over the alias.
func (x *Index) Search(ctx context.Context, q indexer.Query) (indexer.Page, error) {
	p, err := q.Parse()
	if err != nil {
		return indexer.Page{}, err
	}
	body := map[string]any{
		"size":             p.Limit + 1,
		"track_total_hits": false,
		"query":            build(p),
		"sort":             []any{map[string]string{"_score": "desc"}, map[string]string{"id": "asc"}},
		"_source":          map[string]any{"excludes": []string{"deleted"}},
	}
	if p.After != nil {
		body["search_after"] = []any{p.After.Score, p.After.ID}
	}
	var res searchResponse
	if err := x.search(ctx, x.cfg.Alias, body, &res); err != nil {
		return indexer.Page{}, err
	}
	page := indexer.Page{Docs: make([]indexer.Document, 0, min(len(res.Hits.Hits), p.Limit))}
	for i, h := range res.Hits.Hits {
		if i == p.Limit {
			last := res.Hits.Hits[i-1]
			k, err := key(last.Sort)
			if err != nil {
				return indexer.Page{}, err
			}
			page.Next = p.NextCursor(k)
			break
		}
		page.Docs = append(page.Docs, h.Source)
	}
	return page, nil
}

func key(sort []json.Number) (indexer.Key, error) {
	var k indexer.Key
	if len(sort) != 2 {
		return k, fmt.Errorf("elastic: hit with %d sort values", len(sort))
	}
	var err error
	if k.Score, err = sort[0].Float64(); err == nil {
		k.ID, err = sort[1].Int64()
	}
	return k, err
}

// build turns a parsed query into the query DSL.
func build(p indexer.Parsed) map[string]any {
	filter := []any{term("deleted", false, 0)}
	if p.Department != "" {
		filter = append(filter, term("department", p.Department, 0))
	}
	if p.Day != "" {
		filter = append(filter, term("days", p.Day, 0))
	}
	if p.Credits != 0 {
		filter = append(filter, term("credits", p.Credits, 0))
	}
	var must, should []any
	for _, w := range p.Words {
		alts := []any{
			map[string]any{"match": map[string]any{"title": map[string]any{"query": w, "operator": "and", "boost": boostWord}}},
			term("title.edge", w, boostPrefix),
			term("professor", w, boostWord),
			term("professor.edge", w, boostPrefix),
			term("code.edge", w, boostPrefix),
		}
		if indexer.IsChosung(w) {
			for _, f := range []string{"title_chosung", "professor_chosung"} {
				var all []any
				for _, g := range indexer.Grams(w) {
					all = append(all, term(f, g, 0))
				}
				alts = append(alts, map[string]any{"bool": map[string]any{"must": all, "boost": boostGram}})
			}
		}
		must = append(must, map[string]any{"bool": map[string]any{"should": alts, "minimum_should_match": 1}})
	}
	if p.Text != "" {
		should = append(should,
			term("title.keyword", p.Text, boostExact),
			term("code", p.Text, boostExact),
			term("professor.keyword", p.Text, boostProf))
		if len(p.Words) == 1 && indexer.IsChosung(p.Text) {
			should = append(should, term("title_chosung.keyword", p.Text, boostChosung))
		}
	}
	b := map[string]any{"filter": filter}
	if len(must) > 0 {
		b["must"] = must
	}
	if len(should) > 0 {
		b["should"] = should
	}
	return map[string]any{"bool": b}
}

func term(field string, value any, boost float64) map[string]any {
	v := map[string]any{"value": value}
	if boost > 0 {
		v["boost"] = boost
	}
	return map[string]any{"term": map[string]any{field: v}}
}

// Versions implements indexer.Sink: the row versions of the live
// documents, read with search_after by id.
func (x *Index) Versions(ctx context.Context) (map[int64]int64, error) {
	out := map[int64]int64{}
	var after []any
	for {
		body := map[string]any{
			"size": 1000, "track_total_hits": false,
			"query":   map[string]any{"bool": map[string]any{"filter": []any{term("deleted", false, 0)}}},
			"sort":    []any{map[string]string{"id": "asc"}},
			"_source": []string{"id", "version"},
		}
		if after != nil {
			body["search_after"] = after
		}
		var res searchResponse
		if err := x.search(ctx, x.index, body, &res); err != nil {
			return nil, err
		}
		for _, h := range res.Hits.Hits {
			out[h.Source.ID] = h.Source.Version
		}
		if len(res.Hits.Hits) < 1000 {
			return out, nil
		}
		last := res.Hits.Hits[len(res.Hits.Hits)-1]
		after = []any{last.Source.ID}
	}
}

// search runs a search on index and decodes the answer. A missing index
// or an unreachable cluster is indexer.ErrUnavailable.
func (x *Index) search(ctx context.Context, index string, body map[string]any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	res, err := esapi.SearchRequest{Index: []string{index}, Body: bytes.NewReader(b)}.Do(ctx, x.es)
	if err != nil {
		return fmt.Errorf("%w: elastic: %v", indexer.ErrUnavailable, err)
	}
	defer res.Body.Close()
	if res.StatusCode == 404 || res.StatusCode == 429 || res.StatusCode >= 500 {
		return fmt.Errorf("%w: elastic: search %s: %s", indexer.ErrUnavailable, index, res.Status())
	}
	if res.IsError() {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
		return fmt.Errorf("elastic: search %s: %s: %s", index, res.Status(), msg)
	}
	dec := json.NewDecoder(res.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("elastic: search %s: %w", index, err)
	}
	return nil
}
