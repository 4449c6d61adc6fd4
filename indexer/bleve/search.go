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
// Hits are cached until a batch changes a searched field; documents (and
// so remaining seats) always come from the latest flush.
func (x *Index) Search(ctx context.Context, q indexer.Query) (indexer.Page, error) {
	p, err := q.Parse()
	if err != nil {
		return indexer.Page{}, err
	}
	// Misses are computed for every waiting caller: not under one
	// caller's cancellation.
	shared := context.WithoutCancel(ctx)
	hits, err := x.cache.get(x.gen.Load(), keyOf(p), func() (hits, error) { return x.search(shared, p) })
	if err != nil {
		return indexer.Page{}, err
	}
	// Documents come from the current state, so seats are as fresh as the
	// last flush even when the hits are cached.
	page := indexer.Page{Docs: make([]indexer.Document, 0, len(hits.ids)), Next: hits.next}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, id := range hits.ids {
		// A course deleted since the hits were found is left out.
		if e, ok := x.state[id]; ok && e.doc != nil {
			page.Docs = append(page.Docs, *e.doc)
		}
	}
	return page, nil
}

// hits are the course ids of one page, best first, and the next cursor.
type hits struct {
	ids  []int64
	next string
}

// search runs a parsed query on the index.
func (x *Index) search(ctx context.Context, p indexer.Parsed) (hits, error) {
	req := bleve.NewSearchRequestOptions(build(p), p.Limit+1, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	if p.After != nil {
		req.SearchAfter = []string{strconv.FormatFloat(p.After.Score, 'g', -1, 64), docID(p.After.ID)}
	}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return hits{}, fmt.Errorf("bleve: search: %w", err)
	}
	out := hits{ids: make([]int64, 0, min(len(res.Hits), p.Limit))}
	for i, h := range res.Hits {
		id, err := parseDocID(h.ID)
		if err != nil {
			return hits{}, fmt.Errorf("bleve: document id %q: %w", h.ID, err)
		}
		if i == p.Limit {
			last := res.Hits[i-1]
			lastID, _ := parseDocID(last.ID)
			out.next = p.NextCursor(indexer.Key{Score: last.Score, ID: lastID})
			break
		}
		out.ids = append(out.ids, id)
	}
	return out, nil
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
