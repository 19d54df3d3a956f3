package handlers

import (
	"math"
	"testing"

	"github.com/bosang/bosang/i18n"
)

func TestDurationText(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ko, en := cat.For("ko"), cat.For("en")
	for _, tc := range []struct {
		name   string
		hours  float64
		ko, en string
	}{
		{"nothing yet", 0, "0분", "0m"},
		{"under a minute rounds to the minute", 0.004, "0분", "0m"},
		{"45 minutes", 0.75, "45분", "45m"},
		{"59.5 minutes rounds up to an hour", 59.5 / 60, "1시간", "1h"},
		{"exactly one hour", 1, "1시간", "1h"},
		{"hours and minutes under a day", 5.5, "5시간 30분", "5h 30m"},
		{"just under a day", 23.99, "23시간 59분", "23h 59m"},
		{"exactly a day", 24, "1일", "1d"},
		{"a day and a half", 36, "1일 12시간", "1d 12h"},
		{"days round to the hour", 36.4, "1일 12시간", "1d 12h"},
		{"the figure the issue saw", 36073.8, "1503일 2시간", "1503d 2h"},
		{"negative is nothing", -3, "0분", "0m"},
		{"not a number is nothing", math.NaN(), "0분", "0m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := durationText(ko, tc.hours); got != tc.ko {
				t.Errorf("ko: durationText(%v) = %q, want %q", tc.hours, got, tc.ko)
			}
			if got := durationText(en, tc.hours); got != tc.en {
				t.Errorf("en: durationText(%v) = %q, want %q", tc.hours, got, tc.en)
			}
		})
	}
}
