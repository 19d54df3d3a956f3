package claims

import (
	"errors"
	"testing"
)

// TestKeyAnswerIsWhatTheTransportRendered pins who owns a filing's answer:
// the key stores exactly the status and bytes the caller's Render gave (the
// domain adds no status or encoding of its own), the caller gets the same
// answer back, and a filing without a Render, or whose Render fails, has
// no answer to store.
func TestKeyAnswerIsWhatTheTransportRendered(t *testing.T) {
	v := &View{ID: "c1", Number: "BS-2026-000001"}
	t.Run("the rendered status and bytes, as given", func(t *testing.T) {
		var out Answer
		a := &answerFor{key: &KeyAnswer{UserID: "u", Key: "k"}, out: &out,
			render: func(got *View) (Answer, error) { return Answer{Status: 299, Body: []byte("<" + got.Number + ">")}, nil }}
		k, err := a.answer(v)
		if err != nil {
			t.Fatal(err)
		}
		if k.Status != 299 || k.Body != "<BS-2026-000001>" || out.Status != 299 || string(out.Body) != k.Body {
			t.Fatalf("stored %d %q, returned %d %q; want 299 and the rendered bytes both", k.Status, k.Body, out.Status, out.Body)
		}
	})
	t.Run("no render is no answer", func(t *testing.T) {
		a := &answerFor{key: &KeyAnswer{UserID: "u", Key: "k"}, out: new(Answer)}
		if _, err := a.answer(v); err == nil {
			t.Fatal("got an answer without a Render, want an error")
		}
	})
	t.Run("a failing render fails the filing", func(t *testing.T) {
		boom := errors.New("boom")
		a := &answerFor{key: &KeyAnswer{UserID: "u", Key: "k"}, out: new(Answer),
			render: func(*View) (Answer, error) { return Answer{}, boom }}
		if _, err := a.answer(v); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the render's error", err)
		}
	})
}
