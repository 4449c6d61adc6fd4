package migrations_test

import (
	"context"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/internal/dbtest"
	"classmate/migrations"
)

func TestStatements(t *testing.T) {
	t.Parallel()
	got := migrations.Statements("-- comment\nCREATE TABLE a (\n  x INT\n);\n\nDROP TABLE b;\nSELECT 1")
	assert.Equal(t, []string{"CREATE TABLE a (\n  x INT\n)", "DROP TABLE b", "SELECT 1"}, got)
}

func TestEveryUpHasDown(t *testing.T) {
	t.Parallel()
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	require.NoError(t, err)
	require.NotEmpty(t, ups)
	for _, up := range ups {
		_, err := fs.Stat(migrations.FS, strings.TrimSuffix(up, ".up.sql")+".down.sql")
		assert.NoError(t, err, up)
	}
}

// TestUpDownUp: Up is idempotent and safe to run concurrently; the down
// files undo it and Up applies it again.
func TestUpDownUp(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t) // already migrated once
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, migrations.Up(ctx, db.DB))
		}()
	}
	wg.Wait()
	ups, _ := fs.Glob(migrations.FS, "*.up.sql")
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n))
	assert.Equal(t, len(ups), n)

	downs, _ := fs.Glob(migrations.FS, "*.down.sql")
	for i := len(downs) - 1; i >= 0; i-- {
		body, err := migrations.FS.ReadFile(downs[i])
		require.NoError(t, err)
		for _, stmt := range migrations.Statements(string(body)) {
			_, err := db.Exec(stmt)
			require.NoError(t, err)
		}
	}
	_, err := db.Exec("DELETE FROM schema_migrations")
	require.NoError(t, err)
	require.NoError(t, migrations.Up(ctx, db.DB))
	for _, table := range []string{"students", "courses", "enrollments", "cart_items"} {
		_, err := db.Exec("SELECT 1 FROM " + table + " LIMIT 1")
		assert.NoError(t, err, table)
	}
}
