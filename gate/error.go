package gate

import (
	"errors"
	"fmt"
)

// Error codes, exactly as the HTTP contract names them. The gate uses only
// these; the core's other codes reach clients through the proxy unchanged.
const (
	CodeBadRequest        = "BAD_REQUEST"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeAdmissionRequired = "ADMISSION_REQUIRED"
	CodeForbidden         = "FORBIDDEN"
	CodeNotFound          = "NOT_FOUND"
	CodeMethodNotAllowed  = "METHOD_NOT_ALLOWED"
	CodePayloadTooLarge   = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia  = "UNSUPPORTED_MEDIA_TYPE"
	CodeNotOpen           = "NOT_OPEN"
	CodeRateLimited       = "RATE_LIMITED"
	CodeUnavailable       = "UNAVAILABLE"
	CodeInternal          = "INTERNAL"
)

// Error is a domain error with a stable code. Two Errors match under
// errors.Is when their codes are equal, so a sentinel matches an Error that
// carries a more specific message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinels for errors.Is checks.
var (
	ErrBadRequest        = &Error{CodeBadRequest, "잘못된 요청입니다 (bad request)"}
	ErrUnauthenticated   = &Error{CodeUnauthenticated, "로그인이 필요합니다 (authentication required)"}
	ErrAdmissionRequired = &Error{CodeAdmissionRequired, "대기열 입장이 필요합니다 (admission token required)"}
	ErrForbidden         = &Error{CodeForbidden, "권한이 없습니다 (forbidden)"}
	ErrNotFound          = &Error{CodeNotFound, "찾을 수 없습니다 (not found)"}
	ErrNotOpen           = &Error{CodeNotOpen, "아직 대기열이 열리지 않았습니다 (the queue is not open yet)"}
	ErrRateLimited       = &Error{CodeRateLimited, "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요 (too many requests)"}
	ErrUnavailable       = &Error{CodeUnavailable, "잠시 후 다시 시도해 주세요 (service unavailable)"}
)

// ErrorCode returns the code of err, or CodeInternal when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
