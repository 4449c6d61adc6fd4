package http

import (
	"errors"

	"github.com/valyala/fasthttp"

	"classmate/gate"
	"classmate/internal/contract"
)

// statuses is the one table from error codes to HTTP statuses.
var statuses = map[string]int{
	gate.CodeBadRequest:        fasthttp.StatusBadRequest,
	gate.CodeUnauthenticated:   fasthttp.StatusUnauthorized,
	gate.CodeAdmissionRequired: fasthttp.StatusUnauthorized,
	gate.CodeForbidden:         fasthttp.StatusForbidden,
	gate.CodeNotFound:          fasthttp.StatusNotFound,
	gate.CodeMethodNotAllowed:  fasthttp.StatusMethodNotAllowed,
	gate.CodePayloadTooLarge:   fasthttp.StatusRequestEntityTooLarge,
	gate.CodeUnsupportedMedia:  fasthttp.StatusUnsupportedMediaType,
	gate.CodeNotOpen:           425,
	gate.CodeRateLimited:       fasthttp.StatusTooManyRequests,
	gate.CodeUnavailable:       fasthttp.StatusServiceUnavailable,
	gate.CodeInternal:          fasthttp.StatusInternalServerError,
}

var (
	errMethodNotAllowed = &gate.Error{Code: gate.CodeMethodNotAllowed, Message: "허용되지 않는 메서드입니다 (method not allowed)"}
	errTooLarge         = &gate.Error{Code: gate.CodePayloadTooLarge, Message: "요청 본문이 64 KiB를 넘습니다 (body over 64 KiB)"}
	errMediaType        = &gate.Error{Code: gate.CodeUnsupportedMedia, Message: "본문은 application/json 이어야 합니다 (body must be application/json)"}
	errInternal         = &gate.Error{Code: gate.CodeInternal, Message: "내부 오류 (internal error)"}
	errUpstream         = &gate.Error{Code: gate.CodeUnavailable, Message: "수강신청 서버에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요 (the enrollment service is unavailable)"}
)

// rateLimited is a RATE_LIMITED error with its Retry-After, in seconds.
type rateLimited struct {
	err        *gate.Error
	retryAfter int
}

func (r *rateLimited) Error() string { return r.err.Error() }
func (r *rateLimited) Unwrap() error { return r.err }

// writeError answers with err's status and the contract's error shape. An
// error without a code is logged with its detail and answered as a generic
// internal error. 429 and 503 carry Retry-After.
func (s *Server) writeError(ctx *fasthttp.RequestCtx, err error) {
	retry := 1
	var rl *rateLimited
	if errors.As(err, &rl) {
		retry, err = rl.retryAfter, rl.err
	}
	var e *gate.Error
	if !errors.As(err, &e) {
		s.log().Error("internal error", "request_id", string(ctx.Response.Header.Peek("X-Request-Id")),
			"path", string(ctx.Path()), "err", err)
		e = errInternal
	}
	status, ok := statuses[e.Code]
	if !ok {
		status = fasthttp.StatusInternalServerError
	}
	contract.WriteError(ctx, status, e.Code, e.Message, retry)
}
