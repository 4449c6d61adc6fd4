package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	coreservice "classmate/core/service"
	gateservice "classmate/gate/service"
	"classmate/internal/dbtest"
)

// screenshotDir is where TestBrowser saves its screenshots (git-ignored).
const screenshotDir = "testdata/screenshots"

const adminToken = "dev-admin-token"

// TestBrowser drives the real pages in headless Chromium against a core and
// a gate started in-process on a fresh database and Redis prefix: a student
// logs in, joins behind three others, watches the position fall, is
// admitted, enrolls from the cart (and double-clicks another course, which
// must enroll once), is told SOLD_OUT for a course another student filled,
// sees the courses in the timetable, switches to English and back, and
// finishes (leave). No script error or policy violation may occur.
// Screenshots (desktop and 360 px) go to testdata/screenshots.
//
// Chromium is Debian's package (/usr/bin/chromium, or CLASSMATE_CHROMIUM).
// When it is missing the test skips, except under CI=true, where it installs
// it with apt-get (and fails if it cannot). Run it alone with
//
//	eval "$(scripts/stack.sh env)"; go test -run TestBrowser -v ./gate/web/
func TestBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	db := dbtest.MustOpenDB(t)
	_, prefix := dbtest.MustOpenRedis(t)

	// Students 1–3 wait ahead by API; 4 uses the desktop tab, 5 the phone tab.
	hash, err := bcrypt.GenerateFromPassword([]byte("classmate"), bcrypt.MinCost)
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		_, err := db.Exec("INSERT INTO students (student_no, name, department, max_credits, password_hash) VALUES (?, ?, '컴퓨터공학과', 18, ?)",
			studentNo(i), []string{"", "김하나", "이도윤", "박서준", "최지우", "정민서"}[i], string(hash))
		require.NoError(t, err)
	}

	redisAddr := os.Getenv(dbtest.EnvRedisAddr)
	if redisAddr == "" {
		redisAddr = dbtest.DefaultRedisAddr
	}
	env := map[string]string{
		"CLASSMATE_ENV":               "development",
		"CLASSMATE_MYSQL_DSN":         db.DSN,
		"CLASSMATE_MYSQL_REPLICA_DSN": "",
		"CLASSMATE_REDIS_ADDR":        redisAddr,
		"CLASSMATE_REDIS_PREFIX":      prefix,
		"CLASSMATE_CORE_ADDR":         "127.0.0.1:0",
		"CLASSMATE_GATE_ADDR":         "127.0.0.1:0",
		"CLASSMATE_LOG_LEVEL":         "warn",
		"CLASSMATE_INDEX_DIR":         t.TempDir(),
		// The students joined by API never poll: keep their places.
		"CLASSMATE_GATE_GRACE": "10m",
	}
	coreURL := "http://" + start(t, "core", coreservice.Run, env)
	env["CLASSMATE_CORE_URLS"] = coreURL
	gateURL := "http://" + start(t, "gate", gateservice.Run, env)
	t.Logf("core %s, gate %s", coreURL, gateURL)

	courses := []map[string]any{
		course(1, "CSE2010-01", "자료구조", "김민준", 40, 3, "MON 09:00-10:15", "WED 09:00-10:15"),
		course(2, "CSE3010-01", "운영체제", "이서연", 60, 3, "TUE 10:30-11:45", "THU 10:30-11:45"),
		course(3, "BUS1010-02", "경영학원론", "박지훈", 120, 3, "MON 13:00-14:15", "WED 13:00-14:15"),
		course(4, "GED1020-01", "글쓰기와 소통", "최유진", 30, 2, "FRI 09:00-10:50"),
		course(5, "CSE4090-01", "캡스톤디자인", "정하늘", 1, 3, "FRI 13:00-15:45"),
	}
	for _, c := range courses {
		call(t, "PUT", coreURL+fmt.Sprintf("/admin/v1/courses/%v", c["id"]), adminToken, c, 200)
	}

	// The room is open but paused: the queue holds still until the test
	// lets it move, at one admission a second.
	call(t, "PUT", gateURL+"/admin/v1/room", adminToken, map[string]any{
		"opens_at": time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "prequeue_seconds": 3600,
		"max_active": 100, "admit_per_second": 1, "mode": "fifo", "paused": true, "session_seconds": 600,
	}, 200)
	sessions := map[int]string{}
	for i := 1; i <= 3; i++ {
		sessions[i] = login(t, gateURL, i)
		tk := call(t, "POST", gateURL+"/queue/v1/join", sessions[i], nil, 200)
		require.EqualValues(t, i, tk["position"], "student %d's position", i)
	}
	// Student 4's cart, filled before the opening as students do.
	session4 := login(t, gateURL, 4)
	for _, id := range []int{1, 2, 3, 5} {
		call(t, "PUT", gateURL+fmt.Sprintf("/api/v1/cart/%d", id), session4, nil, 204)
	}

	b := newBrowser(t, chromium)

	// Desktop: log in and join; fourth in line.
	desk := b.tab(t, 1280, 900)
	do(t, desk,
		chromedp.Navigate(gateURL+"/"),
		chromedp.WaitVisible(chromedp.ID("student-no")),
		chromedp.SendKeys(chromedp.ID("student-no"), studentNo(4)),
		chromedp.SendKeys(chromedp.ID("password"), "classmate"),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	require.Equal(t, 4, waitPosition(t, desk, func(p int) bool { return p == 4 }), "the live region announces place 4")
	waitText(t, desk, "#conn-text", "실시간 연결됨")
	b.screenshot(t, desk, "waiting.png")

	// Phone: student 5 joins behind, at 360 px.
	phone := b.tab(t, 360, 780)
	do(t, phone,
		chromedp.Navigate(gateURL+"/"),
		chromedp.WaitVisible(chromedp.ID("student-no")),
		chromedp.SendKeys(chromedp.ID("student-no"), studentNo(5)),
		chromedp.SendKeys(chromedp.ID("password"), "classmate"),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	require.Equal(t, 5, waitPosition(t, phone, func(p int) bool { return p == 5 }))
	b.screenshot(t, phone, "waiting-phone.png")

	// Open the gate: one admission a second. The desktop tab must show a
	// smaller place before it is admitted and sent to /enroll.
	call(t, "PUT", gateURL+"/admin/v1/room", adminToken, map[string]any{"paused": false}, 200)
	seen := watchUntilEnroll(t, desk, 40*time.Second)
	t.Logf("places announced on the way: %v", seen)
	require.NotEmpty(t, seen)
	assert.Equal(t, 4, seen[0])
	assert.Less(t, seen[len(seen)-1], 4, "the position fell before admission")

	// The enrollment page: enroll from the cart with one click.
	do(t, desk, chromedp.WaitVisible(chromedp.CSS(`#cart button[data-act="enroll"][data-id="1"]`)))
	waitText(t, desk, "#timer-value", ":")
	do(t, desk, chromedp.Click(chromedp.CSS(`#cart button[data-act="enroll"][data-id="1"]`)))
	waitText(t, desk, "#enrolled", "자료구조")
	waitText(t, desk, "#timetable", "자료구조")

	// A double click enrolls once and shows no error.
	do(t, desk, chromedp.DoubleClick(chromedp.CSS(`#cart button[data-act="enroll"][data-id="2"]`)))
	waitText(t, desk, "#enrolled", "운영체제")
	waitText(t, desk, "#credits-text", "6 / 18")
	errs, err := chromedp.Run(desk, chromedp.Evaluate[int](`document.querySelectorAll('.toast-error').length`))
	require.NoError(t, err)
	assert.Zero(t, errs, "no error toast after a double click")

	// Student 1, admitted first, takes the only seat of course 5; the page
	// then explains SOLD_OUT and marks the course full.
	st1 := call(t, "GET", gateURL+"/queue/v1/status", sessions[1], nil, 200)
	require.Equal(t, "admitted", st1["state"])
	admission1, _ := st1["admission_token"].(string)
	call(t, "POST", gateURL+"/api/v1/enrollments", admission1, map[string]int{"course_id": 5}, 201)
	do(t, desk, chromedp.Click(chromedp.CSS(`#cart button[data-act="enroll"][data-id="5"]`)))
	waitText(t, desk, "#toasts", "캡스톤디자인: 정원이 마감되어 잔여석이 없습니다.")
	waitText(t, desk, `#cart li[data-id="5"] .seats`, "마감")
	dismissToasts(t, desk)
	b.screenshot(t, desk, "enroll.png")

	// The server agrees: exactly the two courses.
	got := call(t, "GET", gateURL+"/api/v1/enrollments", session4, nil, 200)
	assert.EqualValues(t, 6, got["total_credits"])
	items, _ := got["items"].([]any)
	assert.Len(t, items, 2)

	// English, remembered; then back to Korean.
	do(t, desk, chromedp.Click(chromedp.ID("lang-toggle")))
	waitText(t, desk, "#tt-title", "My timetable")
	waitText(t, desk, "#credits-text", "6 / 18 credits")
	do(t, desk, chromedp.Click(chromedp.ID("lang-toggle")))
	waitText(t, desk, "#tt-title", "내 시간표")

	// The same page at a phone's width.
	do(t, desk, chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile), chromedp.Sleep(300*time.Millisecond))
	b.screenshot(t, desk, "enroll-phone.png")

	// Finishing gives the admission back and returns to the waiting page.
	do(t, desk, chromedp.Click(chromedp.ID("leave")), chromedp.WaitVisible(chromedp.ID("confirm-ok")), chromedp.Click(chromedp.ID("confirm-ok")))
	waitText(t, desk, "#expired-title", "수강신청을 마쳤습니다")
	b.screenshot(t, desk, "left-phone.png")
	st := call(t, "GET", gateURL+"/queue/v1/status", session4, nil, 200)
	assert.Equal(t, "expired", st["state"], "the ticket ended with the leave")

	b.checkConsole(t)
}

// dismissToasts closes the page's notifications, as a reader would, so they
// do not cover the screenshot.
func dismissToasts(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.toast-close').forEach((b) => b.click())`))
}

// ---- the services ----

type runFunc func(ctx context.Context, getenv func(string) string, stdout io.Writer, ready func(addr string)) error

// start runs a service until the test ends and returns its address. Its log
// is shown when the test fails.
func start(t *testing.T, name string, run runFunc, env map[string]string) string {
	t.Helper()
	vars := map[string]string{}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, func(k string) string { return vars[k] }, log, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Logf("%s: %v", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("%s did not stop within 20 s", name)
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", name, log.String())
		}
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		t.Fatalf("%s stopped: %v\n%s", name, err, log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start within 60 s\n%s", name, log.String())
	}
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func studentNo(i int) string { return fmt.Sprintf("2026%06d", i) }

func course(id int, code, title, professor string, capacity, credits int, slots ...string) map[string]any {
	var schedule []map[string]string
	for _, s := range slots {
		schedule = append(schedule, map[string]string{"day": s[:3], "start": s[4:9], "end": s[10:15]})
	}
	return map[string]any{"id": id, "code": code, "title": title, "professor": professor, "department": "컴퓨터공학과",
		"credits": credits, "capacity": capacity, "schedule": schedule, "room": "공학관 30" + strconv.Itoa(id)}
}

// call sends a JSON request with a bearer token and requires the status; it
// returns the decoded object body, if any.
func call(t *testing.T, method, url, token string, body any, status int) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, status, resp.StatusCode, "%s %s: %s", method, url, out)
	var m map[string]any
	if len(bytes.TrimSpace(out)) > 0 {
		require.NoError(t, json.Unmarshal(out, &m), string(out))
	}
	return m
}

func login(t *testing.T, gateURL string, i int) string {
	t.Helper()
	r := call(t, "POST", gateURL+"/api/v1/auth/login", "", map[string]string{"student_no": studentNo(i), "password": "classmate"}, 200)
	tok, _ := r["session_token"].(string)
	require.NotEmpty(t, tok)
	return tok
}

// ---- the browser ----

// chromiumPath finds Chromium; see TestBrowser for what happens without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	find := func() string {
		for _, name := range []string{os.Getenv("CLASSMATE_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
			if name == "" {
				continue
			}
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	if os.Getenv("CI") != "true" {
		t.Skip("chromium is not installed (apt-get install -y chromium fonts-noto-cjk); CI=true installs it")
	}
	t.Log("installing chromium with apt-get")
	install(t, "chromium", "fonts-noto-cjk")
	if find() == "" {
		// The fonts only make the screenshots legible; the browser is what counts.
		install(t, "chromium")
	}
	p := find()
	if p == "" {
		t.Fatal("chromium is still missing after apt-get install")
	}
	return p
}

func install(t *testing.T, pkgs ...string) {
	t.Helper()
	var sudo []string
	if os.Geteuid() != 0 {
		sudo = []string{"sudo"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"apt-get", "update", "-q"}, append([]string{"apt-get", "install", "-y", "-q"}, pkgs...)} {
		args = append(append(append([]string{}, sudo...), "env", "DEBIAN_FRONTEND=noninteractive"), args...)
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Logf("%s: %v\n%s", strings.Join(args, " "), err, tail(out, 2000))
			return
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

type browser struct {
	ctx      context.Context // the first tab; the browser lives as long as it
	mu       sync.Mutex
	problems []string // exceptions and CSP violations seen in any tab
	lines    []string // the browser's log
	first    bool
}

func newBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "ko-KR"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not carry a timeout.
	require.NoError(t, chromedp.Do(ctx), "start chromium")
	return &browser{ctx: ctx, first: true}
}

// tab opens a tab (the first call reuses the first one) with a viewport of
// w×h CSS pixels, and records its exceptions and console errors.
func (b *browser) tab(t *testing.T, w, h int64) context.Context {
	t.Helper()
	ctx := b.ctx
	if !b.first {
		var cancel context.CancelFunc
		ctx, cancel = chromedp.NewContext(b.ctx)
		t.Cleanup(cancel)
		require.NoError(t, chromedp.Do(ctx))
	}
	b.first = false
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(ctx, cdplog.EntryAdded)
	_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			b.problem(fmt.Sprintf("exception: %s %s", ev.ExceptionDetails.Text, describe(ev.ExceptionDetails.Exception)))
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			e := ev.Entry
			b.log(fmt.Sprintf("%s %s: %s %s", e.Source, e.Level, e.Text, e.URL))
			// Failed requests are the API's business (and tested); the page's
			// own errors and every policy violation are not allowed.
			if strings.Contains(e.Text, "Content Security Policy") ||
				(e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork) {
				b.problem(fmt.Sprintf("%s: %s", e.Source, e.Text))
			}
		}
	}()
	do(t, ctx, chromedp.EmulateViewport(w, h))
	return ctx
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

// log keeps a line of the browser's log; the test shows them at its end
// (the event goroutines may outlive the test, so they must not call t.Log).
func (b *browser) log(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, s)
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

func (b *browser) checkConsole(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		t.Log("browser: " + l)
	}
	assert.Empty(t, b.problems, "script errors or CSP violations in the pages")
}

// screenshot saves a full-page PNG under testdata/screenshots and logs its path.
func (b *browser) screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(screenshotDir, 0o755))
	// Let transitions (the progress bar) settle.
	do(t, ctx, chromedp.Sleep(700*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path, err := filepath.Abs(filepath.Join(screenshotDir, name))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// do runs steps with a deadline, without ending the tab on timeout.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(tctx, steps...))
}

// waitText waits until the text of the element matching sel contains want.
// It reads the page again every 100 ms, so it survives navigations.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	expr := fmt.Sprintf(`document.querySelector(%q)?.textContent ?? '(none)'`, sel)
	deadline := time.Now().Add(30 * time.Second)
	text := ""
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
		cancel()
		if err == nil {
			if strings.Contains(v, want) {
				return
			}
			text = v
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never contained %q (it reads %q)", sel, want, text)
}

var livePosition = regexp.MustCompile(`대기 순번 ([0-9,]+)번`)

// position reads the place the live region announces, or 0.
func position(ctx context.Context) (int, string) {
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[location.pathname, document.getElementById('live')?.textContent || '']`))
	if err != nil || len(v) != 2 {
		return 0, ""
	}
	m := livePosition.FindStringSubmatch(v[1])
	if m == nil {
		return 0, v[0]
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n, v[0]
}

// waitPosition waits until the live region announces a place that ok
// accepts, and returns it.
func waitPosition(t *testing.T, ctx context.Context, ok func(int) bool) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := 0
	for time.Now().Before(deadline) {
		p, _ := position(ctx)
		if p > 0 && ok(p) {
			return p
		}
		last = p
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the live region never announced the expected place (last %d)", last)
	return 0
}

// watchUntilEnroll records every place the live region announces until the
// tab is on /enroll, and returns them in order without repeats.
func watchUntilEnroll(t *testing.T, ctx context.Context, limit time.Duration) []int {
	t.Helper()
	var seen []int
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		p, path := position(ctx)
		if path == "/enroll" {
			return seen
		}
		if p > 0 && (len(seen) == 0 || seen[len(seen)-1] != p) {
			seen = append(seen, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not admitted to /enroll within %v (places seen: %v)", limit, seen)
	return nil
}
