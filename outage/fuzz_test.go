package outage

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/input"
	"github.com/bosang/bosang/models"
)

// FuzzOutageBody decodes an outage body as the JSON binder does (one value,
// json.Unmarshal) and validates it, then a correction of the outage. The
// validation never panics, refuses only with apperr.ErrInvalid (a 422),
// and accepts nothing the database would refuse or store differently: the
// text it lets through is clean (package input).
func FuzzOutageBody(f *testing.F) {
	good := `{"service_id":"taxi","features":["hailing","designated"],"started_at":"2022-10-15T15:30:00+09:00","ended_at":"2022-10-15T19:30:01+09:00",` +
		`"feature_restored_at":{"designated":"2022-10-15T17:30:00+09:00"},"cause":"equipment_fault","summary":"서버 장애\n복구 중","regions":["서울","경기"]}`
	for _, s := range [][2]string{
		{good, `{"summary":"정정된 요약","reason":"오타"}`},
		{good, `{"features":["hailing"],"ended_at":null,"regions":[]}`},
		// Issue 11's reproductions: NUL bytes in the summary, a region and a
		// correction; an open outage corrected to end before it started.
		{`{"service_id":"taxi","features":["hailing"],"started_at":"2022-10-15T15:30:00+09:00","cause":"fire","summary":"a\u0000b","regions":["\u0000"]}`, `{}`},
		{good, `{"summary":"\u0000","regions":["서\u0000울"],"reason":"\u0000"}`},
		{good, `{"ended_at":"2022-10-15T15:00:00+09:00"}`},
		{`{"features":["nope"],"feature_restored_at":{"x":"2022-10-15T17:30:00Z"},"cause":"x"}`, `null`},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	entry := &CatalogEntry{Service: models.Service{ID: "svc-taxi", Code: "taxi", Paid: true},
		Features: []models.Feature{{ID: "f-hailing", Code: "hailing"}, {ID: "f-designated", Code: "designated"}}}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var in NewOutage
	if err := json.Unmarshal([]byte(good), &in); err != nil {
		f.Fatal(err)
	}
	if _, err := apply(&models.Outage{}, in, entry, now); err != nil {
		f.Fatalf("the good seed: got %v, want it accepted so the corrections are fuzzed too", err)
	}
	f.Fuzz(func(t *testing.T, body, patch []byte) {
		var in NewOutage
		if json.Unmarshal(body, &in) != nil {
			return
		}
		o := models.Outage{ID: "o1", ServiceID: entry.Service.ID, Version: 1}
		features, err := apply(&o, in, entry, now)
		if !accepted(t, "outage", err, o, features) {
			return
		}
		var p Patch
		if json.Unmarshal(patch, &p) != nil {
			return
		}
		rec := &Record{Outage: o, Service: entry.Service, Features: statesOf(features, entry)}
		corrected := o
		features, err = apply(&corrected, merged(rec, p), entry, now)
		accepted(t, "correction", err, corrected, features)
	})
}

// accepted checks one validation result and reports whether it passed.
func accepted(t *testing.T, what string, err error, o models.Outage, features []models.OutageFeature) bool {
	t.Helper()
	if err != nil {
		var ve *apperr.ValidationError
		if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &ve) {
			t.Fatalf("%s: got %v, want a *apperr.ValidationError", what, err)
		}
		for field, m := range ve.Fields {
			if m.In("ko") == "" || m.In("en") == "" {
				t.Fatalf("%s: field %s: got %+v, want Korean and English", what, field, m)
			}
		}
		return false
	}
	if !input.Clean(o.Summary, true) {
		t.Fatalf("%s: accepted summary %q with control characters or invalid UTF-8", what, o.Summary)
	}
	for _, r := range decodeList(o.Regions) {
		if !input.Clean(r, false) {
			t.Fatalf("%s: accepted region %q with control characters or invalid UTF-8", what, r)
		}
	}
	if len(features) == 0 || o.StartedAt.IsZero() || o.EndedAt != nil && !o.EndedAt.After(o.StartedAt) {
		t.Fatalf("%s: accepted %d features, %s to %v", what, len(features), o.StartedAt, o.EndedAt)
	}
	return true
}
