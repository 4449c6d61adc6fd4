// Package bleve is the embedded search index of classmate, built on
// github.com/blevesearch/bleve/v2: a sink for the change data capture that
// stores its checkpoint in the same batch as the documents, and a searcher
// with the contract of GET /api/v1/courses.
//
// Bleve has no Korean analyzer, and its cjk analyzer does not split Hangul,
// so title and professor are indexed four ways (see newMapping): whole
// words for exact word matches, edge n-grams for word prefixes (ranked
// above other partial matches), character n-grams of one to three
// characters for partial words (any substring of a word matches, which
// suits Korean compounds such as 자료구조 ⊃ 자료, 구조), and the whole field,
// lower-cased, for exact matches that rank first. Course codes get words,
// n-grams of the whole code and the exact code. Initial consonants (초성) get an n-gram
// field of their own.
package bleve

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/ngram"
	"github.com/blevesearch/bleve/v2/analysis/token/unicodenorm"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
)

// MappingVersion changes whenever newMapping does; an index built with
// another version is rebuilt from MySQL.
const MappingVersion = "3"

// Analyzer names.
const (
	anWord       = "cm_word"         // unicode words, NFC, lower case
	anNgram      = "cm_ngram"        // … then n-grams of 1–3 characters
	anExact      = "cm_exact"        // the whole field as one token, NFC, lower case
	anExactNgram = "cm_exact_ngram"  // … then n-grams (course codes: CSE2010-01)
	anPrefix     = "cm_prefix"       // unicode words, NFC, lower case, edge n-grams
	anExactPre   = "cm_exact_prefix" // the whole field, edge n-grams
	anChosung    = "cm_chosung"      // whitespace words of jamo, n-grams
)

// Field names of the indexed documents. Title and professor share their
// word, prefix and n-gram fields: a query word may match either, and one
// field per kind keeps both queries and indexing cheap.
const (
	fWords       = "words"    // title and professor words
	fPrefix      = "prefix"   // edge n-grams of those words
	fNgram       = "ngram"    // 1–3-grams of those words
	fTitleExact  = "title_kw" // the whole title
	fProfExact   = "professor_kw"
	fCodeExact   = "code_kw"
	fCodeNgram   = "code_ng"    // 1–3-grams of the whole code, "-" included
	fChosung     = "chosung_ng" // title and professor initials
	fChosungFull = "chosung_kw" // title initials, whole
	fDepartment  = "department"
	fDays        = "days"
	fCredits     = "credits"
	fLive        = "live" // "1" on documents, absent on tombstones
	fSource      = "src"  // the JSON document, stored only
)

// newMapping builds the index mapping: explicit fields only, nothing
// dynamic, no _all field.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomTokenFilter("cm_nfc", map[string]any{"type": unicodenorm.Name, "form": unicodenorm.NFC}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("cm_ngram13", map[string]any{"type": ngram.Name, "min": 1.0, "max": 3.0}); err != nil {
		return nil, err
	}
	if err := m.AddCustomTokenFilter("cm_edge", map[string]any{"type": edgengram.Name, "back": false, "min": 1.0, "max": 20.0}); err != nil {
		return nil, err
	}
	for name, a := range map[string]struct {
		tokenizer string
		filters   []string
	}{
		anWord:       {unicode.Name, []string{"cm_nfc", lowercase.Name}},
		anNgram:      {unicode.Name, []string{"cm_nfc", lowercase.Name, "cm_ngram13"}},
		anExact:      {single.Name, []string{"cm_nfc", lowercase.Name}},
		anExactNgram: {single.Name, []string{"cm_nfc", lowercase.Name, "cm_ngram13"}},
		anPrefix:     {unicode.Name, []string{"cm_nfc", lowercase.Name, "cm_edge"}},
		anChosung:    {whitespace.Name, []string{"cm_ngram13"}},
	} {
		if err := m.AddCustomAnalyzer(name, map[string]any{
			"type": custom.Name, "tokenizer": a.tokenizer, "token_filters": a.filters,
		}); err != nil {
			return nil, err
		}
	}

	doc := bleve.NewDocumentStaticMapping()
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	for field, analyzer := range map[string]string{
		fWords: anWord, fPrefix: anPrefix, fNgram: anNgram,
		fTitleExact: anExact, fProfExact: anExact, fCodeExact: anExact, fCodeNgram: anExactNgram,
		fChosung: anChosung, fChosungFull: anExact,
		fDepartment: keyword.Name, fDays: keyword.Name, fCredits: keyword.Name, fLive: keyword.Name,
	} {
		doc.AddFieldMappingsAt(field, text(analyzer))
	}
	src := bleve.NewTextFieldMapping()
	src.Index = false
	src.Store = true
	src.IncludeInAll = false
	src.IncludeTermVectors = false
	src.DocValues = false
	doc.AddFieldMappingsAt(fSource, src)

	m.DefaultMapping = doc
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}
