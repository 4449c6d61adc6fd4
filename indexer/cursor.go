package indexer

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
)

// Key is the sort key of a hit: relevance, then the course id as the
// unique tiebreaker, so that search_after pagination neither skips nor
// repeats hits.
type Key struct {
	Score float64
	ID    int64
}

// cursorVersion prefixes every cursor, so the format can change.
const cursorVersion = "c1"

// binding identifies the text and filters a cursor belongs to: 16 hex
// digits of a SHA-256 over them.
func (p Parsed) binding() string {
	h := sha256.New()
	for _, s := range []string{p.Text, p.Department, p.Day, strconv.Itoa(p.Credits)} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// encodeCursor renders "c1.<binding>.<score>.<id>" plus a check digest, as
// unpadded base64url. The cursor is opaque to clients; it is not secret.
func encodeCursor(k Key, binding string) string {
	body := cursorVersion + "." + binding + "." + strconv.FormatFloat(k.Score, 'g', -1, 64) + "." + strconv.FormatInt(k.ID, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(body + "." + check(body)))
}

// decodeCursor parses a cursor and checks that it belongs to binding.
func decodeCursor(c, binding string) (Key, error) {
	var k Key
	if len(c) > 256 {
		return k, badQuery("malformed cursor")
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return k, badQuery("malformed cursor")
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 5 && len(parts) != 6 {
		return k, badQuery("malformed cursor")
	}
	// A score may print with a decimal point ("1.5"): rejoin it.
	if len(parts) == 6 {
		parts = []string{parts[0], parts[1], parts[2] + "." + parts[3], parts[4], parts[5]}
	}
	body := strings.Join(parts[:4], ".")
	if parts[0] != cursorVersion || parts[4] != check(body) {
		return k, badQuery("malformed cursor")
	}
	if parts[1] != binding {
		return k, badQuery("cursor belongs to another q or other filters")
	}
	k.Score, err = strconv.ParseFloat(parts[2], 64)
	if err != nil || math.IsNaN(k.Score) || math.IsInf(k.Score, 0) {
		return k, badQuery("malformed cursor")
	}
	k.ID, err = strconv.ParseInt(parts[3], 10, 64)
	if err != nil || k.ID <= 0 {
		return k, badQuery("malformed cursor")
	}
	return k, nil
}

// check is a short digest that catches edited or truncated cursors.
func check(body string) string {
	sum := sha256.Sum256([]byte("classmate-cursor:" + body))
	return hex.EncodeToString(sum[:4])
}
