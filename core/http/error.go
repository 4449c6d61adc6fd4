package http

import (
	"encoding/json"
	"errors"

	"github.com/valyala/fasthttp"

	"classmate/core"
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

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

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
	if status == fasthttp.StatusServiceUnavailable || status == fasthttp.StatusTooManyRequests {
		ctx.Response.Header.Set("Retry-After", "1")
	}
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	writeJSON(ctx, status, body)
}

// writeJSON answers with status and v as JSON.
func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = fasthttp.StatusInternalServerError, []byte(`{"error":{"code":"INTERNAL","message":"encode"}}`)
	}
	writeRaw(ctx, status, b)
}

func writeRaw(ctx *fasthttp.RequestCtx, status int, b []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(b)
}
