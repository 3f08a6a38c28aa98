package eligibility_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func BenchmarkCheck(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	hs := make([]eligibility.Household, 256)
	for i := range hs {
		hs[i] = randomHousehold(rng)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = eligibility.Check(hs[i%len(hs)], "")
	}
}

func BenchmarkDecodeAndCheck(b *testing.B) {
	in := []byte(`{"region":{"base":"guizhou-2020","dibao_standard_monthly":{"rural":400}},"area":"rural","monthly_rigid_expenses":600,
"members":[{"age":45,"monthly_income":900,"employed":true},{"age":44,"monthly_income":600,"employed":true},{"age":70,"labor_capacity":"none","serious_illness":true}]}`)
	b.ReportAllocs()
	for b.Loop() {
		h, err := eligibility.DecodeBytes(in)
		require.NoError(b, err)
		_ = eligibility.Check(h, "")
	}
}
