package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
)

// rng is a deterministic random stream. Streams are derived from the seed and a path of names
// (cluster id, workload, day…), never from shared state, so any part of the fleet can be
// generated alone, in any order, in parallel.
type rng struct{ r *rand.Rand }

// newRNG returns the stream for seed and path. PCG is specified by math/rand/v2, so the
// streams do not change between Go versions.
func newRNG(seed int64, path ...string) rng {
	h := fnv.New64a()
	for _, p := range path {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return rng{rand.New(rand.NewPCG(uint64(seed), h.Sum64()))}
}

func (g rng) float() float64 { return g.r.Float64() }

// intn returns [0, n); 0 when n <= 0.
func (g rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return g.r.IntN(n)
}

// between returns a uniform float in [lo, hi).
func (g rng) between(lo, hi float64) float64 { return lo + g.r.Float64()*(hi-lo) }

// chance is true with probability p.
func (g rng) chance(p float64) bool { return g.r.Float64() < p }

// logNormal returns median·e^(σ·N(0,1)), clamped to [lo, hi]: the skew of real resource
// requests (many small, a few huge).
func (g rng) logNormal(median, sigma, lo, hi float64) float64 {
	v := median * math.Exp(sigma*g.r.NormFloat64())
	return min(max(v, lo), hi)
}

// zipf picks an index in [0, n) with weight 1/(i+1)^s.
func (g rng) zipf(n int, s float64) int {
	var total float64
	for i := range n {
		total += 1 / math.Pow(float64(i+1), s)
	}
	x := g.r.Float64() * total
	for i := range n {
		x -= 1 / math.Pow(float64(i+1), s)
		if x < 0 {
			return i
		}
	}
	return n - 1
}

// hexID returns n lower-case hex characters.
func (g rng) hexID(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

// podSuffix returns a Kubernetes-like 5-character pod suffix.
func (g rng) podSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	b := make([]byte, 5)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }
