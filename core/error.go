// Package core is the enrollment domain: students, courses, carts and
// enrollments, the rules that bind them, and the interfaces its adapters
// (core/mysql, core/redis, core/http) implement or use. It imports none of
// its adapters.
package core

import (
	"errors"
	"fmt"
)

// Error codes, exactly as the HTTP contract names them.
const (
	CodeBadRequest          = "BAD_REQUEST"
	CodeUnauthenticated     = "UNAUTHENTICATED"
	CodeAdmissionRequired   = "ADMISSION_REQUIRED"
	CodeForbidden           = "FORBIDDEN"
	CodeNotFound            = "NOT_FOUND"
	CodeNotEnrolled         = "NOT_ENROLLED"
	CodeMethodNotAllowed    = "METHOD_NOT_ALLOWED"
	CodeConflict            = "CONFLICT"
	CodeSoldOut             = "SOLD_OUT"
	CodeAlreadyEnrolled     = "ALREADY_ENROLLED"
	CodePayloadTooLarge     = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia    = "UNSUPPORTED_MEDIA_TYPE"
	CodeCreditLimitExceeded = "CREDIT_LIMIT_EXCEEDED"
	CodeTimeConflict        = "TIME_CONFLICT"
	CodeNotOpen             = "NOT_OPEN"
	CodeRateLimited         = "RATE_LIMITED"
	CodeUnavailable         = "UNAVAILABLE"
	CodeInternal            = "INTERNAL"
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
	ErrBadRequest          = &Error{CodeBadRequest, "잘못된 요청입니다 (bad request)"}
	ErrUnauthenticated     = &Error{CodeUnauthenticated, "로그인이 필요합니다 (authentication required)"}
	ErrAdmissionRequired   = &Error{CodeAdmissionRequired, "대기열 입장이 필요합니다 (admission token required)"}
	ErrForbidden           = &Error{CodeForbidden, "권한이 없습니다 (forbidden)"}
	ErrNotFound            = &Error{CodeNotFound, "찾을 수 없습니다 (not found)"}
	ErrNotEnrolled         = &Error{CodeNotEnrolled, "신청하지 않은 강의입니다 (not enrolled)"}
	ErrConflict            = &Error{CodeConflict, "데이터와 맞지 않는 변경입니다 (conflict)"}
	ErrSoldOut             = &Error{CodeSoldOut, "정원이 마감되었습니다 (sold out)"}
	ErrAlreadyEnrolled     = &Error{CodeAlreadyEnrolled, "이미 신청한 강의입니다 (already enrolled)"}
	ErrCreditLimitExceeded = &Error{CodeCreditLimitExceeded, "최대 학점을 초과합니다 (credit limit exceeded)"}
	ErrTimeConflict        = &Error{CodeTimeConflict, "시간표가 겹칩니다 (time conflict)"}
	ErrUnavailable         = &Error{CodeUnavailable, "잠시 후 다시 시도해 주세요 (service unavailable)"}
)

// ErrorCode returns the code of err, or CodeInternal when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
