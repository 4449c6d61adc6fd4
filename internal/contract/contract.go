// Package contract holds the HTTP conventions of the API contract
// (../shared/docs/API.md) that the gate and the core follow identically:
// request ids, the body limit, the JSON content type and the decoding of a
// JSON object body. Each service keeps its own error type; the functions
// here report problems as plain messages for it to wrap.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/valyala/fasthttp"
)

// MaxBody is the largest request body the contract accepts.
const MaxBody = 64 << 10

// ValidRequestID reports whether id may be echoed as X-Request-Id: 1–128
// characters of [A-Za-z0-9._-].
func ValidRequestID(id []byte) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

var requestSeq atomic.Uint64

// SetRequestID echoes the client's X-Request-Id when valid, else sets a new
// one: prefix (random per process) and a counter. Safe for concurrent use.
func SetRequestID(ctx *fasthttp.RequestCtx, prefix string) {
	if id := ctx.Request.Header.Peek("X-Request-Id"); ValidRequestID(id) {
		ctx.Response.Header.SetBytesV("X-Request-Id", id)
		return
	}
	var buf [64]byte
	b := append(buf[:0], prefix...)
	b = strconv.AppendUint(b, requestSeq.Add(1), 36)
	ctx.Response.Header.SetBytesV("X-Request-Id", b)
}

// IsJSON reports whether the request's content type is application/json,
// parameters allowed.
func IsJSON(ctx *fasthttp.RequestCtx) bool {
	ct := ctx.Request.Header.ContentType()
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytes.EqualFold(bytes.TrimSpace(ct), []byte("application/json"))
}

// DecodeObject decodes a JSON object body into v. Anything but one JSON
// object in UTF-8 (null, an array, trailing data, wrong field types,
// invalid UTF-8) returns a message saying what is wrong, without echoing
// the input; the caller answers it as BAD_REQUEST.
func DecodeObject(body []byte, v any) (problem string, ok bool) {
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(body) {
		return "body must be UTF-8", false
	}
	// Only JSON's own whitespace: bytes.TrimSpace would also drop Unicode
	// spaces such as U+00A0, which JSON does not allow.
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return "body must be a JSON object", false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return "invalid JSON body: " + te.Field + " has the wrong type", false
		}
		return "invalid JSON body: malformed", false
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return "trailing data after the JSON object", false
	}
	return "", true
}

// errorBody is the contract's error shape.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// WriteError answers with status and the contract's error shape. A 503 or
// 429 also carries Retry-After: retryAfter whole seconds, at least 1.
func WriteError(ctx *fasthttp.RequestCtx, status int, code, message string, retryAfter int) {
	if status == fasthttp.StatusServiceUnavailable || status == fasthttp.StatusTooManyRequests {
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(max(retryAfter, 1)))
	}
	var body errorBody
	body.Error.Code = code
	body.Error.Message = message
	WriteJSON(ctx, status, body)
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = fasthttp.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL","message":"encode"}}`)
	}
	WriteRaw(ctx, status, b)
}

// WriteRaw answers with status and b, a JSON body.
func WriteRaw(ctx *fasthttp.RequestCtx, status int, b []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}
