package statute

import (
	"slices"
	"testing"
	"time"
)

func TestOverdue(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	restored := s.Add(4*time.Hour + time.Second)
	v, err := Evaluate(vas(CauseError, closed(s, 4*time.Hour+time.Second)), DefaultSettings(), restored)
	if err != nil {
		t.Fatalf("Evaluate: got error %v, want nil", err)
	}
	intDue, cmpDue := s.Add(5*time.Hour), restored.Add(30*day)
	exempt, _ := Evaluate(vas(CauseError, closed(s, time.Hour)), DefaultSettings(), restored)
	ongoing, _ := Evaluate(vas(CauseError, open(s)), DefaultSettings(), s.Add(6*time.Hour))
	both := []NoticeKind{NoticeInterruption, NoticeCompensation}
	late := map[NoticeKind]time.Time{NoticeInterruption: intDue.Add(time.Hour)}
	tests := []struct {
		name string
		v    Verdict
		sent map[NoticeKind]time.Time
		now  time.Time
		want []NoticeKind
	}{
		{"before interruption due: nothing overdue", v, nil, intDue.Add(-time.Second), nil},
		{"exactly at interruption due: not yet overdue", v, nil, intDue, nil},
		{"1ns after interruption due: interruption overdue", v, nil, intDue.Add(1), []NoticeKind{NoticeInterruption}},
		{"after compensation due, nothing sent: both overdue", v, nil, cmpDue.Add(1), both},
		{"interruption sent late is not overdue", v, late, cmpDue.Add(1),
			[]NoticeKind{NoticeCompensation}},
		{"both sent on time: nothing overdue or late", v,
			map[NoticeKind]time.Time{NoticeInterruption: intDue, NoticeCompensation: cmpDue}, cmpDue.Add(day), nil},
		{"exempt verdict is never overdue", exempt, nil, cmpDue.Add(365 * day), nil},
		{"open outage: compensation cannot be overdue yet", ongoing, nil, s.Add(6 * time.Hour),
			[]NoticeKind{NoticeInterruption}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Overdue(tt.v, tt.sent, tt.now); !slices.Equal(got, tt.want) {
				t.Errorf("Overdue: got %v, want %v", got, tt.want)
			}
		})
	}
}
