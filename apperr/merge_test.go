package apperr

import (
	"errors"
	"testing"
)

func TestMerge(t *testing.T) {
	t.Run("all nil is nil", func(t *testing.T) {
		if err := Merge(nil, nil); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
	})
	t.Run("fields of every validation error are kept", func(t *testing.T) {
		err := Merge(InvalidMsg("a", Message{KO: "가", EN: "A"}), nil, InvalidMsg("b", Message{KO: "나", EN: "B"}))
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields["a"].EN != "A" || ve.Fields["b"].KO != "나" {
			t.Fatalf("got %v, want fields a and b", err)
		}
	})
	t.Run("the first message for a field wins", func(t *testing.T) {
		var ve *ValidationError
		if err := Merge(InvalidMsg("a", Message{KO: "첫", EN: "first"}), InvalidMsg("a", Message{KO: "둘", EN: "second"})); !errors.As(err, &ve) || ve.Fields["a"].EN != "first" {
			t.Fatalf("got %v, want the first message", err)
		}
	})
	t.Run("an error not about input is returned as is", func(t *testing.T) {
		if err := Merge(InvalidMsg("a", Message{KO: "가", EN: "A"}), ErrConflict); !errors.Is(err, ErrConflict) {
			t.Fatalf("got %v, want ErrConflict", err)
		}
	})
}
