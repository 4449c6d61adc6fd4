package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"classmate/gate"
	gatehttp "classmate/gate/http"
	gateredis "classmate/gate/redis"
	"classmate/gate/web"
	"classmate/internal/redisclient"
	"classmate/internal/waitfor"
	"classmate/token"
)

// Run runs the gate until ctx ends. When ready is not nil it receives the
// address the server listens on, once it accepts connections.
func Run(ctx context.Context, getenv func(string) string, stdout io.Writer, ready func(addr string)) error {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: level})).With("service", "gate")
	log.Info("starting", cfg.LogValue()...)

	rc, err := redisclient.Open(redisclient.Config{
		Addr: cfg.RedisAddr, Password: cfg.RedisPassword, Timeout: 3 * time.Second, AutoPipeline: cfg.RedisAutoPipeline,
	})
	if err != nil {
		return err
	}
	defer rc.Close()
	rdb := rc.Plain
	if err := waitfor.Reachable(ctx, "redis", log, 30*time.Second, func(ctx context.Context) error { return rdb.Ping(ctx).Err() }); err != nil {
		return err
	}
	store := &gateredis.Store{Client: rc.Fast, Prefix: cfg.RedisPrefix, Name: cfg.Room}
	if cfg.Development && cfg.DevRoom {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		created, err := store.CreateRoom(rctx, gate.DefaultRoom(time.Now()))
		cancel()
		if err != nil {
			return fmt.Errorf("create the development room: %w", err)
		}
		if created {
			log.Info("created the development room: open now, fifo, 50 admissions/s, max_active 2000")
		}
	}

	proxy, err := gatehttp.NewProxy(cfg.CoreURLs, cfg.ProxyTimeout, cfg.ProxyMaxConns)
	if err != nil {
		return err
	}
	est := &gate.Estimator{}
	meter := &gate.LoadMeter{}
	hub := &gatehttp.Hub{Queue: store, Estimator: est, Tick: cfg.PushTick, Grace: cfg.Grace, Log: log}
	admitter := &gate.Admitter{
		Store:  store,
		Lock:   &gateredis.Lock{Store: store, TTL: cfg.LockTTL, Instance: cfg.Instance},
		Issuer: token.Issuer{Keys: cfg.Tokens.Admission},
		Meter:  meter,
		Tick:   cfg.Tick,
		Grace:  cfg.Grace,
		AIMD:   gate.AIMD{P99: cfg.AIMDP99, ErrorRate: cfg.AIMDErrorRate},
		Log:    log,
	}
	srv := &gatehttp.Server{
		Queue:          store,
		Hub:            hub,
		Proxy:          proxy,
		Web:            web.Handler(),
		Tokens:         cfg.Tokens,
		AdminToken:     cfg.AdminToken,
		Limits:         cfg.Limits,
		TrustForwarded: cfg.TrustForwarded,
		Estimator:      est,
		Meter:          meter,
		Leader:         admitter.Leader,
		Timeout:        cfg.RequestTimeout,
		Log:            log,
		Ready:          func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())

	bg, stopBG := context.WithCancel(ctx)
	defer stopBG()
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(bg) }()
	admDone := make(chan struct{})
	go func() { defer close(admDone); admitter.Run(bg) }()
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopBG()
	// The admitter releases the lock as it stops, so another gate leads at
	// once; neither it nor the hub may hold the shutdown up for long.
	for name, done := range map[string]chan struct{}{"admission tick": admDone, "hub": hubDone} {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			log.Warn("shutdown: " + name + " did not stop in time")
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
