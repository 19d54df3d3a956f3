package apperr

import (
	"errors"
	"testing"
)

func TestInvalidBecause(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason Reason
		want   Message
	}{
		{"a bad cursor says so in both languages", ReasonBadCursor, Message{KO: "잘못된 커서입니다.", EN: "Invalid cursor."}},
		{"an unknown reason still names the field", Reason("nonsense"), Message{KO: "잘못된 값입니다.", EN: "Invalid value."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := InvalidBecause("next", tc.reason)
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Fields["next"] != tc.want || len(ve.Fields) != 1 {
				t.Errorf("got %#v, want a ValidationError of next: %v", err, tc.want)
			}
		})
	}
}
