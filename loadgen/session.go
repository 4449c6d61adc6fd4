package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Sessions logs students in ahead of a scenario, as they do before the
// room opens, and keeps their session tokens for the rest of the run (and,
// with File set, for later runs: a token lives for the core's session TTL).
// Safe for concurrent use.
type Sessions struct {
	Client   *Client
	Password string
	File     string // optional cache on disk

	mu sync.Mutex
	m  map[string]Session
}

// loadFile reads the cache file, keeping the tokens valid for another hour.
func (s *Sessions) loadFile() {
	if s.m == nil {
		s.m = map[string]Session{}
	}
	if s.File == "" {
		return
	}
	b, err := os.ReadFile(s.File)
	if err != nil {
		return
	}
	var list []Session
	if json.Unmarshal(b, &list) != nil {
		return
	}
	soon := time.Now().Add(time.Hour)
	for _, x := range list {
		if x.ExpiresAt.After(soon) {
			s.m[x.No] = x
		}
	}
}

func (s *Sessions) saveFile() error {
	if s.File == "" {
		return nil
	}
	s.mu.Lock()
	list := make([]Session, 0, len(s.m))
	for _, x := range s.m {
		list = append(list, x)
	}
	s.mu.Unlock()
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.File), 0o755); err != nil {
		return err
	}
	tmp := s.File + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.File)
}

// Ensure logs in students first..first+n-1 that hold no token yet, with
// workers concurrent logins, recording each login on ep. It returns the
// sessions in order.
func (s *Sessions) Ensure(ctx context.Context, ep *Endpoint, first, n, workers int, progress func(done int)) ([]Session, error) {
	s.mu.Lock()
	if s.m == nil {
		s.loadFile()
	}
	s.mu.Unlock()
	out := make([]Session, n)
	var todo []int
	s.mu.Lock()
	for i := range n {
		if x, ok := s.m[studentNo(first+i)]; ok {
			out[i] = x
		} else {
			todo = append(todo, i)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	var next, done atomic.Int64
	var firstErr error
	var errMu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < max(1, workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(todo) {
					return
				}
				i := todo[k]
				x, err := s.login(ep, first+i)
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					return
				}
				out[i] = x
				s.mu.Lock()
				s.m[x.No] = x
				s.mu.Unlock()
				if d := done.Add(1); progress != nil && d%1000 == 0 {
					progress(int(d))
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.saveFile(); err != nil {
		return nil, fmt.Errorf("session cache: %w", err)
	}
	return out, nil
}

func (s *Sessions) login(ep *Endpoint, i int) (Session, error) {
	no := studentNo(i)
	body, _ := json.Marshal(map[string]string{"student_no": no, "password": s.Password})
	var got struct {
		SessionToken string    `json:"session_token"`
		ExpiresAt    time.Time `json:"expires_at"`
		Student      struct {
			ID int64 `json:"id"`
		} `json:"student"`
	}
	// A login that meets the rate limit waits as a person would.
	for try := 0; ; try++ {
		r := s.Client.Call(ep, i, "POST", "/api/v1/auth/login", "", body)
		if r.Status == 429 && try < 20 {
			time.Sleep(time.Duration(200+50*try) * time.Millisecond)
			continue
		}
		if err := decode(r, 200, &got); err != nil {
			return Session{}, fmt.Errorf("log in %s: %w", no, err)
		}
		break
	}
	return Session{No: no, ID: got.Student.ID, Token: got.SessionToken, ExpiresAt: got.ExpiresAt}, nil
}
