package contract_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"classmate/internal/contract"
)

func TestValidRequestID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"abc-1._Z": true, strings.Repeat("a", 128): true,
		"": false, strings.Repeat("a", 129): false, "a b": false, "가": false, "a/b": false,
	} {
		assert.Equal(t, want, contract.ValidRequestID([]byte(id)), "%q", id)
	}
}

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	type body struct {
		ID *int64 `json:"id"`
	}
	for in, ok := range map[string]bool{
		`{"id": 1}`: true, " \n{}\t": true,
		``: false, `null`: false, `[]`: false, `"x"`: false, `{"id":"1"}`: false, `{"id":1} x`: false,
		`{"id":1}{}`: false, "\u00a0{}": false, "{\"id\":1,\"s\":\"\xff\"}": false, `{"id":`: false,
	} {
		var b body
		_, got := contract.DecodeObject([]byte(in), &b)
		assert.Equal(t, ok, got, "%q", in)
	}
	_, ok := contract.DecodeObject([]byte(`{"id":"1"}`), &body{})
	assert.False(t, ok)
	msg, _ := contract.DecodeObject([]byte(`{"id":"1"}`), &body{})
	assert.Equal(t, "invalid JSON body: id has the wrong type", msg)
}
