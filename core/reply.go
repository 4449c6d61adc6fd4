package core

import "context"

// Reply is a stored HTTP answer: status and JSON body.
type Reply struct {
	Status int
	Body   []byte
}

// KeyedReply is the reply to keep for a student's Idempotency-Key.
type KeyedReply struct {
	StudentID int64
	Key       string
	Reply     Reply
}

// Replies remembers the first answer to each (student, Idempotency-Key).
type Replies interface {
	// Claim returns the stored reply (found) or claims the key for this
	// request (claimed is true): the caller must then Store or Abandon.
	// While another request holds the key, Claim waits for its reply until
	// ctx ends. A non-empty admission is the id of the request's admission
	// token, checked against revocations in the same round trip as the
	// first claim: a revoked one gets ErrAdmissionRequired and claims
	// nothing.
	Claim(ctx context.Context, studentID int64, key, admission string) (reply Reply, claimed bool, err error)
	// Store saves the reply of the request that claimed the key.
	Store(ctx context.Context, studentID int64, key string, reply Reply) error
	// Abandon gives up a claim without a reply, so a repeat runs again.
	Abandon(ctx context.Context, studentID int64, key string) error
}

// Revocations answers whether an admission token was revoked.
type Revocations interface {
	Revoked(ctx context.Context, jti string) (bool, error)
}
