// Package web serves the pages of the gate: the waiting page at "/", the
// enrollment page at "/enroll", and their stylesheets, scripts and icons at
// "/static/<file>". Everything is embedded in the binary at build time; there
// is no build step and nothing is fetched from elsewhere at run time, so the
// pages work offline against a local stack.
//
// The gate's router sends every path it does not own itself (the queue, the
// API proxy, the admin routes and the health endpoints) to Handler, which
// answers unknown paths with the API's 404 error shape.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"
)

//go:embed assets
var assets embed.FS

// ContentSecurityPolicy is the policy every answer of Handler carries: only
// the gate's own origin may provide scripts, styles, images and fonts, and
// the pages may connect only to it (over HTTP and WebSocket). No inline
// script or style is allowed; the pages need none.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self' ws: wss:; manifest-src 'self'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// Cache lifetimes of static assets. The pages refer to every asset as
// /static/<file>?v=<version>, where the version is a hash of all embedded
// files, so a release changes every reference and a browser never mixes old
// and new files: a versioned request may be kept for a year. A request
// without the current version (an old page, a hand-typed URL) gets a short
// life.
const (
	assetMaxAge     = "public, max-age=300"
	versionedMaxAge = "public, max-age=31536000, immutable"
)

var (
	// htmlRef matches a page's reference to a static asset.
	htmlRef = regexp.MustCompile(`((?:src|href)="/static/[^"?#]+)"`)
	// jsImport matches a module's import of a sibling module.
	jsImport = regexp.MustCompile(`((?:from|import)\s+'\./[^'?#]+)'`)
)

// pages maps the page paths to their files under assets/.
var pages = map[string]string{
	"/":           "index.html",
	"/index.html": "index.html",
	"/enroll":     "enroll.html",
	"/enroll/":    "enroll.html",
}

// file is one embedded file with its precomputed headers.
type file struct {
	body        []byte
	contentType string
	cache       string
}

// Version returns the version the pages append to their asset references:
// the first 12 hex digits of a SHA-256 over every embedded file.
func Version() string {
	version, _ := loaded()
	return version
}

// Handler returns the handler of the pages and their assets. It answers GET
// and HEAD; other methods on a known path get 405 METHOD_NOT_ALLOWED and
// unknown paths 404 NOT_FOUND, both in the API's error shape. The returned
// handler is safe for concurrent use.
func Handler() fasthttp.RequestHandler {
	version, files := loaded()
	return func(ctx *fasthttp.RequestCtx) {
		h := &ctx.Response.Header
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")

		f, ok := lookup(files, string(ctx.Path()))
		if !ok {
			writeError(ctx, fasthttp.StatusNotFound, "NOT_FOUND", "페이지를 찾을 수 없습니다 (page not found)")
			return
		}
		if !ctx.IsGet() && !ctx.IsHead() {
			h.Set("Allow", "GET, HEAD")
			writeError(ctx, fasthttp.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "허용되지 않는 메서드입니다 (method not allowed)")
			return
		}
		if f.cache == assetMaxAge && string(ctx.QueryArgs().Peek("v")) == version {
			h.Set("Cache-Control", versionedMaxAge)
		} else {
			h.Set("Cache-Control", f.cache)
		}
		ctx.SetContentType(f.contentType)
		ctx.SetStatusCode(fasthttp.StatusOK)
		// fasthttp drops the body of a HEAD answer but keeps its length. The
		// body is shared by every answer and never written to.
		ctx.Response.SetBodyRaw(f.body)
	}
}

// lookup finds the file served at p.
func lookup(files map[string]file, p string) (file, bool) {
	if name, ok := pages[p]; ok {
		f, ok := files[name]
		return f, ok
	}
	rest, ok := strings.CutPrefix(p, "/static/")
	if !ok || rest == "" || strings.Contains(rest, "..") || strings.HasPrefix(rest, "/") {
		return file{}, false
	}
	f, ok := files["static/"+rest]
	return f, ok
}

// loaded returns load's result, computed once.
var loaded = sync.OnceValues(load)

// load reads every embedded file once, so that serving never touches
// fs.FS, and stamps the asset references of pages and modules with the
// version.
func load() (string, map[string]file) {
	root, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	files := map[string]file{}
	sum := sha256.New()
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		// WalkDir goes in lexical order, so the sum is stable.
		sum.Write([]byte(name))
		sum.Write(body)
		f := file{body: body, contentType: contentType(name), cache: assetMaxAge}
		if path.Ext(name) == ".html" {
			// Pages are revalidated on every load so a release shows at once.
			f.cache = "no-cache"
		}
		files[name] = f
		return nil
	})
	if err != nil {
		panic(err) // embedded files cannot fail to read
	}
	version := hex.EncodeToString(sum.Sum(nil))[:12]
	for name, f := range files {
		switch path.Ext(name) {
		case ".html":
			f.body = htmlRef.ReplaceAll(f.body, []byte(`$1?v=`+version+`"`))
		case ".js":
			f.body = jsImport.ReplaceAll(f.body, []byte(`$1?v=`+version+`'`))
		}
		files[name] = f
	}
	return version, files
}

// contentType returns the media type of name by its extension, with an
// explicit charset for text.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".webmanifest":
		return "application/json; charset=utf-8"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case ".woff2":
		return "font/woff2"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// writeError answers with the API's error shape.
func writeError(ctx *fasthttp.RequestCtx, status int, code, message string) {
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetContentType("application/json")
	ctx.SetStatusCode(status)
	// code and message are constants without characters JSON must escape.
	ctx.SetBodyString(`{"error":{"code":"` + code + `","message":"` + message + `"}}`)
}
