package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"classmate/core"
	corehttp "classmate/core/http"
	coremysql "classmate/core/mysql"
	coreredis "classmate/core/redis"
	indexsvc "classmate/indexer/service"
	"classmate/internal/redisclient"
	"classmate/internal/waitfor"
	"classmate/migrations"
)

// Run runs the core until ctx ends. When ready is not nil it receives the
// address the server listens on, once it accepts connections.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer, ready func(addr string)) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level})).With("service", "core")
	log.Info("starting", cfg.LogValue()...)

	db, err := coremysql.Open(cfg.MySQLDSN, cfg.ReplicaDSN, cfg.MySQLMaxConns)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := waitfor.Reachable(ctx, "mysql", log, 30*time.Second, db.Primary.PingContext); err != nil {
		return err
	}
	if err := migrations.Up(ctx, db.Primary); err != nil {
		return err
	}

	rc, err := redisclient.Open(redisclient.Config{
		Addr: cfg.RedisAddr, Password: cfg.RedisPassword, Timeout: 2 * time.Second, AutoPipeline: cfg.RedisAutoPipeline,
	}, coreredis.Timing{})
	if err != nil {
		return err
	}
	defer rc.Close()
	rdb, fast := rc.Plain, rc.Fast

	// Course search: the embedded index, fed in-process from the binlog,
	// unless CLASSMATE_ES_URL names Elasticsearch (fed by cmd/indexer).
	search, err := indexsvc.OpenSearch(ctx, cfg.Search, log)
	if err != nil {
		return err
	}
	defer search.Close()

	// The seat filter stores a success's reply with its confirmation: one
	// Replies for both.
	replies := &coreredis.Replies{Client: fast, Prefix: cfg.RedisPrefix}
	seats := &coreredis.Seats{Client: fast, Prefix: cfg.RedisPrefix, Replies: replies}
	enrollments := &coremysql.Enrollments{DB: db}
	registrar := &core.Registrar{Store: enrollments, States: &coremysql.SeatStates{DB: db}, Seats: seats, Log: log}
	srv := &corehttp.Server{
		Students:    &coremysql.Students{DB: db},
		Courses:     &coremysql.Courses{DB: db},
		Carts:       &coremysql.Carts{DB: db},
		Enrollments: enrollments,
		Registrar:   registrar,
		Seats:       seats,
		Replies:     replies,
		Revocations: &coreredis.Revocations{Client: fast},
		Search:      core.IndexSearcher{Index: search},
		Tokens:      cfg.Tokens,
		AdminToken:  cfg.AdminToken,
		SessionTTL:  cfg.SessionTTL,
		Timeout:     cfg.RequestTimeout,
		Log:         log,
		Ready: func(ctx context.Context) error {
			return errors.Join(db.Primary.PingContext(ctx), db.Replica.PingContext(ctx), rdb.Ping(ctx).Err())
		},
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}

	// A first reconcile loads every counter; the periodic one repairs drift
	// (a Redis restart, a crash between commit and bookkeeping).
	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	go func() {
		if checked, fixed, err := registrar.Reconcile(bg); err != nil {
			log.Warn("initial reconcile", "err", err)
		} else {
			log.Info("initial reconcile", "checked", checked, "fixed", fixed)
		}
		registrar.RunReconciler(bg, cfg.ReconcileInterval)
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopBG()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
