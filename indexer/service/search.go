package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"classmate/indexer"
	"classmate/indexer/binlog"
	"classmate/indexer/bleve"
	"classmate/indexer/elastic"
)

// readyWait bounds how long OpenSearch waits for the embedded index's
// first snapshot.
const readyWait = 30 * time.Second

// Search is the search side the core hosts. With Elasticsearch configured
// it only searches (cmd/indexer feeds the index); otherwise it runs the
// change data capture in-process into an embedded bleve index and searches
// that. Search is safe for concurrent use; Close it once.
type Search struct {
	indexer.Searcher

	ready func() bool
	stop  context.CancelFunc
	done  chan struct{}
	close func() error
}

// OpenSearch starts the search side described by cfg. For the embedded
// index it waits (at most 30 s, or until ctx ends) until the first
// snapshot is searchable.
func OpenSearch(ctx context.Context, cfg Config, log *slog.Logger) (*Search, error) {
	if cfg.ESURL != "" {
		x, err := elastic.New(elastic.Config{URL: cfg.ESURL, Alias: cfg.ESAlias, Log: log})
		if err != nil {
			return nil, err
		}
		return &Search{Searcher: x, ready: func() bool { return true }, close: func() error { return nil }}, nil
	}

	dir, temp := cfg.IndexDir, false
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "classmate-index-"); err != nil {
			return nil, fmt.Errorf("index dir: %w", err)
		}
		temp = true
	}
	st, err := binlog.New(binlog.Config{DSN: cfg.MySQLDSN, ServerID: cfg.ServerID, FlushInterval: cfg.FlushInterval,
		Log: log.With("component", "indexer")})
	if err != nil {
		return nil, err
	}
	idx, err := bleve.Open(dir, st.Source())
	if err != nil {
		st.Close()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.Background())
	s := &Search{Searcher: idx, ready: st.Ready, stop: stop, done: make(chan struct{})}
	s.close = func() error {
		err := errors.Join(st.Close(), idx.Close())
		if temp {
			err = errors.Join(err, os.RemoveAll(dir))
		}
		return err
	}
	go func() {
		defer close(s.done)
		KeepRunning(runCtx, st, idx, idx, log)
	}()
	log.Info("embedded search index", "dir", dir, "source", st.Source(), "server_id", st.ServerID())

	deadline := time.Now().Add(readyWait)
	for !st.Ready() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	if !st.Ready() {
		log.Warn("embedded search index not ready yet; searches may miss courses until it is")
	}
	return s, nil
}

// Ready reports whether searches see the whole catalogue (always true
// with Elasticsearch, whose freshness cmd/indexer reports).
func (s *Search) Ready() bool { return s.ready() }

// Close stops the in-process indexer, if any, and releases the index.
func (s *Search) Close() error {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
	return s.close()
}

// KeepRunning runs the streamer into sink until ctx ends, restarting it
// from the checkpoint after a failure, with a backoff of 1 s doubling to
// 30 s (reset after a minute of running).
func KeepRunning(ctx context.Context, st *binlog.Streamer, sink indexer.Sink, cps indexer.CheckpointStore, log *slog.Logger) {
	delay := time.Second
	for {
		start := time.Now()
		err := st.Run(ctx, sink, cps)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			delay = time.Second
		}
		log.Error("indexer stopped; restarting from the checkpoint", "err", err, "in", delay.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}
