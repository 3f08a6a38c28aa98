package place

import "testing"

// BenchmarkMentioned: the places of one long resident question.
func BenchmarkMentioned(b *testing.B) {
	q := "俺们是海南州牧区的 一家五口 养了几十只羊 算下来人均收入是当地农村低保标准的一倍半左右 够不上低保 这算不算低收入家庭 刚察县那边是咋规定的"
	load()
	b.ReportAllocs()
	for b.Loop() {
		Mentioned(q, nil)
	}
}
