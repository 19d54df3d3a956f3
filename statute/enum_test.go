package statute

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEnumRoundTrip(t *testing.T) {
	type enum interface{ String() string }
	tests := []struct {
		name  string
		all   []enum
		parse func(string) (enum, error)
	}{
		{"cause", []enum{CauseOverload, CauseEquipmentFault, CauseError, CauseFire, CauseDisaster,
			CauseCarrierLine, CauseAnnouncedMaintenance, CauseOther},
			func(s string) (enum, error) { return ParseCause(s) }},
		{"provider kind", []enum{ProviderValueAdded, ProviderCarrier},
			func(s string) (enum, error) { return ParseProviderKind(s) }},
		{"exemption", []enum{ExemptAnnouncedMaintenance, ExemptCarrierLine, ExemptBelowSizeBar,
			ExemptFreeService, ExemptShortUnforeseen},
			func(s string) (enum, error) { return ParseExemption(s) }},
		{"notice kind", []enum{NoticeInterruption, NoticeCompensation},
			func(s string) (enum, error) { return ParseNoticeKind(s) }},
	}
	for _, tt := range tests {
		for _, v := range tt.all {
			t.Run(tt.name+" "+v.String()+" round-trips", func(t *testing.T) {
				got, err := tt.parse(v.String())
				if err != nil || got != v {
					t.Errorf("got %v, %v; want %v, nil", got, err, v)
				}
			})
		}
		for _, bad := range []string{"", "unknown", strings.ToUpper(tt.all[0].String()), " " + tt.all[0].String()} {
			t.Run(tt.name+" rejects "+`"`+bad+`"`, func(t *testing.T) {
				if _, err := tt.parse(bad); !errors.Is(err, ErrInvalid) {
					t.Errorf("got error %v, want one wrapping ErrInvalid", err)
				}
			})
		}
	}
}

func TestCaseJSONRejectsUnknownEnums(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{"known values decode", `{"provider":{"kind":"carrier"},"cause":"fire"}`, false},
		{"unknown cause is rejected", `{"provider":{"kind":"carrier"},"cause":"flood"}`, true},
		{"unknown provider kind is rejected", `{"provider":{"kind":"isp"},"cause":"fire"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Case
			err := json.Unmarshal([]byte(tt.body), &c)
			if (err != nil) != tt.wantErr {
				t.Errorf("got error %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestVerdictJSONShape(t *testing.T) {
	s := kst(2022, 10, 15, 15, 30, 0)
	v, err := Evaluate(vas(CauseError, open(s)), DefaultSettings(), s.Add(time.Hour))
	if err != nil {
		t.Fatalf("Evaluate: got error %v, want nil", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: got error %v, want nil", err)
	}
	for _, want := range []string{`"regime":"decree-2019-06-25"`, `"required":false`,
		`"exemption":"short_unforeseen"`, `"interruption_notice_due_at":null`,
		`"compensation_notice_due_at":null`, `"threshold_seconds":14400`, `"duration_seconds":3600`,
		`"ongoing":true`, `"crosses_threshold_at":"2022-10-15T19:30:00+09:00"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("got %s, want it to contain %s", b, want)
		}
	}
}
