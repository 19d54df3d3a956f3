package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/notify"
)

// statusOf is the outbox message claims.StatusMessage writes for status
// with news n.
func statusOf(status models.ClaimStatus, n claims.News) models.OutboxMessage {
	c := &models.Claim{ID: "c1", Number: "BS-2022-000123", ClaimantID: "u1"}
	ev := &models.ClaimEvent{ID: "e1", Status: status, CreatedAt: time.Date(2022, 10, 20, 1, 0, 0, 0, time.UTC)}
	return *claims.StatusMessage("m1", c, ev, n)
}

func won(n int64) *int64 { return &n }

// TestStatusText: the message a claimant gets names the amount decided,
// with the reason, or the amount paid, with the transfer reference, in
// Korean and English; a status change that decides nothing names none.
func TestStatusText(t *testing.T) {
	cases := []struct {
		name    string
		msg     models.OutboxMessage
		subject string
		want    []string
		wantNot []string
	}{
		{"partial approval names the amount and reason",
			statusOf("partially_approved", claims.News{AmountKRW: won(2000), ReasonCode: "insufficient_evidence"}),
			"[보상] BS-2022-000123 일부 승인 ₩2,000",
			[]string{"결정 금액: ₩2,000", "사유: 증빙 부족", "Amount decided: ₩2,000", "Reason: Insufficient evidence"}, nil},
		{"approval without a reason names the amount only",
			statusOf("approved", claims.News{AmountKRW: won(1_200_000)}),
			"[보상] BS-2022-000123 승인 ₩1,200,000",
			[]string{"결정 금액: ₩1,200,000", "Amount decided: ₩1,200,000"}, []string{"사유", "Reason"}},
		{"rejection names ₩0 and the reason",
			statusOf("rejected", claims.News{AmountKRW: won(0), ReasonCode: "late"}),
			"[보상] BS-2022-000123 기각 ₩0",
			[]string{"결정 금액: ₩0", "사유: 청구 기한 지남", "Reason: Filed late"}, nil},
		{"payment names the amount paid and the reference",
			statusOf("paid", claims.News{AmountKRW: won(2000), Reference: "KB-20221020-0001"}),
			"[보상] BS-2022-000123 지급 완료 ₩2,000",
			[]string{"지급액: ₩2,000 (이체 참조번호 KB-20221020-0001)", "Amount paid: ₩2,000 (transfer reference KB-20221020-0001)"}, []string{"결정 금액"}},
		{"filing decides nothing",
			statusOf("submitted", claims.News{}),
			"[보상] BS-2022-000123 접수됨",
			[]string{"청구 BS-2022-000123의 상태가 ‘접수됨’(으)로 바뀌었습니다.", "Claim BS-2022-000123 is now Submitted."}, []string{"₩"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := notify.StatusText(tc.msg, "https://bosang.example.kr")
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != tc.subject {
				t.Errorf("subject %q, want %q", m.Subject, tc.subject)
			}
			for _, w := range append(tc.want, "https://bosang.example.kr/claims/c1") {
				if !strings.Contains(m.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, m.Body)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(m.Body, w) {
					t.Errorf("body has %q:\n%s", w, m.Body)
				}
			}
		})
	}
}

// TestStatusPayloadCarriesAmount: the payload itself carries the amount
// and reference for other receivers; null when nothing was decided.
func TestStatusPayloadCarriesAmount(t *testing.T) {
	var p map[string]any
	if err := json.Unmarshal([]byte(statusOf("paid", claims.News{AmountKRW: won(2000), Reference: "R-1"}).Payload), &p); err != nil {
		t.Fatal(err)
	}
	if p["amount_krw"] != float64(2000) || p["reference"] != "R-1" || p["status"] != "paid" {
		t.Errorf("payment payload %v: want amount_krw 2000, reference R-1", p)
	}
	if err := json.Unmarshal([]byte(statusOf("appealed", claims.News{}).Payload), &p); err != nil {
		t.Fatal(err)
	}
	if v, ok := p["amount_krw"]; !ok || v != nil {
		t.Errorf("appeal payload %v: want amount_krw null", p)
	}
}

// TestLogSenderStatesAmount: without SMTP the log line carries the text
// the claimant would get, amount included.
func TestLogSenderStatesAmount(t *testing.T) {
	var buf bytes.Buffer
	s := notify.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := s.Send(context.Background(), statusOf("paid", claims.News{AmountKRW: won(2000), Reference: "R-1"})); err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log line %q: %v", buf.String(), err)
	}
	if text, _ := line["text"].(string); !strings.Contains(text, "지급액: ₩2,000") || !strings.Contains(text, "Amount paid: ₩2,000") {
		t.Errorf("logged text %q: want the amount paid", line["text"])
	}
}
