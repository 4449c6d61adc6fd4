package loadgen

import (
	"math"
	"math/rand/v2"
)

// chooser draws the courses a student wants with Zipf-skewed demand: the
// course of popularity rank k is wanted in proportion to 1/k^s. Ranks are
// spread over the catalogue by a fixed permutation, so the popular courses
// are scattered over departments and capacities as in a real catalogue.
// Safe for concurrent use (each caller brings its own rand).
type chooser struct {
	ids []int64 // by popularity rank
	s   float64
}

func newChooser(ids []int64, s float64, seed uint64) *chooser {
	perm := rand.New(rand.NewPCG(seed, 0x5eed)).Perm(len(ids))
	ranked := make([]int64, len(ids))
	for i, p := range perm {
		ranked[i] = ids[p]
	}
	return &chooser{ids: ranked, s: s}
}

// pick returns n distinct courses (fewer when the catalogue is smaller), in
// the order the student will try them.
func (c *chooser) pick(rng *rand.Rand, n int) []int64 {
	n = min(n, len(c.ids))
	if n == 0 {
		return nil
	}
	z := rand.NewZipf(rng, c.s, 1, uint64(len(c.ids)-1))
	out := make([]int64, 0, n)
	seen := make(map[uint64]bool, n)
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		k := z.Uint64()
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c.ids[k])
	}
	return out
}

// share returns the fraction of the demand that goes to rank 0, the
// hottest course.
func (c *chooser) share() float64 {
	var sum float64
	for k := 1; k <= len(c.ids); k++ {
		sum += 1 / math.Pow(float64(k), c.s)
	}
	return 1 / sum
}
