package main

import (
	"context"
	"testing"

	"github.com/bosang/bosang/apperr"
)

// TestOpenLoadsTheMessageCatalog: every subcommand, not only serve, writes
// notes and notices resolved from the catalog (an offer claim's note, a
// correction's subscriber text), so open loads it; without it they would
// store message ids.
func TestOpenLoadsTheMessageCatalog(t *testing.T) {
	apperr.SetCatalog(func(string, string, map[string]any) (string, bool) { return "", false })
	a, err := open(context.Background(), testEnv(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got, want := apperr.M("claims.note.offer_accepted").In("ko"), "보상 제안 수락"; got != want {
		t.Errorf("after open, the offer note reads %q, want %q", got, want)
	}
}
