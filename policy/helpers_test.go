package policy

import (
	"errors"
	"github.com/bosang/bosang/models"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
)

func kstAt(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(time.DateTime, s, kst)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func mustPrice(t *testing.T, p Policy, in Input) Estimate {
	t.Helper()
	e, err := Price(p, in)
	if err != nil {
		t.Fatalf("Price: %v", err)
	}
	return e
}

// hasStep fails the test unless some step's value contains want.
func hasStep(t *testing.T, e Estimate, want string) {
	t.Helper()
	for _, s := range e.Steps {
		if strings.Contains(s.Value, want) {
			return
		}
	}
	t.Errorf("got no step with value containing %q, want one; steps:\n%s", want, dump(e.Steps))
}

func dump(steps []Step) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString("  " + s.Label + " | " + s.LabelEN + " | " + s.Value + "\n")
	}
	return b.String()
}

// fieldErr fails the test unless err is a *apperr.ValidationError naming field.
func fieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a ValidationError naming %q", err, field)
	}
	if _, ok := ve.Fields[field]; !ok {
		t.Errorf("got fields %v, want %q", ve.Fields, field)
	}
	if !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("got %v, want it to wrap ErrInvalid", err)
	}
}

// withRule returns Default() with c's category rule changed by f.
func withRule(c models.ClaimCategory, f func(*CategoryRule)) Policy {
	p := Default()
	cr := p.Categories[c]
	f(&cr)
	p.Categories[c] = cr
	return p
}
