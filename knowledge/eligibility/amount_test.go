package eligibility_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/safetynet/safetynet/knowledge/eligibility"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want float64
	}{
		{"1500", 1500}, {"1,500", 1500}, {"12,345.5", 12345.5}, {"1500元", 1500}, {"一千五", 1500},
		{"1.5千", 1500}, {"1.5万", 15000}, {"两千", 2000}, {"三百五十", 350}, {"三百五", 350},
		{"一千零五十", 1050}, {"一千零五", 1005}, {"1500块", 1500}, {"1500块钱", 1500}, {"每月1500", 1500},
		{"每个月1500元", 1500}, {"１５００", 1500}, {"１，５００元", 1500}, {"0", 0}, {"没有", 0}, {"无", 0},
		{"没有收入", 0}, {"零", 0}, {" 800 ", 800}, {"800。", 800}, {"十五", 15}, {"一万二", 12000},
		{"1万5", 15000}, {"2千5百", 2500}, {"两万零三百", 20300}, {"大概2000元左右", 2000}, {"1.5k", 1500},
		{"一百", 100}, {"九十九", 99}, {"300.55", 300.55}, {"一万", 10000}, {"十万", 100000},
		{"五千零八十", 5080}, {"两百", 200}, {"2000元/月", 2000},
	}
	for _, c := range good {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := eligibility.ParseAmount(c.in)
			require.NoError(t, err)
			require.InDelta(t, c.want, got, 1e-9)
		})
	}
	bad := []string{"", "  ", "abc", "-5", "1500 2000", "很多", "不知道", "千", "一二三", "1.2.3", "五千千",
		"一百千", "1500-2000", "1e5", "一千2000", "万", "。", "$100", "100000000000", "百五"}
	for _, in := range bad {
		t.Run("bad/"+in, func(t *testing.T) {
			t.Parallel()
			_, err := eligibility.ParseAmount(in)
			require.Error(t, err)
			require.True(t, errors.Is(err, eligibility.ErrNotAmount))
		})
	}
}

func TestParseAge(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want int
	}{{"70", 70}, {"70岁", 70}, {"七十", 70}, {"七十岁", 70}, {"七十五周岁", 75}, {"0", 0}, {"１２", 12}, {"130", 130}, {"今年68了", 68}}
	for _, c := range good {
		got, err := eligibility.ParseAge(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
	for _, in := range []string{"", "131", "-1", "1.5", "老了", "七十多", "abc", "70 80"} {
		_, err := eligibility.ParseAge(in)
		require.ErrorIs(t, err, eligibility.ErrNotAge, in)
	}
}

func TestParseYesNo(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"是", "是的", "有", "对", "y", "Y", "yes", "嗯", "有！", "对的。"} {
		v, err := eligibility.ParseYesNo(in)
		require.NoError(t, err, in)
		require.True(t, v, in)
	}
	for _, in := range []string{"否", "不是", "没有", "没", "无", "n", "No", "不"} {
		v, err := eligibility.ParseYesNo(in)
		require.NoError(t, err, in)
		require.False(t, v, in)
	}
	for _, in := range []string{"", "也许", "maybe", "不知道"} {
		_, err := eligibility.ParseYesNo(in)
		require.ErrorIs(t, err, eligibility.ErrNotYesNo, in)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1500", "一千零五十", "1.5万", "１，５００元", "没有", "-5", "十万", "1万5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := eligibility.ParseAmount(s)
		if err != nil {
			if !errors.Is(err, eligibility.ErrNotAmount) {
				t.Fatalf("error %v is not ErrNotAmount", err)
			}
			return
		}
		if v < 0 || v > 1e8 || v != v {
			t.Fatalf("ParseAmount(%q) = %v", s, v)
		}
	})
}
