package gate_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"

	"classmate/gate"
)

// TestDrawRecipe pins the published recipe with a vector computed
// independently (Python's hmac and hashlib).
func TestDrawRecipe(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(i)
	}
	assert.Equal(t, "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", gate.Commitment(seed))
	assert.Equal(t, "7df989924b2ebf8832c80802d1213a8a21a062a23877f0718effe501daee1703", hex.EncodeToString(gate.DrawKey(seed, 42)))
	in := []int64{1, 2, 3, 10, 42, 2026, 99999}
	assert.Equal(t, []int64{3, 2026, 10, 1, 42, 2, 99999}, gate.DrawOrder(seed, in))
	assert.Equal(t, []int64{1, 2, 3, 10, 42, 2026, 99999}, in, "the input is not changed")
	assert.Len(t, gate.NewSeed(), gate.SeedLen)
	assert.NotEqual(t, gate.NewSeed(), gate.NewSeed())
}
