// Package searchtest holds the tests every search engine of the indexer
// must pass, run by the engines' own tests on the demo catalogue: the
// relevance table for Korean queries and the query contract (filters,
// cursor pagination, validation). The catalogue is handed in as documents,
// so this package needs nothing but the indexer.
package searchtest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
)

// Relevance runs the relevance table against s, which must hold exactly
// the documents docs (the demo catalogue of at least 700 courses).
func Relevance(t *testing.T, s indexer.Searcher, docs []indexer.Document) {
	byCode := map[string]indexer.Document{}
	count := map[string]int{}
	for _, d := range docs {
		byCode[d.Code] = d
		count[d.Title]++
	}
	ds := byCode["CSE2010-01"]
	require.Equal(t, "자료구조", ds.Title, "the demo catalogue holds 자료구조 as CSE2010-01")
	prof := ds.Professor

	for _, tc := range []struct {
		name, q string
		// top: the first hits, in order of this list of predicates, must
		// each satisfy theirs; every: every hit (first page) must.
		top   []func(indexer.Document) bool
		every func(indexer.Document) bool
	}{
		{"WholeWord", "자료구조",
			repeat(count["자료구조"], title("자료구조")), contains("자료구조")},
		{"PartialWord", "자료",
			[]func(indexer.Document) bool{titlePrefix("자료")}, contains("자료")},
		{"Chosung", "ㅈㄹㄱㅈ",
			repeat(count["자료구조"], title("자료구조")), nil},
		{"OperatingSystems", "운영체제",
			repeat(count["운영체제"], title("운영체제")), contains("운영체제")},
		{"Professor", prof,
			[]func(indexer.Document) bool{professor(prof)}, contains(prof)},
		{"CourseCode", "CSE2010-01",
			[]func(indexer.Document) bool{code("CSE2010-01")}, nil},
		{"CoursePrefix", "CSE2010",
			repeat(count["자료구조"], codePrefix("CSE2010-")), nil},
		{"EnglishWord", "English",
			[]func(indexer.Document) bool{contains("english")}, contains("english")},
		{"ExactEnglishTitle", "Business English",
			repeat(count["Business English"], title("Business English")), contains("business english")},
		{"TwoWords", "자료구조 실습",
			[]func(indexer.Document) bool{title("자료구조실습")}, contains("자료구조", "실습")},
		{"ProfessorAndTitle", prof + " 자료구조",
			[]func(indexer.Document) bool{code("CSE2010-01")}, contains(prof, "자료구조")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.Search(context.Background(), indexer.Query{Q: tc.q, Limit: 50})
			require.NoError(t, err)
			require.NotEmpty(t, p.Docs, "no hits for %q", tc.q)
			require.GreaterOrEqual(t, len(p.Docs), len(tc.top), "hits for %q", tc.q)
			for i, want := range tc.top {
				assert.True(t, want(p.Docs[i]), "hit %d for %q: %s", i+1, tc.q, show(p.Docs[i]))
			}
			if tc.every != nil {
				for i, d := range p.Docs {
					assert.True(t, tc.every(d), "hit %d for %q does not match: %s", i+1, tc.q, show(d))
				}
			}
		})
	}
}

func show(d indexer.Document) string {
	return fmt.Sprintf("%s %s (%s)", d.Code, d.Title, d.Professor)
}

func repeat(n int, f func(indexer.Document) bool) []func(indexer.Document) bool {
	out := make([]func(indexer.Document) bool, n)
	for i := range out {
		out[i] = f
	}
	return out
}

func title(s string) func(indexer.Document) bool {
	return func(d indexer.Document) bool { return d.Title == s }
}

func titlePrefix(s string) func(indexer.Document) bool {
	return func(d indexer.Document) bool { return strings.HasPrefix(d.Title, s) }
}

func professor(s string) func(indexer.Document) bool {
	return func(d indexer.Document) bool { return d.Professor == s }
}

func code(s string) func(indexer.Document) bool {
	return func(d indexer.Document) bool { return d.Code == s }
}

func codePrefix(s string) func(indexer.Document) bool {
	return func(d indexer.Document) bool { return strings.HasPrefix(d.Code, s) }
}

// contains: every word is in the title, professor or code (lower case).
func contains(words ...string) func(indexer.Document) bool {
	return func(d indexer.Document) bool {
		all := strings.ToLower(d.Title + " " + d.Professor + " " + d.Code)
		for _, w := range words {
			if !strings.Contains(all, strings.ToLower(w)) {
				return false
			}
		}
		return true
	}
}
