package service_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	coreservice "classmate/core/service"
	"classmate/gate"
	"classmate/gate/service"
	"classmate/internal/dbtest"
)

const adminToken = "dev-admin-token"

// getenv returns a getenv over vars.
func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// startCore runs a real core in-process on a fresh database and the Redis
// prefix, and returns its address.
func startCore(t *testing.T, db *dbtest.DB, prefix string) string {
	t.Helper()
	vars := map[string]string{
		"CLASSMATE_ENV": "development", "CLASSMATE_CORE_ADDR": "127.0.0.1:0",
		"CLASSMATE_MYSQL_DSN": db.DSN, "CLASSMATE_REDIS_ADDR": os.Getenv(dbtest.EnvRedisAddr),
		"CLASSMATE_REDIS_PREFIX": prefix, "CLASSMATE_LOG_LEVEL": "warn",
	}
	return run(t, "core", func(ctx context.Context, ready func(string)) error {
		return coreservice.Run(ctx, getenv(vars), io.Discard, ready)
	})
}

// startGate runs a gate in-process with vars over the defaults of the
// tests, and returns its address.
func startGate(t *testing.T, prefix, core string, vars map[string]string) string {
	t.Helper()
	v := gateVars(prefix, core)
	for k, x := range vars {
		v[k] = x
	}
	return run(t, "gate", func(ctx context.Context, ready func(string)) error {
		return runGate(ctx, v, ready)
	})
}

// runGate runs the gate with vars until ctx ends.
func runGate(ctx context.Context, vars map[string]string, ready func(string)) error {
	return service.Run(ctx, getenv(vars), io.Discard, ready)
}

func gateVars(prefix, core string) map[string]string {
	return map[string]string{
		"CLASSMATE_ENV": "development", "CLASSMATE_GATE_ADDR": "127.0.0.1:0", "CLASSMATE_CORE_URLS": core,
		"CLASSMATE_REDIS_ADDR": os.Getenv(dbtest.EnvRedisAddr), "CLASSMATE_REDIS_PREFIX": prefix,
		"CLASSMATE_GATE_TICK": "100ms", "CLASSMATE_LOG_LEVEL": "warn",
	}
}

// run starts a service and stops it when the test ends.
func run(t *testing.T, name string, f func(ctx context.Context, ready func(string)) error) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- f(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		t.Fatalf("%s did not start: %v", name, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start in time", name)
	}
	return ""
}

// child is a gate running as a separate process (this test binary; see
// TestMain), so it can be killed.
type child struct {
	cmd  *exec.Cmd
	addr string
}

func startChild(t testing.TB, prefix, instance string, vars map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLASSMATE_GATE_TEST_CHILD=1", "CLASSMATE_GATE_INSTANCE="+instance)
	for k, v := range gateVars(prefix, "http://127.0.0.1:1") {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	c := &child{cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	ready := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- a
			}
		}
	}()
	select {
	case c.addr = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("gate %s did not start", instance)
	}
	return c
}

var (
	hashOnce sync.Once
	hash     []byte
)

// addStudents inserts students 1..n (ids and numbers 2026000001…) with
// the password "classmate".
func addStudents(t *testing.T, db *dbtest.DB, n int) {
	t.Helper()
	hashOnce.Do(func() { hash, _ = bcrypt.GenerateFromPassword([]byte("classmate"), bcrypt.MinCost) })
	var q strings.Builder
	q.WriteString("INSERT INTO students (id, student_no, name, department, max_credits, password_hash) VALUES ")
	var args []any
	for i := 1; i <= n; i++ {
		if i > 1 {
			q.WriteString(",")
		}
		q.WriteString("(?, ?, '학생', '컴퓨터공학과', 18, ?)")
		args = append(args, i, fmt.Sprintf("2026%06d", i), string(hash))
	}
	_, err := db.Exec(q.String(), args...)
	require.NoError(t, err)
}

// request sends a JSON request and decodes a JSON answer into out.
func request(t *testing.T, method, url, auth, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(bytes.TrimSpace(b)) > 0 {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

// errorBody is the contract's error shape.
type errorBody struct {
	Error struct{ Code, Message string } `json:"error"`
}

// frame is any WebSocket frame of the gate.
type frame struct {
	Type               string     `json:"type"`
	State              gate.State `json:"state"`
	Position           int64      `json:"position"`
	AdmissionToken     string     `json:"admission_token"`
	AdmissionExpiresAt time.Time  `json:"admission_expires_at"`
}

// socket reads a gate WebSocket's frames in the background.
type socket struct {
	frames chan frame
	err    chan error
	conn   *websocket.Conn
}

func dial(t *testing.T, addr, ticket string) *socket {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/queue/v1/ws?ticket="+ticket, nil)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	s := &socket{frames: make(chan frame, 1000), err: make(chan error, 1), conn: c}
	go func() {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				s.err <- err
				return
			}
			var f frame
			json.Unmarshal(b, &f)
			s.frames <- f
		}
	}()
	return s
}

// until returns the first frame of type typ, failing after within.
func (s *socket) until(t *testing.T, typ string, within time.Duration) frame {
	t.Helper()
	return s.match(t, typ, within, func(frame) bool { return true })
}

// match returns the first frame of type typ that ok accepts, skipping
// others, failing after within.
func (s *socket) match(t *testing.T, typ string, within time.Duration, ok func(frame) bool) frame {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case f := <-s.frames:
			if f.Type == typ && ok(f) {
				return f
			}
		case err := <-s.err:
			select { // frames that arrived before the close come first
			case f := <-s.frames:
				s.err <- err
				if f.Type == typ && ok(f) {
					return f
				}
				continue
			default:
			}
			t.Fatalf("socket closed before a %s frame: %v", typ, err)
		case <-deadline:
			t.Fatalf("no %s frame within %v", typ, within)
		}
	}
}
