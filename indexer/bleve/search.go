package bleve

import (
	"context"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"classmate/indexer"
)

// Boosts of the clauses of a query: an exact title beats everything, then
// whole words, then word prefixes, then n-gram (substring) matches.
const (
	boostExactTitle   = 40
	boostExactCode    = 40
	boostExactChosung = 30
	boostExactProf    = 15
	boostWord         = 6
	boostPrefix       = 3
	boostGram         = 1
)

// Search implements indexer.Searcher: every word of q must match title,
// professor or code (whole word, part of a word, or initial consonants),
// the filters must match exactly, and hits come best first, ties by id.
// Pages are cached until the next batch changes the index; the returned
// page is shared and must not be modified.
func (x *Index) Search(ctx context.Context, q indexer.Query) (indexer.Page, error) {
	p, err := q.Parse()
	if err != nil {
		return indexer.Page{}, err
	}
	// Misses are computed for every waiting caller: not under one
	// caller's cancellation.
	shared := context.WithoutCancel(ctx)
	return x.cache.get(x.gen.Load(), keyOf(p), func() (indexer.Page, error) { return x.search(shared, p) })
}

// search runs a parsed query on the index.
func (x *Index) search(ctx context.Context, p indexer.Parsed) (indexer.Page, error) {
	req := bleve.NewSearchRequestOptions(build(p), p.Limit+1, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	if p.After != nil {
		req.SearchAfter = []string{strconv.FormatFloat(p.After.Score, 'g', -1, 64), docID(p.After.ID)}
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return indexer.Page{}, fmt.Errorf("bleve: search: %w", err)
	}
	page := indexer.Page{Docs: make([]indexer.Document, 0, min(len(res.Hits), p.Limit))}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for i, h := range res.Hits {
		if i == p.Limit {
			last := res.Hits[i-1]
			id, _ := parseDocID(last.ID)
			page.Next = p.NextCursor(indexer.Key{Score: last.Score, ID: id})
			break
		}
		id, err := parseDocID(h.ID)
		if err != nil {
			continue
		}
		// A document deleted after the search read the index is left out.
		if e, ok := x.state[id]; ok && e.doc != nil {
			page.Docs = append(page.Docs, *e.doc)
		}
	}
	return page, nil
}

// build turns a parsed query into a bleve query.
func build(p indexer.Parsed) query.Query {
	var must []query.Query
	for _, w := range p.Words {
		must = append(must, wordQuery(w))
	}
	if p.Department != "" {
		must = append(must, term(fDepartment, p.Department, 0))
	}
	if p.Day != "" {
		must = append(must, term(fDays, p.Day, 0))
	}
	if p.Credits != 0 {
		must = append(must, term(fCredits, strconv.Itoa(p.Credits), 0))
	}
	if len(must) == 0 {
		// Everything live: tombstones have no live field.
		must = append(must, term(fLive, "1", 0))
	}
	var should []query.Query
	if p.Text != "" {
		should = append(should,
			term(fTitleExact, p.Text, boostExactTitle),
			term(fCodeExact, p.Text, boostExactCode),
			term(fProfExact, p.Text, boostExactProf))
		if nospace := p.Text; len(p.Words) == 1 && indexer.IsChosung(nospace) {
			should = append(should, term(fChosungFull, nospace, boostExactChosung))
		}
	}
	return query.NewBooleanQuery(must, should, nil)
}

// wordQuery matches one word in any of title, professor and code.
func wordQuery(w string) query.Query {
	alts := []query.Query{
		term(fWords, w, boostWord),
		term(fPrefix, w, boostPrefix),
		grams(fNgram, w),
		grams(fCodeNgram, w),
	}
	if indexer.IsChosung(w) {
		alts = append(alts, grams(fChosung, w))
	}
	return query.NewDisjunctionQuery(alts)
}

// grams matches a word as a substring of a word of an n-gram field.
func grams(field, w string) query.Query {
	gs := indexer.Grams(w)
	if len(gs) == 1 {
		return term(field, gs[0], boostGram)
	}
	qs := make([]query.Query, len(gs))
	for i, g := range gs {
		qs[i] = term(field, g, 0)
	}
	c := query.NewConjunctionQuery(qs)
	c.SetBoost(boostGram)
	return c
}

func term(field, value string, boost float64) query.Query {
	t := query.NewTermQuery(value)
	t.SetField(field)
	if boost > 0 {
		t.SetBoost(boost)
	}
	return t
}
