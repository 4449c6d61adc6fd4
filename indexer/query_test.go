package indexer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
)

func TestParse(t *testing.T) {
	t.Parallel()
	p, err := indexer.Query{Q: "  자료구조   English ", Department: "컴퓨터공학과"}.Parse()
	require.NoError(t, err)
	assert.Equal(t, "자료구조 english", p.Text)
	assert.Equal(t, []string{"자료구조", "english"}, p.Words)
	assert.Equal(t, indexer.DefaultLimit, p.Limit)
	assert.Nil(t, p.After)

	// Decomposed jamo (NFD) become syllables (NFC).
	p, err = indexer.Query{Q: "\u110c\u1161\u1105\u116d"}.Parse()
	require.NoError(t, err)
	assert.Equal(t, "자료", p.Text)

	for name, q := range map[string]indexer.Query{
		"Day":        {Day: "SUN"},
		"DayCase":    {Day: "mon"},
		"Credits":    {Credits: 7},
		"Negative":   {Credits: -1},
		"Limit":      {Limit: 101},
		"LongQ":      {Q: strings.Repeat("가", indexer.MaxQueryRunes+1)},
		"ManyWords":  {Q: strings.Repeat("가 ", indexer.MaxWords+1)},
		"BadUTF8":    {Q: "\xff"},
		"BadCursor":  {Cursor: "!!"},
		"FakeCursor": {Cursor: "YzEuYWJjLjEuMi4z"},
	} {
		_, err := q.Parse()
		assert.ErrorIs(t, err, indexer.ErrBadQuery, name)
	}
}

func TestCursor(t *testing.T) {
	t.Parallel()
	q := indexer.Query{Q: "자료", Day: "MON", Credits: 3}
	p, err := q.Parse()
	require.NoError(t, err)
	for _, k := range []indexer.Key{{Score: 1.5, ID: 12}, {Score: 0.1234567890123, ID: 1}, {Score: 3e-9, ID: 99}, {Score: 42, ID: 7}} {
		c := p.NextCursor(k)
		next := q
		next.Cursor = c
		got, err := next.Parse()
		require.NoError(t, err, c)
		assert.Equal(t, k, *got.After)

		// The same q written differently is the same search.
		same := next
		same.Q = " 자료 "
		_, err = same.Parse()
		assert.NoError(t, err)

		for name, other := range map[string]indexer.Query{
			"OtherQ": {Q: "자료구조", Day: "MON", Credits: 3, Cursor: c},
			"NoDay":  {Q: "자료", Credits: 3, Cursor: c},
			"Dept":   {Q: "자료", Day: "MON", Credits: 3, Department: "수학과", Cursor: c},
			"Edited": {Q: "자료", Day: "MON", Credits: 3, Cursor: c[:len(c)-1] + "A"},
		} {
			_, err := other.Parse()
			assert.ErrorIs(t, err, indexer.ErrBadQuery, name)
		}
	}
}
