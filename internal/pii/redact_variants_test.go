package pii

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The shapes people type numbers in: each secret is rendered with random
// grouping, separators, digit forms and surrounding text, and Redact must
// leave no trace of it.

var (
	variantSeps = []string{" ", "-", ".", "\u200b", "\u200d", "\ufeff", "\u3000", "－", " - ", "\u00a0", "·"}
	// Several spellings of each digit: ASCII, full-width, Chinese, financial.
	variantDigits = [10][]string{
		{"0", "０", "〇", "零"},
		{"1", "１", "一", "壹", "幺"},
		{"2", "２", "二", "贰"},
		{"3", "３", "三", "叁"},
		{"4", "４", "四", "肆"},
		{"5", "５", "五", "伍"},
		{"6", "６", "六", "陆"},
		{"7", "７", "七", "柒"},
		{"8", "８", "八", "捌"},
		{"9", "９", "九", "玖"},
	}
	variantContext = []string{"我的", "身份证", "号码是", "电话", "卡号", "请问低保怎么申请？", "：", "，谢谢", "联系我", "", "（本人）"}
)

func randDigits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func randID18(r *rand.Rand) string {
	first := "52" + randDigits(r, 4) + "19" + randDigits(r, 2) + "0" + string(byte('1'+r.IntN(9))) + "1" + randDigits(r, 1) + randDigits(r, 3)
	return first + string(NationalIDCheckChar(first))
}

func randID15(r *rand.Rand) string {
	return "3" + randDigits(r, 5) + randDigits(r, 2) + "1" + string(byte('0'+r.IntN(3))) + "2" + string(byte('1'+r.IntN(8))) + randDigits(r, 3)
}

func randMobile(r *rand.Rand) string {
	return "1" + string(byte('3'+r.IntN(7))) + randDigits(r, 9)
}

func randCard(r *rand.Rand) string {
	n := 16 + r.IntN(4)
	body := "62" + randDigits(r, n-3)
	for c := byte('0'); c <= '9'; c++ {
		if luhn(body + string(c)) {
			return body + string(c)
		}
	}
	panic("no luhn digit")
}

// render writes digits in a random shape: groups of random size, a random
// separator between groups, each digit in a random spelling.
func render(r *rand.Rand, digits string) string {
	var b strings.Builder
	sep := variantSeps[r.IntN(len(variantSeps))]
	form := r.IntN(5) // 0 mixed, else one spelling for the whole number
	grouped := r.IntN(2) == 0
	size := 2 + r.IntN(4)
	for i, c := range digits {
		if grouped && i > 0 && i%size == 0 {
			b.WriteString(sep)
		}
		if c == 'X' {
			b.WriteString([]string{"X", "x", "Ｘ"}[r.IntN(3)])
			continue
		}
		forms := variantDigits[c-'0']
		f := form - 1
		if f < 0 || f >= len(forms) {
			f = r.IntN(len(forms))
		}
		b.WriteString(forms[f])
	}
	return b.String()
}

func TestRedactVariants(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(12, 2026))
	for i := range 5000 {
		var secret, prefix string
		switch i % 5 {
		case 0:
			secret = randID18(r)
		case 1:
			secret = randID15(r)
		case 2:
			secret = randMobile(r)
			prefix = []string{"", "+86 ", "+86-", "0086 ", "86", "＋86 "}[r.IntN(6)]
		case 3:
			secret = randCard(r)
		case 4:
			secret = randID18(r)[:17] + "X"
			secret = secret[:17] + string(NationalIDCheckChar(secret[:17]))
		}
		shown := render(r, secret)
		text := variantContext[r.IntN(len(variantContext))] + prefix + shown + variantContext[r.IntN(len(variantContext))]
		got := Redact(text)
		require.True(t, strings.Contains(got, "已隐去"), "not redacted: %q", text)
		// No run of the secret's digits survives in any spelling.
		left := digitsOf(got)
		require.NotContains(t, left, secret[len(secret)-8:], "digits left in %q from %q", got, text)
	}
}

// digitsOf projects text onto its digits the way Redact reads them.
func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if d, _ := classify(r); d != 0 {
			b.WriteByte(d)
		}
	}
	return b.String()
}

func TestRedactKeepsPolicyNumbers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"贵州2020年农村低保标准4500元，城市每月650元",
		"2024.01.01-2024.12.31期间申请",
		"第一条 第二条 第三条",
		"家庭人均收入低于1570元，5口人",
		"一、申请条件 二、办理流程",
		"热线12345",
	} {
		require.Equal(t, s, Redact(s))
	}
}
