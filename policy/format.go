package policy

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bosang/bosang/estimate"
)

// ceilDiv is ceil(a/b) for a >= 0, b > 0.
func ceilDiv(a, b int64) int64 { return a/b + min(a%b, 1) }

// group renders n with thousands separators: 2592000 -> "2,592,000".
func group(n int64) string { return strings.TrimPrefix(estimate.FormatKRW(n), "₩") }

// ratio renders num/den (both non-negative, den > 0) with its integer part
// grouped and, unless the quotient is whole, places decimals rounded half up
// (trailing zeros trimmed when trim). exact reports that nothing was rounded.
func ratio(num, den *big.Int, places int, trim bool) (s string, exact bool) {
	if new(big.Int).Rem(num, den).Sign() == 0 {
		return group(new(big.Int).Quo(num, den).Int64()), true
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(num, scale), den, new(big.Int))
	exact = r.Sign() == 0
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	whole, frac := new(big.Int).QuoRem(q, scale, new(big.Int))
	f := fmt.Sprintf("%0*d", places, frac.Int64())
	if trim {
		f = strings.TrimRight(f, "0")
	}
	s = group(whole.Int64())
	if f != "" {
		s += "." + f
	}
	return s, exact
}

// krwRatio renders num/den won to two decimals: "₩7,548.39".
func krwRatio(num, den *big.Int) string {
	s, _ := ratio(num, den, 2, false)
	return "₩" + s
}

// formatMillionths renders a fraction in millionths as a percentage with up
// to four decimals: 998999 -> "99.8999%".
func formatMillionths(v int64) string {
	s := strconv.FormatInt(v/10000, 10)
	if f := strings.TrimRight(fmt.Sprintf("%04d", v%10000), "0"); f != "" {
		s += "." + f
	}
	return s + "%"
}

// formatDuration renders d in Korean units: "127시간 30분", "43분 13초".
func formatDuration(d time.Duration) string {
	secs := ceilDiv(int64(d), int64(time.Second))
	var parts []string
	for _, u := range []struct {
		n    int64
		unit string
	}{{secs / 3600, "시간"}, {secs % 3600 / 60, "분"}, {secs % 60, "초"}} {
		if u.n > 0 {
			parts = append(parts, group(u.n)+u.unit)
		}
	}
	if len(parts) == 0 {
		return "0초"
	}
	return strings.Join(parts, " ")
}

// formatRange renders [a, b) in a's zone, writing b's date only when it
// differs: "2022-10-15 15:30–2022-10-20 23:00 KST".
func formatRange(a, b time.Time) string {
	layout := "2006-01-02 15:04"
	if a.Second() != 0 || b.Second() != 0 {
		layout += ":05"
	}
	end := b.Format(layout)
	if a.Format(time.DateOnly) == b.Format(time.DateOnly) {
		end = b.Format(strings.TrimPrefix(layout, "2006-01-02 "))
	}
	return a.Format(layout) + "–" + end + " " + a.Format("MST")
}

// The English of a step's value: the same numbers with English units and
// words. Step values are numbers with Korean units ("2일", "22시간 30분",
// "31일 (2022년 10월)") and a few fixed words; valueEN rewrites those.
var (
	koMonth   = regexp.MustCompile(`(\d{4})년 (\d{1,2})월`)
	koBand    = regexp.MustCompile(`(₩[\d,.]+) 초과 (₩[\d,.]+) 이하`)
	koUpTo    = regexp.MustCompile(`(₩[\d,.]+) 이하`)
	koRecords = regexp.MustCompile(`기록 ([\d,]+)건`)
	koExtend  = regexp.MustCompile(`([\d,]+)일 연장`)
	koUnit    = regexp.MustCompile(`([\d,.]+)(시간|분|초|일)`)
	koWords   = strings.NewReplacer(
		"해당 구간 없음", "no band", "개별 심사", "individual review", "자동 승인 대상", "approved automatically",
		"증빙 확인 후 결정", "decided once the evidence is checked", "상한 ", "cap ", "각 시간의 ", "",
	)
	hangul = regexp.MustCompile(`\p{Hangul}`)
)

// valuesEN remembers valueEN's answers, up to valuesENMax of them: the
// values of a filing's steps repeat from filing to filing (the outage, the
// policy, common fees), and the regular expressions were 5% of the
// portal's CPU while filing.
var (
	valuesEN      sync.Map
	valuesENCount atomic.Int64
)

const valuesENMax = 4096

// valueEN returns v in English, or "" when v has no Korean (it reads the
// same in both languages) or keeps Korean that valueEN cannot translate
// (the page then shows v).
func valueEN(v string) string {
	if en, ok := valuesEN.Load(v); ok {
		return en.(string)
	}
	en := translateEN(v)
	if valuesENCount.Add(1) <= valuesENMax {
		valuesEN.Store(v, en)
	}
	return en
}

// translateEN is valueEN without the memory.
func translateEN(v string) string {
	if !hangul.MatchString(v) {
		return ""
	}
	v = koMonth.ReplaceAllStringFunc(v, func(m string) string {
		p := koMonth.FindStringSubmatch(m)
		y, _ := strconv.Atoi(p[1])
		mo, _ := strconv.Atoi(p[2])
		return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).Format("January 2006")
	})
	v = koBand.ReplaceAllString(v, "over $1, up to $2")
	v = koUpTo.ReplaceAllString(v, "up to $1")
	v = koRecords.ReplaceAllString(v, "$1 records")
	v = koExtend.ReplaceAllString(v, "$1 days' extension")
	v = koWords.Replace(v)
	v = koUnit.ReplaceAllStringFunc(v, func(m string) string {
		p := koUnit.FindStringSubmatch(m)
		unit := map[string]string{"시간": "h", "분": "min", "초": "s", "일": "days"}[p[2]]
		if unit == "days" && p[1] == "1" {
			unit = "day"
		}
		return p[1] + " " + unit
	})
	if hangul.MatchString(v) {
		return ""
	}
	return v
}
