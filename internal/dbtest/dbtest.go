// Package dbtest gives each test its own MariaDB/MySQL database, a read-only
// view of it on the replica, and its own Redis key prefix, on the servers that
// scripts/stack.sh runs. Everything a helper creates is removed in the test's
// Cleanup, so tests can run with t.Parallel.
//
// The servers are found through CLASSMATE_MYSQL_DSN, CLASSMATE_MYSQL_REPLICA_DSN
// and CLASSMATE_REDIS_ADDR (see `scripts/stack.sh env`), with the stack's
// ports as defaults. A server that cannot be reached skips the test, unless
// CI=true, where it fails the test instead: on CI a missing server is a broken
// build, not a reason to pass.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"classmate/migrations"
)

// EnvMySQLDSN names the variable holding the primary's DSN; its database name
// is ignored.
const EnvMySQLDSN = "CLASSMATE_MYSQL_DSN"

// EnvMySQLReplicaDSN names the variable holding the replica's DSN; its
// database name is ignored.
const EnvMySQLReplicaDSN = "CLASSMATE_MYSQL_REPLICA_DSN"

// EnvRedisAddr names the variable holding Redis's host:port.
const EnvRedisAddr = "CLASSMATE_REDIS_ADDR"

// DefaultMySQLDSN is the primary of scripts/stack.sh, used when EnvMySQLDSN
// is unset.
const DefaultMySQLDSN = "classmate:classmate@tcp(127.0.0.1:33061)/classmate"

// DefaultMySQLReplicaDSN is the replica of scripts/stack.sh, used when
// EnvMySQLReplicaDSN is unset.
const DefaultMySQLReplicaDSN = "classmate:classmate@tcp(127.0.0.1:33062)/classmate"

// DefaultRedisAddr is the Redis of scripts/stack.sh, used when EnvRedisAddr
// is unset.
const DefaultRedisAddr = "127.0.0.1:63791"

// replicaWait bounds every wait for the replica to catch up.
const replicaWait = 10 * time.Second

// DB is a migrated database that belongs to one test. The embedded *sql.DB is
// safe for concurrent use and is closed, and the database dropped, when the
// test ends.
type DB struct {
	*sql.DB
	// Name is the database's name: "t_" and 16 hex digits.
	Name string
	// DSN reaches the same database with the same parameters, for tests that
	// need connections or pools of their own (and must close them).
	DSN string
}

// MustOpenDB creates an empty database on the primary, applies the
// migrations to it, and returns a pool of up to 64 connections to it. Times
// are parsed into time.Time in UTC, the session time zone is +00:00, and
// query arguments are interpolated client-side.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	cfg := config(tb, EnvMySQLDSN, DefaultMySQLDSN)
	ctx, cancel := context.WithTimeout(tb.Context(), 2*time.Minute)
	defer cancel()

	admin := mustReach(tb, ctx, "MySQL primary", cfg)
	name := "t_" + randomHex(tb)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		tb.Fatalf("dbtest: create database %s: %v", name, err)
	}
	// Registered first so that it runs last, after the pool below is closed.
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			tb.Errorf("dbtest: drop database %s: %v", name, err)
		}
		admin.Close()
	})

	cfg.DBName = name
	db := open(tb, cfg)
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	tb.Cleanup(func() { db.Close() })
	if err := migrations.Up(ctx, db); err != nil {
		tb.Fatalf("dbtest: migrate %s: %v", name, err)
	}
	return &DB{DB: db, Name: name, DSN: cfg.FormatDSN()}
}

// MustOpenReplica returns a pool of connections to db's database on the
// replica, once the replica has applied db's migrations (waiting at most ten
// seconds). The replica is read-only for the classmate user: writes fail with
// MySQL error 1290. The pool is closed when the test ends.
func MustOpenReplica(tb testing.TB, db *DB) *sql.DB {
	tb.Helper()
	cfg := config(tb, EnvMySQLReplicaDSN, DefaultMySQLReplicaDSN)
	ctx, cancel := context.WithTimeout(tb.Context(), replicaWait)
	defer cancel()

	var want int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&want); err != nil {
		tb.Fatalf("dbtest: count migrations on the primary: %v", err)
	}
	// Connect without a database first: until the replica has caught up,
	// connecting to db.Name fails with "unknown database".
	probe := mustReach(tb, ctx, "MySQL replica", cfg)
	defer probe.Close()
	var got int
	var err error
	for {
		err = probe.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+db.Name+"`.schema_migrations").Scan(&got)
		if err == nil && got >= want {
			break
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("dbtest: the replica has %d of %d migrations of %s after %v (last error: %v); is replication running? See scripts/stack.sh status",
				got, want, db.Name, replicaWait, err)
		case <-time.After(20 * time.Millisecond):
		}
	}

	cfg.DBName = db.Name
	replica := open(tb, cfg)
	replica.SetMaxOpenConns(16)
	replica.SetMaxIdleConns(16)
	tb.Cleanup(func() { replica.Close() })
	return replica
}

// CatchUp waits, at most ten seconds, until the replica has applied every
// transaction committed on the primary before the call, in any database.
func CatchUp(tb testing.TB, db *DB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), replicaWait+5*time.Second)
	defer cancel()
	var pos string
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
		tb.Fatalf("dbtest: read the primary's GTID position: %v", err)
	}
	replica := mustReach(tb, ctx, "MySQL replica", config(tb, EnvMySQLReplicaDSN, DefaultMySQLReplicaDSN))
	defer replica.Close()
	var res sql.NullInt64
	if err := replica.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", pos, replicaWait.Seconds()).Scan(&res); err != nil {
		tb.Fatalf("dbtest: wait for the replica to reach %s: %v", pos, err)
	}
	if !res.Valid || res.Int64 != 0 {
		tb.Fatalf("dbtest: the replica did not reach GTID %s within %v; is replication running? See scripts/stack.sh status", pos, replicaWait)
	}
}

// StopReplication stops the replica's replication threads (STOP SLAVE) until
// StartReplication or the end of the test, whichever comes first. Replication
// is shared by every test on the machine, so a test that stops it should be
// short and should not call t.Parallel; StopReplication holds a lock on the
// replica until the test ends, so that such tests, in any package, run one at
// a time.
func StopReplication(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 2*time.Minute)
	defer cancel()
	admin := mustReach(tb, ctx, "MySQL replica", config(tb, EnvMySQLReplicaDSN, DefaultMySQLReplicaDSN))
	// GET_LOCK belongs to a session: keep one connection for the whole test.
	conn, err := admin.Conn(ctx)
	if err != nil {
		admin.Close()
		tb.Fatalf("dbtest: replica connection: %v", err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('classmate_dbtest_replication', 100)").Scan(&got); err != nil || got.Int64 != 1 {
		conn.Close()
		admin.Close()
		tb.Fatalf("dbtest: lock replication (another test keeps it stopped?): %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(ctx, "START SLAVE"); err != nil {
			tb.Errorf("dbtest: restart replication: %v", err)
		}
		conn.ExecContext(ctx, "DO RELEASE_LOCK('classmate_dbtest_replication')")
		conn.Close()
		admin.Close()
	})
	if _, err := conn.ExecContext(ctx, "STOP SLAVE"); err != nil {
		tb.Fatalf("dbtest: stop replication: %v", err)
	}
}

// StartReplication restarts the replica's replication threads (START SLAVE)
// after StopReplication. It returns at once; CatchUp waits for the replica.
func StartReplication(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	admin := mustReach(tb, ctx, "MySQL replica", config(tb, EnvMySQLReplicaDSN, DefaultMySQLReplicaDSN))
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "START SLAVE"); err != nil {
		tb.Fatalf("dbtest: start replication: %v", err)
	}
}

// MustOpenRedis returns a Redis client and a key prefix, "t" and 16 hex
// digits and a colon, that belongs to this test. Keys the test creates must
// start with the prefix (hash tags may follow it); when the test ends they are
// deleted and the client is closed. The client is safe for concurrent use.
func MustOpenRedis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	addr := getenv(EnvRedisAddr, DefaultRedisAddr)
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	// Without retries, an absent server is reported at once.
	probe := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second, MaxRetries: -1, DialerRetries: 1})
	err := probe.Ping(ctx).Err()
	probe.Close()
	if err != nil {
		unavailable(tb, "Redis", addr, err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 5 * time.Second})
	prefix := "t" + randomHex(tb) + ":"
	tb.Cleanup(func() {
		rdb.Close()
		// A client of its own: the test may have closed rdb already.
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		if err := deletePrefix(context.Background(), c, prefix); err != nil {
			tb.Errorf("dbtest: delete redis keys %s*: %v", prefix, err)
		}
	})
	return rdb, prefix
}

func deletePrefix(ctx context.Context, c *redis.Client, prefix string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// config parses the DSN in the environment variable, or def, and sets the
// parameters every test connection uses. DBName is left empty.
func config(tb testing.TB, env, def string) *mysql.Config {
	tb.Helper()
	dsn := getenv(env, def)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("dbtest: %s: %v", env, err)
	}
	cfg.DBName = ""
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.MultiStatements = false
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return cfg
}

func open(tb testing.TB, cfg *mysql.Config) *sql.DB {
	tb.Helper()
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return sql.OpenDB(connector)
}

// mustReach opens a small pool on cfg and pings it. A server that answers
// with an error (a wrong password, say) fails the test; one that cannot be
// reached skips it, or fails it under CI.
func mustReach(tb testing.TB, ctx context.Context, what string, cfg *mysql.Config) *sql.DB {
	tb.Helper()
	db := open(tb, cfg)
	db.SetMaxOpenConns(2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		var myErr *mysql.MySQLError
		if errors.As(err, &myErr) {
			tb.Fatalf("dbtest: %s at %s refused the connection: %v", what, cfg.Addr, err)
		}
		unavailable(tb, what, cfg.Addr, err)
	}
	return db
}

// unavailable skips the test, or fails it when CI is true: pkgsite's rule.
func unavailable(tb testing.TB, what, addr string, err error) {
	tb.Helper()
	msg := fmt.Sprintf("dbtest: %s at %s is unavailable: %v (start it with scripts/stack.sh up)", what, addr, err)
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(msg + "; failing rather than skipping because CI=true")
	}
	tb.Skip(msg)
}

func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func randomHex(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("dbtest: %v", err)
	}
	return hex.EncodeToString(b)
}
