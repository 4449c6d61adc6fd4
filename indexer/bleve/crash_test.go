package bleve_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/indexer"
	cmbleve "classmate/indexer/bleve"
)

// crashDirEnv tells a child process of TestCrashLosesASuffix where to
// write until it crashes.
const crashDirEnv = "CLASSMATE_TEST_BLEVE_CRASH_DIR"

// crashBatch is batch k of TestCrashLosesASuffix: every course at version
// k with k%40 seats left, renamed every fifth batch (a re-index; the
// batches between change seats only), checkpoint position k.
func crashBatch(k int) ([]indexer.Change, indexer.Checkpoint) {
	var changes []indexer.Change
	for id := int64(1); id <= 50; id++ {
		d := doc(id, int64(k), crashTitle(k))
		d.Remaining = k % 40
		changes = append(changes, indexer.Upsert(d, time.Now()))
	}
	return changes, indexer.Checkpoint{Source: "crash", File: "mariadb-bin.000001", Pos: uint32(k)}
}

func crashTitle(k int) string { return "과목" + strconv.Itoa(k-k%5) }

// TestCrashLosesASuffix: a process that dies while batches are persisted
// in the background leaves an index whose documents are exactly those of
// its checkpoint: batches after it are lost together with it (and a
// restart replays them), never some of their documents without it.
func TestCrashLosesASuffix(t *testing.T) {
	ctx := context.Background()
	if dir := os.Getenv(crashDirEnv); dir != "" {
		// The child: commit batches for a while, then die without Close.
		x, err := cmbleve.Open(dir, "crash")
		require.NoError(t, err)
		deadline := time.Now().Add(1500 * time.Millisecond)
		k := 2
		for ; time.Now().Before(deadline); k++ {
			changes, cp := crashBatch(k)
			require.NoError(t, x.Write(ctx, changes))
			require.NoError(t, x.Commit(ctx, cp))
			time.Sleep(time.Duration(k%7) * time.Millisecond)
		}
		fmt.Printf("committed %d\n", k-1)
		os.Exit(0)
	}
	t.Parallel()

	// Batch 1, persisted by Close, so the checkpoint is at least 1.
	dir := t.TempDir()
	x, err := cmbleve.Open(dir, "crash")
	require.NoError(t, err)
	changes, cp := crashBatch(1)
	require.NoError(t, x.Write(ctx, changes))
	require.NoError(t, x.Commit(ctx, cp))
	require.NoError(t, x.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLosesASuffix$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child: %s", out)

	var committed int
	_, err = fmt.Sscanf(string(out), "committed %d", &committed)
	require.NoError(t, err, "child: %s", out)

	x, err = cmbleve.Open(dir, "crash")
	require.NoError(t, err)
	defer x.Close()
	got, ok, err := x.LoadCheckpoint(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	k := int(got.Pos)
	t.Logf("the index reopened at batch %d of %d", k, committed)
	require.LessOrEqual(t, k, committed)
	for id := int64(1); id <= 50; id++ {
		d, ok := x.Document(id)
		require.True(t, ok)
		assert.Equal(t, int64(k), d.Version, "course %d", id)
		assert.Equal(t, k%40, d.Remaining, "course %d", id)
		assert.Equal(t, crashTitle(k), d.Title, "course %d", id)
	}
	p, err := x.Search(ctx, indexer.Query{Q: crashTitle(k), Limit: 100})
	require.NoError(t, err)
	assert.Len(t, p.Docs, 50, "every course is found by the title of batch %d", k)
}
