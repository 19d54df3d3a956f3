package apperr

import (
	"errors"
	"testing"
)

func TestInvalidBecause(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason Reason
		want   string // the catalog id; the handlers' claim-list test pins the words
	}{
		{"a bad cursor says so", ReasonBadCursor, "apperr.bad_cursor"},
		{"an unknown reason still names the field", Reason("nonsense"), "apperr.invalid_value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := InvalidBecause("next", tc.reason)
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Fields["next"].ID != tc.want || len(ve.Fields) != 1 {
				t.Errorf("got %#v, want a ValidationError of next: %v", err, tc.want)
			}
		})
	}
}
