package loadgen

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// crowd is the simulated students of one scenario run: how they behave
// (join, wait on a WebSocket or by polling, enroll with think time, leave)
// and what they saw. Safe for concurrent use.
type crowd struct {
	e       *Env
	rec     *Recorder
	commits *Commits
	seed    uint64

	join, ws, frameGap, status, wait, enroll, leave *Endpoint

	joined, waiting, admitted, finished, failed atomic.Int64
	lastAnswer                                  atomic.Int64 // unix ns of the latest answer to any student
	keyPrefix                                   string       // random per run, for Idempotency-Keys
	keys                                        atomic.Int64
	errMu                                       sync.Mutex
	errs                                        map[string]int
}

func newCrowd(e *Env, rec *Recorder, seed uint64) *crowd {
	var nonce [8]byte
	_, _ = crand.Read(nonce[:])
	return &crowd{
		e: e, rec: rec, commits: &Commits{}, seed: seed, errs: map[string]int{},
		keyPrefix: hex.EncodeToString(nonce[:]) + "-",
		join:      rec.Endpoint("join"),
		ws:        rec.Endpoint("ws_connect"),
		frameGap:  rec.Endpoint("ws_frame_gap"),
		status:    rec.Endpoint("status"),
		wait:      rec.Endpoint("join_to_admitted"),
		enroll:    rec.Endpoint("enroll"),
		leave:     rec.Endpoint("leave"),
	}
}

// rng returns student i's random source: the same choices in every run.
func (c *crowd) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(c.seed, uint64(i)))
}

// answered notes an answer for the end-to-end time.
func (c *crowd) answered() {
	now := time.Now().UnixNano()
	for {
		l := c.lastAnswer.Load()
		if now <= l || c.lastAnswer.CompareAndSwap(l, now) {
			return
		}
	}
}

// fail counts a student who could not finish, by reason.
func (c *crowd) fail(err error) {
	c.failed.Add(1)
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	c.errMu.Lock()
	c.errs[msg]++
	c.errMu.Unlock()
}

// failures returns the reasons students could not finish.
func (c *crowd) failures() map[string]int {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	out := make(map[string]int, len(c.errs))
	for k, v := range c.errs {
		out[k] = v
	}
	return out
}

// call sends one request, waiting out 429s as a browser following
// Retry-After does (at most a few times).
func (c *crowd) call(client *Client, ep *Endpoint, who int, method, path, token string, body []byte, hdr ...string) Resp {
	for try := 0; ; try++ {
		r := client.Call(ep, who, method, path, token, body, hdr...)
		if r.Status != 429 || try >= 5 {
			c.answered()
			return r
		}
		time.Sleep(max(r.RetryAfter, 100*time.Millisecond) + time.Duration(rand.IntN(200))*time.Millisecond)
	}
}

// joinQueue joins the room, retrying NOT_OPEN for a student a moment early.
func (c *crowd) joinQueue(ctx context.Context, i int, s Session) (Ticket, error) {
	var t Ticket
	for ctx.Err() == nil {
		r := c.call(c.e.Gate, c.join, i, "POST", "/queue/v1/join", s.Token, nil)
		if r.Status == 425 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err := decode(r, 200, &t); err != nil {
			return t, fmt.Errorf("join: %w", err)
		}
		c.joined.Add(1)
		return t, nil
	}
	return t, ctx.Err()
}

// awaitAdmission waits until the ticket is admitted and returns the
// admission token: on the queue WebSocket (reconnecting with the same
// ticket when it drops), or by polling the status with -poll.
func (c *crowd) awaitAdmission(ctx context.Context, i int, s Session, t Ticket) (string, error) {
	if t.State == "admitted" && t.AdmissionToken != "" {
		return t.AdmissionToken, nil
	}
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	if c.e.Cfg.Poll {
		return c.poll(ctx, i, s)
	}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		w, err := c.e.Sockets.Open(ctx, c.ws, i, t.Ticket)
		if err != nil {
			if attempt >= 5 {
				return "", fmt.Errorf("queue socket: %w", err)
			}
			time.Sleep(time.Duration(200*(attempt+1)) * time.Millisecond)
			continue
		}
		tok, err := c.readUntilAdmitted(ctx, w)
		w.Close()
		if tok != "" {
			return tok, nil
		}
		// The socket ended without an admission: ask once, as the page does.
		r := c.call(c.e.Gate, c.status, i, "GET", "/queue/v1/status", s.Token, nil)
		var st Ticket
		if decode(r, 200, &st) == nil && st.State == "admitted" && st.AdmissionToken != "" {
			return st.AdmissionToken, nil
		}
		if st.State == "expired" {
			return "", fmt.Errorf("ticket expired while waiting (%v)", err)
		}
		if attempt >= 5 {
			return "", fmt.Errorf("queue socket: %v", err)
		}
	}
	return "", ctx.Err()
}

// readUntilAdmitted reads frames until the admitted one, recording the
// gaps between frames.
func (c *crowd) readUntilAdmitted(ctx context.Context, w *Watch) (string, error) {
	stop := context.AfterFunc(ctx, w.Close)
	defer stop()
	var last time.Time
	for {
		f, err := w.Next(time.Now().Add(30 * time.Second))
		if err != nil {
			return "", err
		}
		now := time.Now()
		if !last.IsZero() {
			c.frameGap.Observe(now.Sub(last))
		}
		last = now
		if f.Type == "admitted" && f.AdmissionToken != "" {
			c.answered()
			return f.AdmissionToken, nil
		}
	}
}

// poll asks for the status every PollInterval (±20%) until admitted.
func (c *crowd) poll(ctx context.Context, i int, s Session) (string, error) {
	rng := c.rng(i)
	for ctx.Err() == nil {
		d := c.e.Cfg.PollInterval
		time.Sleep(d*8/10 + time.Duration(rng.Int64N(int64(d*4/10)+1)))
		r := c.call(c.e.Gate, c.status, i, "GET", "/queue/v1/status", s.Token, nil)
		var st Ticket
		if err := decode(r, 200, &st); err != nil {
			if r.Err == nil && r.Status >= 500 {
				continue
			}
			return "", fmt.Errorf("status: %w", err)
		}
		switch st.State {
		case "admitted":
			return st.AdmissionToken, nil
		case "expired":
			return "", errors.New("ticket expired while waiting")
		}
	}
	return "", ctx.Err()
}

// enrollIn makes one enrollment attempt as the enrollment page does: one
// Idempotency-Key per click, reused only to retry that click after a
// network failure. It reports whether the admission is still good.
func (c *crowd) enrollIn(i int, s Session, admission string, course int64) bool {
	// Keys must never repeat across runs: the core answers a repeated key
	// with the first answer for at least ten minutes, writing nothing.
	key := c.keyPrefix + strconv.FormatInt(c.keys.Add(1), 36)
	body := enrollBody(course)
	for try := 0; try < 2; try++ {
		r := c.call(c.e.Gate, c.enroll, i, "POST", "/api/v1/enrollments", admission, body, "Idempotency-Key", key)
		switch {
		case r.Status == 201:
			c.commits.Add(s.ID, course)
			return true
		case r.Status == 0:
			if try == 1 {
				c.commits.AddUnknown()
			}
			continue
		case r.Status == 401:
			return false // the admission ended
		}
		return true
	}
	return true
}

// leaveRoom ends the admission (or the waiting place) at once.
func (c *crowd) leaveRoom(i int, token string) {
	c.call(c.e.Gate, c.leave, i, "POST", "/queue/v1/leave", token, nil)
}

// think sleeps an exponential think time of the given mean, capped at five
// means.
func think(rng *rand.Rand, mean time.Duration) {
	if mean <= 0 {
		return
	}
	d := time.Duration(rng.ExpFloat64() * float64(mean))
	time.Sleep(min(d, 5*mean))
}
