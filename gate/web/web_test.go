package web

import (
	"encoding/json"
	"io/fs"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// serve starts Handler on an in-memory listener and returns a client for it.
func serve(t *testing.T) *fasthttp.Client {
	t.Helper()
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: Handler(), ReadTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with the listener
	t.Cleanup(func() { srv.Shutdown() })
	return &fasthttp.Client{Dial: func(string) (net.Conn, error) { return ln.Dial() }}
}

type answer struct {
	status int
	header map[string]string
	body   string
}

func get(t *testing.T, c *fasthttp.Client, method, path string) answer {
	t.Helper()
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://gate" + path)
	req.Header.SetMethod(method)
	if method == fasthttp.MethodHead {
		resp.SkipBody = true
	}
	require.NoError(t, c.Do(req, resp))
	a := answer{status: resp.StatusCode(), header: map[string]string{}, body: string(resp.Body())}
	for _, k := range []string{"Content-Type", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options", "Allow", "Content-Length"} {
		a.header[k] = string(resp.Header.Peek(k))
	}
	return a
}

// assetNames lists the embedded files under assets/, relative to it.
func assetNames(t *testing.T) []string {
	t.Helper()
	var names []string
	require.NoError(t, fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, "assets/"))
		}
		return err
	}))
	sort.Strings(names)
	return names
}

func readAsset(t *testing.T, name string) string {
	t.Helper()
	b, err := assets.ReadFile("assets/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestPages(t *testing.T) {
	t.Parallel()
	c := serve(t)
	for _, tc := range []struct{ path, title string }{
		{"/", "대기실"},
		{"/enroll", "수강신청"},
	} {
		t.Run(strings.Trim(tc.path, "/")+"Page", func(t *testing.T) {
			a := get(t, c, "GET", tc.path)
			require.Equal(t, 200, a.status)
			assert.Equal(t, "text/html; charset=utf-8", a.header["Content-Type"])
			assert.Equal(t, "no-cache", a.header["Cache-Control"])
			assert.Equal(t, "nosniff", a.header["X-Content-Type-Options"])
			assert.Equal(t, ContentSecurityPolicy, a.header["Content-Security-Policy"])
			assert.Contains(t, a.body, "<title>")
			assert.Contains(t, a.body, tc.title)
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	csp := ContentSecurityPolicy
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self' ws: wss:", "frame-ancestors 'none'"} {
		assert.Contains(t, csp, want)
	}
	assert.NotContains(t, csp, "unsafe-inline")
	assert.NotContains(t, csp, "unsafe-eval")

	c := serve(t)
	for _, path := range []string{"/", "/static/app.css", "/nope"} {
		a := get(t, c, "GET", path)
		assert.Equal(t, csp, a.header["Content-Security-Policy"], path)
		assert.Equal(t, "nosniff", a.header["X-Content-Type-Options"], path)
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	c := serve(t)
	types := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".svg": "image/svg+xml",
	}
	n := 0
	for _, name := range assetNames(t) {
		rest, ok := strings.CutPrefix(name, "static/")
		if !ok {
			continue
		}
		n++
		t.Run(rest, func(t *testing.T) {
			a := get(t, c, "GET", "/static/"+rest)
			require.Equal(t, 200, a.status)
			ext := rest[strings.LastIndex(rest, "."):]
			require.Contains(t, types, ext, "a content type for %s", ext)
			assert.Equal(t, types[ext], a.header["Content-Type"])
			assert.Equal(t, "public, max-age=300", a.header["Cache-Control"])
			want := readAsset(t, name)
			if ext == ".js" {
				want = jsImport.ReplaceAllString(want, "${1}?v="+Version()+"'")
			}
			assert.Equal(t, want, a.body)
		})
	}
	assert.GreaterOrEqual(t, n, 7, "static files embedded")
}

func TestHead(t *testing.T) {
	t.Parallel()
	c := serve(t)
	a := get(t, c, "HEAD", "/")
	assert.Equal(t, 200, a.status)
	assert.Empty(t, a.body)
	assert.Equal(t, "text/html; charset=utf-8", a.header["Content-Type"])
}

func TestErrors(t *testing.T) {
	t.Parallel()
	c := serve(t)
	for _, tc := range []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"UnknownPage", "GET", "/nope", 404, "NOT_FOUND"},
		{"UnknownAsset", "GET", "/static/nope.js", 404, "NOT_FOUND"},
		{"StaticDir", "GET", "/static/", 404, "NOT_FOUND"},
		{"DotDot", "GET", "/static/../web.go", 404, "NOT_FOUND"},
		{"EncodedDotDot", "GET", "/static/%2e%2e/web.go", 404, "NOT_FOUND"},
		{"PageUnderStatic", "GET", "/static/index.html", 404, "NOT_FOUND"},
		{"Favicon", "GET", "/favicon.ico", 404, "NOT_FOUND"},
		{"PostPage", "POST", "/", 405, "METHOD_NOT_ALLOWED"},
		{"DeleteAsset", "DELETE", "/static/app.css", 405, "METHOD_NOT_ALLOWED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, c, tc.method, tc.path)
			require.Equal(t, tc.status, a.status, a.body)
			assert.Equal(t, "application/json", a.header["Content-Type"])
			var body struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(a.body), &body), a.body)
			assert.Equal(t, tc.code, body.Error.Code)
			assert.NotEmpty(t, body.Error.Message)
			if tc.status == 405 {
				assert.Equal(t, "GET, HEAD", a.header["Allow"])
			}
		})
	}
}

var (
	// Local references in the served pages: src="/…" and href="/…".
	servedRef = regexp.MustCompile(`(?:src|href)="(/[^"]*)"`)
	// Module imports in the served modules: from './x.js?v=…'.
	servedImport = regexp.MustCompile(`(?:from|import)\s+'\./([^']+)'`)
)

// TestReferencesExist follows every page's and module's local references,
// as served: each must carry the version and be served for a year.
func TestReferencesExist(t *testing.T) {
	t.Parallel()
	c := serve(t)
	version := Version()
	require.Regexp(t, `^[0-9a-f]{12}$`, version)
	seen := map[string]bool{}
	for _, page := range []string{"/", "/enroll"} {
		refs := servedRef.FindAllStringSubmatch(get(t, c, "GET", page).body, -1)
		require.NotEmpty(t, refs, page)
		for _, m := range refs {
			seen[m[1]] = true
		}
	}
	for _, name := range assetNames(t) {
		if strings.HasSuffix(name, ".js") {
			for _, m := range servedImport.FindAllStringSubmatch(get(t, c, "GET", "/"+name).body, -1) {
				seen["/static/"+m[1]] = true
			}
		}
	}
	for _, want := range []string{"/static/app.css", "/static/queue.js", "/static/enroll.js", "/static/api.js", "/static/i18n.js"} {
		assert.True(t, seen[want+"?v="+version], "%s is referenced with the version", want)
	}
	for ref := range seen {
		a := get(t, c, "GET", ref)
		assert.Equal(t, 200, a.status, "%s is referenced but answers %d", ref, a.status)
		if strings.HasPrefix(ref, "/static/") {
			assert.True(t, strings.HasSuffix(ref, "?v="+version), "%s lacks the version", ref)
			assert.Equal(t, "public, max-age=31536000, immutable", a.header["Cache-Control"], ref)
		}
	}
	// Without the current version an asset is kept briefly only.
	assert.Equal(t, "public, max-age=300", get(t, c, "GET", "/static/app.css?v=000000000000").header["Cache-Control"])
}

// TestSelfContained checks what the policy and the offline requirement
// demand of the files: no inline script or style, nothing from elsewhere.
func TestSelfContained(t *testing.T) {
	t.Parallel()
	inlineScript := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	external := regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`)
	for _, name := range assetNames(t) {
		s := readAsset(t, name)
		if strings.HasSuffix(name, ".html") {
			assert.NotRegexp(t, inlineScript, s, "%s: inline script", name)
			assert.NotContains(t, s, "<style", "%s: inline style element", name)
			assert.NotRegexp(t, `\sstyle="`, s, "%s: style attribute", name)
			assert.NotRegexp(t, `\son[a-z]+="`, s, "%s: inline event handler", name)
		}
		// The SVG namespace is a name, not a fetch.
		s = strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, "")
		assert.NotRegexp(t, external, s, "%s: reference to another origin", name)
		assert.NotContains(t, s, "@import", name)
	}
}

var i18nKey = regexp.MustCompile(`'([A-Za-z0-9_.]+)':`)

// dictionary returns the keys of one language's table in i18n.js.
func dictionary(t *testing.T, src, lang string) map[string]bool {
	t.Helper()
	start := strings.Index(src, "const "+lang+" = {")
	require.GreaterOrEqual(t, start, 0, "table %s", lang)
	end := strings.Index(src[start:], "\n};")
	require.Greater(t, end, 0)
	keys := map[string]bool{}
	for _, m := range i18nKey.FindAllStringSubmatch(src[start:start+end], -1) {
		keys[m[1]] = true
	}
	return keys
}

// TestTexts checks that Korean and English have the same keys, that every
// key a page names exists, and that every error code of the contract has
// its own message.
func TestTexts(t *testing.T) {
	t.Parallel()
	src := readAsset(t, "static/i18n.js")
	ko, en := dictionary(t, src, "ko"), dictionary(t, src, "en")
	require.Greater(t, len(ko), 100)
	for k := range ko {
		assert.True(t, en[k], "English lacks %q", k)
	}
	for k := range en {
		assert.True(t, ko[k], "Korean lacks %q", k)
	}

	attr := regexp.MustCompile(`data-i18n(?:-placeholder|-label|-title)?="([^"]+)"`)
	for _, page := range []string{"index.html", "enroll.html"} {
		for _, m := range attr.FindAllStringSubmatch(readAsset(t, page), -1) {
			assert.True(t, ko[m[1]], "%s names the unknown text %q", page, m[1])
		}
	}
	call := regexp.MustCompile(`\bt\('([A-Za-z0-9_.]+)'\s*[,)]`)
	for _, name := range assetNames(t) {
		if strings.HasSuffix(name, ".js") {
			for _, m := range call.FindAllStringSubmatch(readAsset(t, name), -1) {
				assert.True(t, ko[m[1]], "%s uses the unknown text %q", name, m[1])
			}
		}
	}

	// Every code of API.md's error table, and the page's own NETWORK.
	for _, code := range []string{
		"BAD_REQUEST", "UNAUTHENTICATED", "ADMISSION_REQUIRED", "FORBIDDEN", "NOT_FOUND", "NOT_ENROLLED",
		"METHOD_NOT_ALLOWED", "CONFLICT", "SOLD_OUT", "ALREADY_ENROLLED", "PAYLOAD_TOO_LARGE",
		"UNSUPPORTED_MEDIA_TYPE", "CREDIT_LIMIT_EXCEEDED", "TIME_CONFLICT", "NOT_OPEN", "RATE_LIMITED",
		"UNAVAILABLE", "INTERNAL", "NETWORK",
	} {
		assert.True(t, ko["err."+code], "no message for %s", code)
	}
}
