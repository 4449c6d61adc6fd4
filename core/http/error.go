package http

import (
	"errors"

	"github.com/valyala/fasthttp"

	"classmate/core"
	"classmate/internal/contract"
)

// statuses is the one table from error codes to HTTP statuses.
var statuses = map[string]int{
	core.CodeBadRequest:          fasthttp.StatusBadRequest,
	core.CodeUnauthenticated:     fasthttp.StatusUnauthorized,
	core.CodeAdmissionRequired:   fasthttp.StatusUnauthorized,
	core.CodeForbidden:           fasthttp.StatusForbidden,
	core.CodeNotFound:            fasthttp.StatusNotFound,
	core.CodeNotEnrolled:         fasthttp.StatusNotFound,
	core.CodeMethodNotAllowed:    fasthttp.StatusMethodNotAllowed,
	core.CodeConflict:            fasthttp.StatusConflict,
	core.CodeSoldOut:             fasthttp.StatusConflict,
	core.CodeAlreadyEnrolled:     fasthttp.StatusConflict,
	core.CodePayloadTooLarge:     fasthttp.StatusRequestEntityTooLarge,
	core.CodeUnsupportedMedia:    fasthttp.StatusUnsupportedMediaType,
	core.CodeCreditLimitExceeded: fasthttp.StatusUnprocessableEntity,
	core.CodeTimeConflict:        fasthttp.StatusUnprocessableEntity,
	core.CodeNotOpen:             425,
	core.CodeRateLimited:         fasthttp.StatusTooManyRequests,
	core.CodeUnavailable:         fasthttp.StatusServiceUnavailable,
	core.CodeInternal:            fasthttp.StatusInternalServerError,
}

var (
	errMethodNotAllowed = &core.Error{Code: core.CodeMethodNotAllowed, Message: "허용되지 않는 메서드입니다 (method not allowed)"}
	errTooLarge         = &core.Error{Code: core.CodePayloadTooLarge, Message: "요청 본문이 64 KiB를 넘습니다 (body over 64 KiB)"}
	errMediaType        = &core.Error{Code: core.CodeUnsupportedMedia, Message: "본문은 application/json 이어야 합니다 (body must be application/json)"}
	errInternal         = &core.Error{Code: core.CodeInternal, Message: "내부 오류 (internal error)"}
)

// writeError answers with err's status and the contract's error shape. An
// error without a code is logged with its detail and answered as a generic
// internal error.
func (s *Server) writeError(ctx *fasthttp.RequestCtx, err error) {
	var e *core.Error
	if !errors.As(err, &e) {
		s.log().Error("internal error", "request_id", string(ctx.Response.Header.Peek("X-Request-Id")),
			"path", string(ctx.Path()), "err", err)
		e = errInternal
	}
	status, ok := statuses[e.Code]
	if !ok {
		status = fasthttp.StatusInternalServerError
	}
	contract.WriteError(ctx, status, e.Code, e.Message, 1)
}
