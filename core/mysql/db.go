// Package mysql implements the core's stores on MySQL (MariaDB locally), the
// source of truth. Writes go to the primary under pessimistic locks; reads
// that may lag go to the replica; a student's own data is read from the
// primary.
package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/VictoriaMetrics/metrics"
	"github.com/go-sql-driver/mysql"

	"classmate/core"
)

// DB is the primary and the replica. Safe for concurrent use.
type DB struct {
	Primary *sql.DB
	Replica *sql.DB
}

// Open opens the primary and the replica DSNs (the replica falls back to the
// primary when empty) with the parameters the stores rely on: UTC times,
// parsed DATETIMEs and a short lock wait.
func Open(primaryDSN, replicaDSN string, maxConns int) (*DB, error) {
	p, err := open(primaryDSN, maxConns)
	if err != nil {
		return nil, fmt.Errorf("open mysql primary: %w", err)
	}
	if replicaDSN == "" {
		return &DB{Primary: p, Replica: p}, nil
	}
	r, err := open(replicaDSN, maxConns)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("open mysql replica: %w", err)
	}
	return &DB{Primary: p, Replica: r}, nil
}

// DSN returns dsn with the parameters the stores rely on.
func DSN(dsn string) (string, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Params["innodb_lock_wait_timeout"] = "5"
	if cfg.Timeout == 0 {
		cfg.Timeout = 3 * time.Second
	}
	return cfg.FormatDSN(), nil
}

func open(dsn string, maxConns int) (*sql.DB, error) {
	dsn, err := DSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	if maxConns <= 0 {
		maxConns = 64
	}
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.Primary.Close()
	if db.Replica != db.Primary {
		err = errors.Join(err, db.Replica.Close())
	}
	return err
}

// MySQL error numbers the stores translate.
const (
	errDupEntry        = 1062
	errLockWaitTimeout = 1205
	errDeadlock        = 1213
	errCheckMySQL      = 3819 // MySQL 8: check constraint violated
	errCheckMariaDB    = 4025 // MariaDB: CONSTRAINT_FAILED
)

func errNumber(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func isCheckViolation(err error) bool {
	n := errNumber(err)
	return n == errCheckMySQL || n == errCheckMariaDB
}

var txRetries = metrics.NewCounter(`classmate_mysql_tx_retries_total`)

// transact runs fn in a READ COMMITTED transaction on the primary and
// commits it, retrying the whole transaction on deadlock. READ COMMITTED
// makes every read after a row lock see the latest committed data.
func (db *DB) transact(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	start := time.Now()
	defer func() { observe(op, start) }()
	for attempt := 0; ; attempt++ {
		err := db.tryTransact(ctx, fn)
		if errNumber(err) == errDeadlock && attempt < 5 {
			txRetries.Inc()
			continue
		}
		return translate(err)
	}
}

func (db *DB) tryTransact(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.Primary.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// translate maps driver failures to domain errors: a lost connection or a
// lock wait that timed out is the dependency being unavailable.
func translate(err error) error {
	var e *core.Error
	switch {
	case err == nil, errors.As(err, &e):
		return err
	case errNumber(err) == errLockWaitTimeout, errNumber(err) == errDeadlock,
		errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%w: %w", core.ErrUnavailable, err)
	}
	return err
}

// observe records how long a store operation took.
func observe(op string, start time.Time) {
	metrics.GetOrCreatePrometheusHistogram(`classmate_mysql_op_duration_seconds{op="` + op + `"}`).UpdateDuration(start)
}
