package indexer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits of a query.
const (
	DefaultLimit  = 20
	MaxLimit      = 100
	MaxQueryRunes = 100 // q longer than this is refused
	MaxWords      = 8   // q with more words than this is refused
)

// Days are the days a slot may fall on, in order.
var Days = []string{"MON", "TUE", "WED", "THU", "FRI", "SAT"}

// ErrBadQuery is matched (errors.Is) by every validation error of a query;
// the core answers it with 400 BAD_REQUEST.
var ErrBadQuery = errors.New("bad search query")

// ErrUnavailable is matched by errors of an engine that cannot answer now
// (Elasticsearch down, index not built yet); the core answers 503.
var ErrUnavailable = errors.New("search unavailable")

// QueryError is a validation error of a query. It matches ErrBadQuery.
type QueryError struct{ Msg string }

// Error returns the message.
func (e *QueryError) Error() string { return e.Msg }

// Is reports whether target is ErrBadQuery.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

func badQuery(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// Query is a search of the catalogue, as GET /api/v1/courses takes it
// (API.md): free text over title, professor and code, and exact filters.
// Zero values mean "any" (Credits), "first page" (Cursor) and DefaultLimit
// (Limit).
type Query struct {
	Q          string
	Department string
	Day        string
	Credits    int
	Cursor     string
	Limit      int
}

// Searcher answers queries. Implementations are safe for concurrent use.
type Searcher interface {
	// Search returns one page of hits, best first. Errors match
	// ErrBadQuery (a bad query or cursor) or ErrUnavailable.
	Search(ctx context.Context, q Query) (Page, error)
}

// Page is one page of search hits. Next is the cursor of the following
// page, "" on the last one.
type Page struct {
	Docs []Document
	Next string
}

// Parsed is a validated query, ready for an engine.
type Parsed struct {
	Query
	// Text is Q normalized: NFC, lower case, one space between words.
	Text string
	// Words are the words of Text; every one must match.
	Words []string
	// After is the sort key of the last hit of the previous page, nil on
	// the first page.
	After *Key
}

// Parse validates q: Day is MON…SAT or empty, Credits 0 (any) or 1–6,
// Limit 0 (DefaultLimit) or 1–MaxLimit, Q valid UTF-8 of at most
// MaxQueryRunes runes and MaxWords words, and Cursor empty or a cursor
// issued for the same Q and filters. Errors match ErrBadQuery.
func (q Query) Parse() (Parsed, error) {
	p := Parsed{Query: q}
	switch {
	case q.Day != "" && !contains(Days, q.Day):
		return p, badQuery("day must be one of MON, TUE, WED, THU, FRI, SAT")
	case q.Credits < 0 || q.Credits > 6:
		return p, badQuery("credits must be 1–6")
	case q.Limit < 0 || q.Limit > MaxLimit:
		return p, badQuery("limit must be 1–%d", MaxLimit)
	case !utf8.ValidString(q.Q) || !utf8.ValidString(q.Department):
		return p, badQuery("q and department must be UTF-8")
	case utf8.RuneCountInString(q.Q) > MaxQueryRunes:
		return p, badQuery("q must be at most %d characters", MaxQueryRunes)
	}
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	// NFC: Hangul typed as decomposed jamo (macOS, some IMEs) becomes
	// the precomposed syllables the documents hold.
	p.Words = strings.Fields(strings.ToLower(norm.NFC.String(q.Q)))
	if len(p.Words) > MaxWords {
		return p, badQuery("q must have at most %d words", MaxWords)
	}
	p.Text = strings.Join(p.Words, " ")
	if q.Cursor != "" {
		k, err := decodeCursor(q.Cursor, p.binding())
		if err != nil {
			return p, err
		}
		p.After = &k
	}
	return p, nil
}

// NextCursor returns the cursor of the page after the hit with key k.
func (p Parsed) NextCursor(k Key) string {
	return encodeCursor(k, p.binding())
}

// Grams returns what an n-gram field (n = 1…3) must hold for a word to be
// part of a field's word: the word itself when it has at most three
// characters, else each of its three-character substrings. All must match.
func Grams(w string) []string {
	r := []rune(w)
	if len(r) <= 3 {
		return []string{w}
	}
	out := make([]string, 0, len(r)-2)
	seen := map[string]bool{}
	for i := 0; i+3 <= len(r); i++ {
		g := string(r[i : i+3])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
