package policy

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
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

// formatDuration renders d in hours, minutes and seconds: "127시간 30분",
// "43분 13초" ("127 h 30 min", "43 min 13 s").
func formatDuration(d time.Duration) Text {
	secs := ceilDiv(int64(d), int64(time.Second))
	var parts []Text
	if h := secs / 3600; h > 0 {
		parts = append(parts, say(apperr.M("policy.unit.hours", map[string]any{"n": group(h)})))
	}
	if m := secs % 3600 / 60; m > 0 {
		parts = append(parts, say(apperr.M("policy.unit.minutes", map[string]any{"n": group(m)})))
	}
	if s := secs % 60; s > 0 || len(parts) == 0 {
		parts = append(parts, seconds(group(s)))
	}
	return join(parts, " ", " ")
}

// seconds is n, a rendered number, in seconds.
func seconds(n string) Text { return say(apperr.M("policy.unit.seconds", map[string]any{"n": n})) }

// days is n, a rendered number, in days: "1 day", "2 days", "0.5 days".
func days(n string) Text {
	if n == "1" {
		return say(apperr.M("policy.unit.day", map[string]any{"n": n}))
	}
	return say(apperr.M("policy.unit.days", map[string]any{"n": n}))
}

// dayCount is n days.
func dayCount(n int64) Text { return days(strconv.FormatInt(n, 10)) }

// monthOf names t's month and year: "2022년 10월", "October 2022".
func monthOf(t time.Time) Text {
	return say(apperr.M("policy.unit.month", map[string]any{
		"year": strconv.Itoa(t.Year()), "month": strconv.Itoa(int(t.Month())), "month_name": t.Month().String()}))
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
