package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"classmate/indexer/binlog"
	"classmate/indexer/elastic"
	"classmate/internal/waitfor"
)

// Run runs the standalone indexer until ctx ends: the binlog of
// CLASSMATE_MYSQL_DSN's courses table into Elasticsearch at
// CLASSMATE_ES_URL, with /healthz, /readyz and /metrics on
// CLASSMATE_INDEXER_ADDR. When ready is not nil it receives the address
// the HTTP server listens on.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer, ready func(addr string)) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level})).With("service", "indexer")
	log.Info("starting", cfg.LogValue()...)
	if cfg.ESURL == "" {
		return errors.New("CLASSMATE_ES_URL is required: the standalone indexer feeds Elasticsearch (without it the core hosts the embedded index itself)")
	}

	x, err := elastic.New(elastic.Config{URL: cfg.ESURL, Alias: cfg.ESAlias, Replicas: cfg.ESReplicas, Log: log})
	if err != nil {
		return err
	}
	if err := waitfor.Reachable(ctx, "elasticsearch", log, 60*time.Second, x.Ping); err != nil {
		return err
	}
	if err := x.Setup(ctx); err != nil {
		return err
	}
	defer x.Close(context.Background())
	st, err := binlog.New(binlog.Config{DSN: cfg.MySQLDSN, ServerID: cfg.ServerID, FlushInterval: cfg.FlushInterval, Log: log})
	if err != nil {
		return err
	}
	defer st.Close()

	var published atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if !st.Ready() || !published.Load() || x.Ping(pctx) != nil {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) { metrics.WritePrometheus(w, true) })
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 60 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "index", x.Name(), "alias", x.Alias())
	if ready != nil {
		ready(ln.Addr().String())
	}

	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	done := make(chan struct{})
	go func() {
		defer close(done)
		KeepRunning(bg, st, x, x, log)
	}()
	// The alias moves to this index once it holds a snapshot and tails
	// the binlog; until then searches keep using the previous index.
	go func() {
		for bg.Err() == nil && !published.Load() {
			if st.Ready() {
				if err := x.Publish(bg); err != nil {
					log.Warn("publish index", "err", err)
				} else {
					published.Store(true)
				}
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()

	select {
	case err = <-serveErr:
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		err = nil
	}
	log.Info("shutting down")
	stopBG()
	<-done
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(err, srv.Shutdown(sctx))
}
