package http

import (
	"strconv"

	"classmate/core"
	"classmate/internal/contract"
)

// MaxBody is the largest request body the contract accepts.
const MaxBody = contract.MaxBody

// ValidIdempotencyKey reports whether k is 1–64 characters of [A-Za-z0-9._-].
func ValidIdempotencyKey(k []byte) bool {
	return len(k) <= 64 && contract.ValidRequestID(k)
}

// decodeObject decodes a JSON object body into v; anything else is
// BAD_REQUEST (see contract.DecodeObject).
func decodeObject(body []byte, v any) error {
	if problem, ok := contract.DecodeObject(body, v); !ok {
		return core.Errorf(core.CodeBadRequest, "%s", problem)
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
