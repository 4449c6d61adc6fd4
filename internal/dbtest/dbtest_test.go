package dbtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"classmate/internal/dbtest"
)

func TestMustOpenDB(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var names []string
	t.Run("group", func(t *testing.T) {
		for _, name := range []string{"first", "second"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				db := dbtest.MustOpenDB(t)
				mu.Lock()
				names = append(names, db.Name)
				mu.Unlock()

				assert.Regexp(t, `^t_[0-9a-f]{16}$`, db.Name)
				var tables []string
				rows, err := db.QueryContext(t.Context(), `SELECT table_name FROM information_schema.tables
					WHERE table_schema = DATABASE() ORDER BY table_name`)
				require.NoError(t, err)
				for rows.Next() {
					var s string
					require.NoError(t, rows.Scan(&s))
					tables = append(tables, s)
				}
				require.NoError(t, rows.Err())
				assert.Subset(t, tables, []string{"students", "courses", "enrollments", "cart_items", "schema_migrations"})

				// The DSN reaches the same database with the same session settings.
				other, err := sql.Open("mysql", db.DSN)
				require.NoError(t, err)
				defer other.Close()
				var dbName, tz string
				var now time.Time
				require.NoError(t, other.QueryRowContext(t.Context(),
					"SELECT DATABASE(), @@session.time_zone, NOW(6)").Scan(&dbName, &tz, &now))
				assert.Equal(t, db.Name, dbName)
				assert.Equal(t, "+00:00", tz)
				assert.Equal(t, time.UTC, now.Location())
				assert.WithinDuration(t, time.Now(), now, time.Minute)
			})
		}
	})

	// Both subtests have ended: their databases were distinct and are gone.
	db := dbtest.MustOpenDB(t)
	require.Len(t, names, 2)
	assert.NotEqual(t, names[0], names[1])
	var left int
	require.NoError(t, db.QueryRowContext(t.Context(),
		"SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN (?, ?)",
		names[0], names[1]).Scan(&left))
	assert.Zero(t, left, "databases of finished tests are dropped")
}

func TestMustOpenReplica(t *testing.T) {
	t.Parallel()
	db := dbtest.MustOpenDB(t)
	replica := dbtest.MustOpenReplica(t, db)

	_, err := db.ExecContext(t.Context(), `INSERT INTO students (student_no, name, department, password_hash)
		VALUES (?, ?, ?, ?)`, "2024000001", "Kim", "CS", "x")
	require.NoError(t, err)
	dbtest.CatchUp(t, db)

	var name string
	require.NoError(t, replica.QueryRowContext(t.Context(),
		"SELECT name FROM students WHERE student_no = ?", "2024000001").Scan(&name))
	assert.Equal(t, "Kim", name)

	// The replica is read-only for the application.
	_, err = replica.ExecContext(t.Context(), "DELETE FROM students")
	var myErr *mysql.MySQLError
	require.ErrorAs(t, err, &myErr)
	assert.EqualValues(t, 1290, myErr.Number)
}

// TestStopReplication is not parallel: stopping replication affects every
// test that uses the replica.
func TestStopReplication(t *testing.T) {
	db := dbtest.MustOpenDB(t)
	replica := dbtest.MustOpenReplica(t, db)

	dbtest.StopReplication(t)
	_, err := db.ExecContext(t.Context(), `INSERT INTO students (student_no, name, department, password_hash)
		VALUES ('2024000002', 'Lee', 'EE', 'x')`)
	require.NoError(t, err)
	time.Sleep(200 * time.Millisecond) // long enough for a running replica to apply the insert
	var n int
	require.NoError(t, replica.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM students").Scan(&n))
	assert.Zero(t, n, "a stopped replica does not apply new rows")

	dbtest.StartReplication(t)
	dbtest.CatchUp(t, db)
	require.NoError(t, replica.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM students").Scan(&n))
	assert.Equal(t, 1, n)
}

func TestMustOpenRedis(t *testing.T) {
	t.Parallel()
	keep, keepPrefix := dbtest.MustOpenRedis(t)
	require.NoError(t, keep.Set(t.Context(), keepPrefix+"kept", "1", 0).Err())

	var prefix string
	t.Run("test", func(t *testing.T) {
		rdb, p := dbtest.MustOpenRedis(t)
		prefix = p
		assert.Regexp(t, `^t[0-9a-f]{16}:$`, prefix)
		assert.NotEqual(t, keepPrefix, prefix)
		// More keys than one SCAN page, some with hash tags.
		pipe := rdb.Pipeline()
		for i := range 2500 {
			pipe.Set(t.Context(), fmt.Sprintf("%s{course:%d}:seats", prefix, i%7), i, 0)
			pipe.Set(t.Context(), fmt.Sprintf("%skey:%d", prefix, i), i, 0)
		}
		_, err := pipe.Exec(t.Context())
		require.NoError(t, err)
		rdb.Close() // the cleanup must not depend on the test's client
	})

	assert.Zero(t, countKeys(t, keep, prefix), "keys of a finished test are deleted")
	assert.Equal(t, 1, countKeys(t, keep, keepPrefix), "other tests' keys are kept")
}

func countKeys(t *testing.T, rdb *redis.Client, prefix string) int {
	t.Helper()
	n := 0
	iter := rdb.Scan(t.Context(), 0, prefix+"*", 1000).Iterator()
	for iter.Next(t.Context()) {
		n++
	}
	require.NoError(t, iter.Err())
	return n
}

// fakeTB records whether a helper skipped or failed. Like a real testing.T,
// its Skip and Fatal end the calling goroutine; the other methods go to the
// embedded real test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	cleanups        []func()
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Context() context.Context       { return context.Background() }
func (f *fakeTB) Cleanup(fn func())              { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Skip(...any)                    { f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Skipf(string, ...any)           { f.skipped = true; runtime.Goexit() }
func (f *fakeTB) Fatal(...any)                   { f.failed = true; runtime.Goexit() }
func (f *fakeTB) Fatalf(string, ...any)          { f.failed = true; runtime.Goexit() }
func (f *fakeTB) Errorf(format string, a ...any) { f.failed = true }

// run calls fn in a goroutine of its own, which Skip and Fatal may end, then
// runs the cleanups fn registered.
func (f *fakeTB) run(fn func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// TestUnreachable checks that a server that cannot be reached skips a test
// locally and fails it under CI=true. It sets environment variables, so it
// cannot be parallel.
func TestUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens, so connections are refused at once.
	t.Setenv(dbtest.EnvMySQLDSN, "classmate:classmate@tcp(127.0.0.1:1)/classmate")
	t.Setenv(dbtest.EnvRedisAddr, "127.0.0.1:1")
	helpers := []struct {
		name string
		fn   func(testing.TB)
	}{
		{"MustOpenDB", func(tb testing.TB) { dbtest.MustOpenDB(tb) }},
		{"MustOpenRedis", func(tb testing.TB) { dbtest.MustOpenRedis(tb) }},
	}
	for _, h := range helpers {
		t.Run(h.name+"/Local", func(t *testing.T) {
			t.Setenv("CI", "")
			f := &fakeTB{TB: t}
			f.run(h.fn)
			assert.True(t, f.skipped, "skipped")
			assert.False(t, f.failed, "failed")
		})
		t.Run(h.name+"/CI", func(t *testing.T) {
			t.Setenv("CI", "true")
			f := &fakeTB{TB: t}
			f.run(h.fn)
			assert.False(t, f.skipped, "skipped")
			assert.True(t, f.failed, "failed")
		})
	}
}
