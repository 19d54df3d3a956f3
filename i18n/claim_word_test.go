package i18n_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bosang/bosang/i18n"
)

// TestKoreanSaysChungguForClaims: a compensation claim is "청구" on every
// Korean page; "신청" stays only where it means something else (이의 신청,
// an appeal; 가입 신청, a registration).
func TestKoreanSaysChungguForClaims(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	ko := cat.For("ko")
	for _, id := range []string{"dashboard.title", "dashboard.lead", "dashboard.claims", "dashboard.col.count", "dashboard.col.category",
		"dashboard.col.age", "dashboard.requested", "dashboard.decided", "dashboard.by_status", "dashboard.by_category", "dashboard.backlog",
		"dashboard.backlog.lead", "dashboard.backlog.open", "dashboard.triage.merchant", "dashboard.chart.status"} {
		text := ko.T(id, map[string]any{"Days": 14})
		if !strings.Contains(text, "청구") || strings.Contains(text, "신청") {
			t.Errorf("%s = %q, want 청구 and no 신청", id, text)
		}
	}
	raw, err := os.ReadFile(filepath.Join("..", "web", "locales", "ko.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]string
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	for _, phrase := range []string{"보상 신청", "신청 건", "신청 금액", "신청 유형", "신청 후", "별 신청", "결정된 신청", "대기 신청", "전체 신청"} {
		for id, text := range all {
			if strings.Contains(text, phrase) {
				t.Errorf("%s = %q says %q for a claim, want 청구", id, text, phrase)
			}
		}
	}
}
