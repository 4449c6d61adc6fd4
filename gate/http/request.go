package http

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"sync/atomic"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"classmate/gate"
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

// validTicket reports whether t looks like a ticket (1–64 characters of
// base64url), so garbage never reaches Redis.
func validTicket(t []byte) bool {
	if len(t) == 0 || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
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
	if !utf8.Valid(body) {
		return gate.Errorf(gate.CodeBadRequest, "body must be UTF-8")
	}
	trimmed := bytes.Trim(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return gate.Errorf(gate.CodeBadRequest, "body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(v); err != nil {
		return gate.Errorf(gate.CodeBadRequest, "invalid JSON body: %s", jsonProblem(err))
	}
	if dec.InputOffset() != int64(len(trimmed)) {
		return gate.Errorf(gate.CodeBadRequest, "trailing data after the JSON object")
	}
	return nil
}

// jsonProblem names the field of a type error, without echoing input.
func jsonProblem(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
		return te.Field + " has the wrong type"
	}
	return "malformed"
}

// clientIP returns the client's address: the peer's, or with
// TrustForwarded the last X-Forwarded-For entry (the one the load balancer
// in front appended).
func (s *Server) clientIP(ctx *fasthttp.RequestCtx) string {
	if s.TrustForwarded {
		if xff := ctx.Request.Header.Peek("X-Forwarded-For"); len(xff) > 0 {
			last := xff
			if i := bytes.LastIndexByte(xff, ','); i >= 0 {
				last = xff[i+1:]
			}
			if ip := net.ParseIP(string(bytes.TrimSpace(last))); ip != nil {
				return ip.String()
			}
		}
	}
	return ctx.RemoteIP().String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
