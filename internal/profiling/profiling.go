// Package profiling serves Go's pprof handlers on a separate, opt-in
// listener, so that a benchmark can profile a running service without the
// profiles ever being reachable on the public port.
package profiling

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// ListenFromEnv serves /debug/pprof/ on the loopback address named by
// CLASSMATE_PPROF_ADDR (for example 127.0.0.1:6061). Unset, it does nothing.
// An address off loopback is refused: profiles reveal the process's memory.
func ListenFromEnv(getenv func(string) string) error {
	addr := getenv("CLASSMATE_PPROF_ADDR")
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("CLASSMATE_PPROF_ADDR must be a loopback host:port, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			fmt.Fprintln(os.Stderr, "pprof listener:", err)
		}
	}()
	return nil
}
