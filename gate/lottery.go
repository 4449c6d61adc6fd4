package gate

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// The lottery draw, exactly, so that anyone can recompute it:
//
//  1. When the room is first configured in lottery mode the gate draws a
//     seed of SeedLen random bytes and keeps it secret. The room shows its
//     commitment, the lowercase hex SHA-256 of the seed's bytes (not of
//     their hex form), from then on (GET /admin/v1/room, every Ticket).
//  2. The pre-queue is the set of students waiting in the room when it
//     opens. At the opening the room reveals the seed as lowercase hex.
//  3. For each pre-queue student with numeric id s, its draw key is
//     HMAC-SHA256(key = the seed's bytes, message = s in ASCII decimal, no
//     sign, no leading zeros).
//  4. The pre-queue is ordered by draw key ascending, comparing the 32
//     bytes as unsigned bytes (equivalently, the lowercase hex strings);
//     equal keys (never seen in practice) by ascending id.
//
// The students joining after the opening queue behind the pre-queue in
// join order. Before the opening, anyone can check that sha256(seed) is the
// commitment they saw; after it, that the order is DrawOrder(seed, members).

// SeedLen is the length of a lottery seed in bytes.
const SeedLen = 32

// NewSeed returns a fresh random seed.
func NewSeed() []byte {
	b := make([]byte, SeedLen)
	_, _ = rand.Read(b) // never fails; crashes the program instead
	return b
}

// Commitment returns the lowercase hex SHA-256 of seed.
func Commitment(seed []byte) string {
	sum := sha256.Sum256(seed)
	return hex.EncodeToString(sum[:])
}

// DrawKey returns the draw key of the student: HMAC-SHA256(seed, decimal id).
func DrawKey(seed []byte, studentID int64) []byte {
	m := hmac.New(sha256.New, seed)
	m.Write(strconv.AppendInt(nil, studentID, 10))
	return m.Sum(nil)
}

// DrawOrder returns the students in draw order. The input is not changed;
// the result is the caller's.
func DrawOrder(seed []byte, students []int64) []int64 {
	type keyed struct {
		id  int64
		key []byte
	}
	ks := make([]keyed, len(students))
	for i, id := range students {
		ks[i] = keyed{id, DrawKey(seed, id)}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := bytes.Compare(a.key, b.key); c != 0 {
			return c
		}
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.id
	}
	return out
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
