package http

import (
	"bytes"
	"net"

	"github.com/valyala/fasthttp"

	"classmate/gate"
	"classmate/internal/contract"
)

// MaxBody is the largest request body the contract accepts.
const MaxBody = contract.MaxBody

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

// decodeObject decodes a JSON object body into v; anything else is
// BAD_REQUEST (see contract.DecodeObject).
func decodeObject(body []byte, v any) error {
	if problem, ok := contract.DecodeObject(body, v); !ok {
		return gate.Errorf(gate.CodeBadRequest, "%s", problem)
	}
	return nil
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
