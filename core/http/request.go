package http

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"classmate/core"
)

// MaxBody is the largest request body the contract accepts.
const MaxBody = 64 << 10

// validRequestID reports whether id may be echoed as X-Request-Id: 1–128
// characters of [A-Za-z0-9._-].
func validRequestID(id []byte) bool {
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

// ValidIdempotencyKey reports whether k is 1–64 characters of [A-Za-z0-9._-].
func ValidIdempotencyKey(k []byte) bool {
	return len(k) <= 64 && validRequestID(k)
}

var requestSeq atomic.Uint64

// setRequestID echoes the client's request id when valid, else sets a new
// one: a per-process random prefix and a counter.
func (s *Server) setRequestID(ctx *fasthttp.RequestCtx) {
	if id := ctx.Request.Header.Peek("X-Request-Id"); validRequestID(id) {
		ctx.Response.Header.SetBytesV("X-Request-Id", id)
		return
	}
	var buf [64]byte
	b := append(buf[:0], s.idPrefix...)
	b = strconv.AppendUint(b, requestSeq.Add(1), 36)
	ctx.Response.Header.SetBytesV("X-Request-Id", b)
}

// isJSON reports whether the request's content type is application/json,
// parameters allowed.
func isJSON(ctx *fasthttp.RequestCtx) bool {
	ct := ctx.Request.Header.ContentType()
	if i := bytes.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return bytes.EqualFold(bytes.TrimSpace(ct), []byte("application/json"))
}

// decodeObject decodes a JSON object body into v. Anything but one JSON
// object in UTF-8 (null, an array, trailing data, wrong field types,
// invalid UTF-8) is BAD_REQUEST.
func decodeObject(body []byte, v any) error {
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(body) {
		return core.Errorf(core.CodeBadRequest, "body must be UTF-8")
	}
	// Only JSON's own whitespace: bytes.TrimSpace would also drop Unicode
	// spaces such as U+00A0, which JSON does not allow.
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return core.Errorf(core.CodeBadRequest, "body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return core.Errorf(core.CodeBadRequest, "invalid JSON body")
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return core.Errorf(core.CodeBadRequest, "trailing data after the JSON object")
	}
	return nil
}

// parseID parses a positive decimal id, digits only, from a path segment.
func parseID(seg string) (int64, error) {
	if len(seg) == 0 || len(seg) > 18 || seg[0] == '0' {
		return 0, core.Errorf(core.CodeBadRequest, "id must be a positive integer")
	}
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return 0, core.Errorf(core.CodeBadRequest, "id must be a positive integer")
		}
	}
	id, err := strconv.ParseInt(seg, 10, 64)
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.CodeBadRequest, "id must be a positive integer")
	}
	return id, nil
}
