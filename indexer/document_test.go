package indexer_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
)

func TestDocumentFromRow(t *testing.T) {
	t.Parallel()
	// As the binlog decodes it: integers, strings, extra columns.
	d, err := indexer.DocumentFromRow(indexer.Row{
		"id": uint64(12), "code": "CSE2010-01", "title": "자료구조", "professor": "오민경",
		"department": "컴퓨터공학과", "credits": uint64(3), "capacity": uint64(40), "enrolled": uint64(33),
		"schedule": `[{"day":"MON","start":"09:00","end":"10:15"},{"day":"WED","start":"09:00","end":"10:15"},{"day":"MON","start":"13:00","end":"14:00"}]`,
		"room":     "공학관 101", "version": int64(7), "note": "ignored",
	})
	require.NoError(t, err)
	assert.Equal(t, int64(12), d.ID)
	assert.Equal(t, 7, d.Remaining)
	assert.Equal(t, int64(7), d.Version)
	assert.Equal(t, []string{"MON", "WED"}, d.Days)
	assert.Equal(t, "ㅈㄹㄱㅈ", d.TitleChosung)
	assert.Equal(t, "ㅇㅁㄱ", d.ProfessorChosung)

	// As the snapshot reads it: text.
	d2, err := indexer.DocumentFromRow(indexer.Row{"id": []byte("12"), "version": "7", "capacity": "40", "enrolled": "41", "schedule": "not json"})
	require.NoError(t, err)
	assert.Equal(t, 0, d2.Remaining, "never negative")
	assert.Empty(t, d2.Schedule)

	_, err = indexer.DocumentFromRow(indexer.Row{"id": "1"})
	assert.Error(t, err, "no version")
}

func TestRank(t *testing.T) {
	t.Parallel()
	up := indexer.Upsert(indexer.Document{ID: 1, Version: 5}, time.Time{})
	del := indexer.Delete(1, 5, time.Time{})
	next := indexer.Upsert(indexer.Document{ID: 1, Version: 6}, time.Time{})
	assert.Less(t, up.Rank(), del.Rank(), "a delete beats its own version")
	assert.Less(t, del.Rank(), next.Rank())
}
