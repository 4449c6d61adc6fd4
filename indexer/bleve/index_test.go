package bleve

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
)

// TestPersisterNaps: scorch took the persister options of scorchConfig, so
// batches arriving faster than persisterNap are persisted together.
func TestPersisterNaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	x, err := Open(t.TempDir(), "")
	require.NoError(t, err)
	defer x.Close()
	stat := func(name string) uint64 {
		t.Helper()
		m, ok := x.idx.StatsMap()["index"].(map[string]any)
		require.True(t, ok, "scorch stats")
		v, ok := m[name].(uint64)
		require.True(t, ok, "stat %s", name)
		return v
	}

	loops := stat("TotPersistLoopBeg")
	const batches = 60
	for v := int64(1); v <= batches; v++ {
		d := indexer.Document{ID: 1, Code: "TST0001-01", Title: "자료구조", Capacity: 40, Remaining: int(40 - v%40), Version: v}
		require.NoError(t, x.Write(ctx, []indexer.Change{indexer.Upsert(d, time.Now())}))
		require.NoError(t, x.Commit(ctx, indexer.Checkpoint{Source: "s", Pos: uint32(v)}))
		time.Sleep(persisterNap / 40)
	}
	assert.Positive(t, stat("TotPersisterNapPauseCompleted"), "the persister napped")
	// Each loop persists at most once; without the nap about every
	// batch is persisted on its own.
	assert.Less(t, stat("TotPersistLoopBeg")-loops, uint64(batches/4), "persister loops")
}
