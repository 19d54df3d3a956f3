package request

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
)

// FuzzDecodeJSON feeds any body to the JSON binder as a claim, an outage
// and an outage correction. Whatever the bytes, the answer is the value or a
// 4xx (400 malformed, 422 naming a field), never a 500-class error, and a
// body is accepted only if it is exactly one JSON value.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"outage_id":"01a24990-b8c1-7a8f-a534-bfa0b8e1f75b","category":"driver","monetary":true,"description":"호출을 받지 못했습니다","claimed_amount_krw":0,"details":{"monthly_fee_krw":39000},"payout_account":{"bank":"004","number":"110-123-456789","holder":"앨리스"}}`,
		`{"service_id":"taxi","features":["hailing"],"started_at":"2022-10-15T15:30:00+09:00","ended_at":"2022-10-15T19:30:01+09:00","cause":"fire","summary":"화재","regions":["서울"]}`,
		`{"summary":"정정","reason":"오타","feature_restored_at":{"hailing":"2022-10-15T17:30:00+09:00"}}`,
		// Issue 11's reproductions: trailing data, two objects, NUL bytes.
		`{"summary":"정정","reason":"오타"}xyz`,
		`{"summary":"정정","reason":"오타"}{"summary":"정정","reason":"오타"}`,
		`{"description":"a\u0000b","payout_account":{"holder":"\u0000"}}`,
		`{"summary":"a\u0000","regions":["\u0000"]}`,
		``, `null`, `[]`, `"x"`, `{"claimed_amount_krw":1e400}`, `{"started_at":"yesterday"}`, `{"details":{"a":[{"b":null}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, dst := range []any{&claims.NewClaim{}, &outage.NewOutage{}, &outage.Patch{}} {
			err := DecodeJSON(body, dst)
			var mal *Malformed
			var ve *apperr.ValidationError
			switch {
			case err == nil:
				if !json.Valid(body) {
					t.Fatalf("%T: accepted %q, which is not one JSON value", dst, body)
				}
			case errors.As(err, &mal):
			case errors.As(err, &ve):
				for field, msg := range ve.Fields {
					if field == "" || msg.In("ko") == "" || msg.In("en") == "" {
						t.Fatalf("%T: field error %q: %+v, want a field with Korean and English", dst, field, msg)
					}
				}
			default: // handlers would answer 500
				t.Fatalf("%T: %q got %v, want a Malformed (400) or a ValidationError (422)", dst, body, err)
			}
		}
	})
}

// FuzzParseIfMatch: the If-Match parser never panics; it is present
// exactly when the field has more than white space; every version it
// finds is a strong tag this server could have issued, written in the
// field; and evaluating it yields that version, the current one, or 412.
func FuzzParseIfMatch(f *testing.F) {
	for _, s := range []string{`"3"`, `W/"3"`, `*`, `"3", "4"`, `"3",W/"4"`, ` , "7" ,`, `"abc`, `"-1"`, `"03"`, `"+3"`, `""`,
		`"9999999999999999999999"`, `W/`, `"a,b", "5"`, "\"3\"\x00", `*, "2"`} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, v string, current int) {
		m := ParseIfMatch(v)
		if m.Present != (strings.TrimSpace(v) != "") {
			t.Fatalf("%q: present %v", v, m.Present)
		}
		for _, n := range m.Versions {
			if n < 0 || !strings.Contains(strings.ReplaceAll(v, "W/"+ETag(n), ""), ETag(n)) {
				t.Fatalf("%q: version %d is not a strong tag in the field", v, n)
			}
		}
		got, err := m.Version(func() (int, error) { return current, nil })
		switch {
		case err != nil:
			if !errors.Is(err, apperr.ErrPreconditionFailed) || m.Any {
				t.Fatalf("%q: got %v, want a 412 only when no tag can match", v, err)
			}
		case !m.Present:
			if got != nil {
				t.Fatalf("%q: got version %d from an absent field", v, *got)
			}
		case got == nil:
			t.Fatalf("%q: a present field gave no version and no error", v)
		case *got != current && !slices.Contains(m.Versions, *got):
			t.Fatalf("%q: got version %d, want %d or a listed tag", v, *got, current)
		}
		if current >= 0 {
			if r := ParseIfMatch(ETag(current)); len(r.Versions) != 1 || r.Versions[0] != current {
				t.Fatalf("%s: parsed %v, want exactly version %d", ETag(current), r.Versions, current)
			}
			if r := ParseIfMatch("W/" + ETag(current)); len(r.Versions) != 0 {
				t.Fatalf("W/%s: a weak tag matched %v", ETag(current), r.Versions)
			}
		}
	})
}
