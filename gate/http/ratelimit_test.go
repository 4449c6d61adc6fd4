package http_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gatehttp "classmate/gate/http"
)

func TestRateLimitStudent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.limits = gatehttp.Limits{StudentRate: 1, StudentBurst: 3} })
	e.room(0, map[string]any{"paused": true})
	sess := e.session(1)
	for i := range 3 {
		status, _ := e.do("POST", "/queue/v1/join", "", "Authorization", "Bearer "+sess)
		require.Equal(t, 200, status, "request %d", i)
	}
	status, hdr, body := e.doFull("GET", "/queue/v1/status", "", "Authorization", "Bearer "+sess)
	assert.Equal(t, 429, status)
	assert.Equal(t, "RATE_LIMITED", errorCode(body))
	ra, err := strconv.Atoi(string(hdr.Peek("Retry-After")))
	require.NoError(t, err, "Retry-After in whole seconds")
	assert.Equal(t, 1, ra)
	status, _ = e.do("GET", "/queue/v1/status", "", "Authorization", "Bearer "+e.session(2))
	assert.Equal(t, 404, status, "another student has a bucket of their own")
}

func TestRateLimitIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.limits = gatehttp.Limits{IPRate: 0.5, IPBurst: 2} })
	for range 2 {
		status, _ := e.do("POST", "/api/v1/auth/login", `{}`)
		assert.Equal(t, 503, status, "forwarded (no upstream)")
	}
	status, hdr, body := e.doFull("GET", "/api/v1/courses?q=x", "")
	assert.Equal(t, 429, status)
	assert.Equal(t, "RATE_LIMITED", errorCode(body))
	assert.Equal(t, "2", string(hdr.Peek("Retry-After")), "a token every two seconds")
	status, _ = e.do("GET", "/api/v1/courses/1", "")
	assert.Equal(t, 503, status, "a course's page is not rate limited")
}

// TestRateLimitDefaults: the default buckets never throttle a student
// within 50 requests/s with bursts of 20, nor an IP within 2,000 requests/s
// with bursts of 2,000.
func TestRateLimitDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *options) { o.limits = gatehttp.DefaultLimits })
	e.room(0, map[string]any{"paused": true})
	sess := e.session(1)
	e.join(1)
	// A burst of 20, then 50 a second for two seconds.
	for i := range 20 {
		status, _ := e.do("GET", "/queue/v1/status", "", "Authorization", "Bearer "+sess)
		require.Equal(t, 200, status, "burst request %d", i)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := range 100 {
		<-tick.C
		status, _ := e.do("GET", "/queue/v1/status", "", "Authorization", "Bearer "+sess)
		require.Equal(t, 200, status, "steady request %d", i)
	}
	// A burst of 2,000 from one IP: 100 students, 20 each.
	var wg sync.WaitGroup
	var mu sync.Mutex
	limited := 0
	for s := range int64(100) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := []string{"Authorization", "Bearer " + e.session(s+10)}
			for range 20 {
				status, _ := e.do("POST", "/queue/v1/join", "", h...)
				if status == 429 {
					mu.Lock()
					limited++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, limited)
}
