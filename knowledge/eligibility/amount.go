package eligibility

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ErrNotAmount is returned for text that is not a money amount.
var ErrNotAmount = errors.New("not an amount")

// VagueAmountError is a rough figure — "三百多", "一千来块" — that lies
// somewhere between Low and High: the wizard asks for a figure in that
// range instead of guessing one.
type VagueAmountError struct {
	Input     string
	Low, High float64
}

func (e *VagueAmountError) Error() string {
	return fmt.Sprintf("amount %q: a rough figure between %g and %g", e.Input, e.Low, e.High)
}

// Is makes a vague amount also ErrNotAmount, for callers that only ask
// whether the answer was usable.
func (e *VagueAmountError) Is(target error) bool { return target == ErrNotAmount }

// ErrNotAge is returned for text that is not an age.
var ErrNotAge = errors.New("not an age")

// ErrNotYesNo is returned for text that is neither yes nor no.
var ErrNotYesNo = errors.New("not yes or no")

var zeroWords = map[string]bool{
	"没有": true, "无": true, "没": true, "零": true, "没有收入": true, "无收入": true,
	"没收入": true, "没有钱": true, "否": true, "不用": true, "没花": true, "没有花": true, "没有花钱": true,
}

// Filler people wrap amounts in: "每月1500元左右".
var (
	amountPrefixes = []string{"每个月", "一个月", "每月", "月收入", "收入", "大概", "大约", "差不多", "约", "月",
		"有", "是", "挣", "赚", "能拿", "拿"}
	amountSuffixes = []string{"人民币", "块钱", "元钱", "左右", "一个月", "每个月", "每月", "/月", "元", "块", "圆",
		"钱", "的样子", "上下", "的", "吧"}
	// yearWords say an amount is for a year; the wizard wants it a month.
	yearWords = []string{"一年到头", "每一年", "一年下来", "每年", "一年", "全年", "年收入", "/年", "一年的"}
	// vagueSuffixes make a figure rough: 三百多, 一千来块, 两千余元.
	vagueSuffixes = []string{"多", "来", "余", "出头"}
	thousandsRE   = regexp.MustCompile(`^\d{1,3}(,\d{3})+(\.\d+)?$`)
)

// ParseAmount reads a money amount a month in yuan as residents type it:
// "1500", "1,500", "1500元", "一千五", "一千二", "1.5千", "1.2万", "两千",
// "一百五十元", "两千五百块", "一千零五十", "每月1500", "１５００",
// "没有" (0). An amount for a year ("每年4500", "4500元一年") is turned into
// a month's. A rough figure ("三百多") is a *VagueAmountError carrying its
// range, so the wizard asks for a figure in it; anything else it cannot
// read with certainty — "很多", "-5", "1500 2000" — is ErrNotAmount, so the
// wizard asks again rather than guessing.
func ParseAmount(s string) (float64, error) {
	t := normalize(s)
	if t == "" {
		return 0, fmt.Errorf("amount %q: empty: %w", s, ErrNotAmount)
	}
	if zeroWords[t] {
		return 0, nil
	}
	yearly := false
	for _, w := range yearWords {
		if strings.Contains(t, w) && t != w {
			t, yearly = strings.TrimSpace(strings.Replace(t, w, "", 1)), true
			break
		}
	}
	t = trimAffixes(t, amountPrefixes, amountSuffixes)
	if zeroWords[t] {
		return 0, nil
	}
	if thousandsRE.MatchString(t) {
		t = strings.ReplaceAll(t, ",", "")
	}
	for _, v := range vagueSuffixes {
		if base, ok := strings.CutSuffix(t, v); ok && base != "" {
			low, err := parseNumber(trimAffixes(base, nil, amountSuffixes))
			if err != nil || low <= 0 {
				return 0, fmt.Errorf("amount %q: %w", s, ErrNotAmount)
			}
			high := low + roughStep(base, low)
			if yearly {
				low, high = math.Round(low/12), math.Round(high/12)
			}
			return 0, &VagueAmountError{Input: strings.TrimSpace(s), Low: low, High: high}
		}
	}
	v, err := parseNumber(t)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, ErrNotAmount)
	}
	if v > maxMoney {
		return 0, fmt.Errorf("amount %q: too large: %w", s, ErrNotAmount)
	}
	if yearly {
		v /= 12
	}
	return math.Round(v*100) / 100, nil
}

// roughStep is how far "N多" may reach above N: one unit of its last
// place — 三百多 is below 400, 一千多 below 2000, 1500多 below 1600.
func roughStep(base string, v float64) float64 {
	rs := []rune(base)
	if u, ok := cnUnits[rs[len(rs)-1]]; ok {
		return u
	}
	step := 1.0
	for n := int64(v); n > 0 && n%10 == 0; n /= 10 {
		step *= 10
	}
	return step
}

// ParseAge reads an age in whole years: "70", "70岁", "七十", "七十岁",
// "8个月" is refused (ask for years; a baby is 0).
func ParseAge(s string) (int, error) {
	t := trimAffixes(normalize(s), []string{"今年", "已经", "有"}, []string{"周岁", "岁了", "岁", "了"})
	v, err := parseNumber(t)
	if err != nil || v != math.Trunc(v) || v < 0 || v > MaxAge {
		return 0, fmt.Errorf("age %q: %w", s, ErrNotAge)
	}
	return int(v), nil
}

// parseCount reads a number of people: "3", "三口人", "3个人".
func parseCount(s string) (int, error) {
	t := trimAffixes(normalize(s), []string{"一共", "共", "家里"}, []string{"口人", "个人", "口", "人", "位"})
	v, err := parseNumber(t)
	if err != nil || v != math.Trunc(v) || v < 1 || v > MaxMembers {
		return 0, fmt.Errorf("count %q: %w", s, ErrNotAmount)
	}
	return int(v), nil
}

var (
	yesWords = map[string]bool{"是": true, "是的": true, "是啊": true, "有": true, "有的": true, "有啊": true,
		"对": true, "对的": true, "嗯": true, "嗯嗯": true, "好": true, "要": true, "在": true,
		"y": true, "yes": true, "true": true, "1": true, "√": true, "有工作": true, "在上学": true}
	noWords = map[string]bool{"否": true, "不是": true, "没有": true, "没": true, "无": true, "不": true,
		"不对": true, "没有的": true, "不用": true, "不要": true, "不在": true, "n": true, "no": true,
		"false": true, "0": true, "×": true, "没工作": true, "没有工作": true}
)

// ParseYesNo reads 是/否 answers in the many ways people give them.
func ParseYesNo(s string) (bool, error) {
	t := strings.ToLower(normalize(s))
	t = strings.TrimRight(t, "。.!！~～啊呀")
	if yesWords[t] {
		return true, nil
	}
	if noWords[t] {
		return false, nil
	}
	return false, fmt.Errorf("%q: %w", s, ErrNotYesNo)
}

// normalize folds full-width characters to ASCII and trims spaces and
// closing punctuation.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			r = r - 'Ａ' + 'A'
		case r == '．':
			r = '.'
		case r == '，':
			r = ','
		case r == '\u3000':
			r = ' '
		}
		b.WriteRune(r)
	}
	return strings.TrimFunc(b.String(), func(r rune) bool {
		return unicode.IsSpace(r) || r == '。' || r == '!' || r == '！' || r == '?' || r == '？'
	})
}

func trimAffixes(t string, prefixes, suffixes []string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			if strings.HasPrefix(t, p) && len(t) > len(p) {
				t = strings.TrimSpace(strings.TrimPrefix(t, p))
				changed = true
			}
		}
		for _, sfx := range suffixes {
			if strings.HasSuffix(t, sfx) && len(t) > len(sfx) {
				t = strings.TrimSpace(strings.TrimSuffix(t, sfx))
				changed = true
			}
		}
	}
	return t
}

var cnDigits = map[rune]float64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

var cnUnits = map[rune]float64{'十': 10, '百': 100, '千': 1000, '万': 10000, 'k': 1000, 'K': 1000,
	'w': 10000, 'W': 10000}

// parseNumber reads Arabic numbers, Chinese numerals and mixtures of the
// two ("1.5万", "一千五", "1万5", "一千零五十"). Spoken abbreviations are
// understood: a lone digit after a unit means one unit lower ("一千五" is
// 1500, "一万二" is 12000), unless 零 came between ("一千零五" is 1005).
func parseNumber(t string) (float64, error) {
	if t == "" {
		return 0, ErrNotAmount
	}
	rs := []rune(t)
	var (
		total, section float64
		pending        = -1.0 // a number not yet given a unit
		pendingIsDigit bool   // pending is a single digit (abbreviation allowed)
		lastUnit       float64
		sectionUnit    = math.Inf(1) // units inside a section must fall
		zero           bool
	)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9' || r == '.':
			if pending >= 0 {
				return 0, ErrNotAmount
			}
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			v, err := strconv.ParseFloat(string(rs[i:j]), 64)
			if err != nil {
				return 0, ErrNotAmount
			}
			pending, pendingIsDigit = v, j-i == 1
			i = j
			continue
		case r == '零' || r == '〇':
			if pending >= 0 {
				return 0, ErrNotAmount
			}
			zero = true
		case cnDigits[r] > 0:
			if pending >= 0 {
				return 0, ErrNotAmount
			}
			pending, pendingIsDigit = cnDigits[r], true
		case cnUnits[r] > 0:
			u := cnUnits[r]
			n := pending
			if n < 0 {
				switch {
				case u == 10000 && section > 0: // "十万": the section is the count
					n = 0
				case u == 10 && section == 0 && total == 0: // "十五" is 15
					n = 1
				default:
					return 0, ErrNotAmount
				}
			}
			if u == 10000 {
				section += n
				if section == 0 || total != 0 {
					return 0, ErrNotAmount
				}
				total = section * u
				section, sectionUnit = 0, math.Inf(1)
			} else {
				if u >= sectionUnit {
					return 0, ErrNotAmount
				}
				section += n * u
				sectionUnit = u
			}
			lastUnit, pending, pendingIsDigit, zero = u, -1, false, false
		default:
			return 0, ErrNotAmount
		}
		i++
	}
	if pending >= 0 {
		if pendingIsDigit && !zero && lastUnit >= 100 {
			pending *= lastUnit / 10
		} else if lastUnit > 0 && pending >= sectionUnitOrWan(sectionUnit, lastUnit) {
			return 0, ErrNotAmount // "一千2000" is not a number
		}
		section += pending
	}
	return total + section, nil
}

// sectionUnitOrWan is the unit a trailing number must stay below.
func sectionUnitOrWan(sectionUnit, lastUnit float64) float64 {
	if math.IsInf(sectionUnit, 1) {
		return lastUnit
	}
	return sectionUnit
}
