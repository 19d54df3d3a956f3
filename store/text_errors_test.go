package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// TestTextTheDatabaseRefuses: PostgreSQL refuses a NUL byte or invalid
// UTF-8 in text (SQLSTATE 22021) and a malformed uuid (22P02); the store
// must report those as apperr.ErrInvalid, never as an uncategorised error
// that a handler would answer with 500. SQLite accepts them, so there the
// calls succeed or find nothing.
func TestTextTheDatabaseRefuses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		nul, badUTF8 := newUser("nul@example.com"), newUser("utf8@example.com")
		nul.Name, badUTF8.Name = "김\x00철수", "김\xff철수"
		cases := []struct {
			name     string
			call     func() error
			sqliteOK error // what SQLite answers (nil: success)
		}{
			{"NUL in an inserted name (22021)", func() error { return db.CreateUser(ctx, nul) }, nil},
			{"invalid UTF-8 in an inserted name (22021)", func() error { return db.CreateUser(ctx, badUTF8) }, nil},
			{"NUL in a looked-up e-mail (22021)", func() error { _, err := db.UserByEmail(ctx, "a\x00@example.com"); return err }, apperr.ErrNotFound},
			{"non-UUID outage filter (22P02)", func() error { _, err := db.Claims().Claims(ctx, claims.Filter{OutageID: "abc"}); return err }, nil},
			{"NUL in a status filter (22021)", func() error { _, err := db.Claims().Claims(ctx, claims.Filter{Status: []string{"\x00"}}); return err }, nil},
			{"NUL in a search (22021)", func() error { _, err := db.Claims().Claims(ctx, claims.Filter{Query: "\x00"}); return err }, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				if db.Dialect() == store.Postgres {
					if !errors.Is(err, apperr.ErrInvalid) {
						t.Fatalf("got %v, want apperr.ErrInvalid", err)
					}
					return
				}
				if tc.sqliteOK == nil && err != nil || tc.sqliteOK != nil && !errors.Is(err, tc.sqliteOK) {
					t.Fatalf("got %v, want %v", err, tc.sqliteOK)
				}
			})
		}
	})
}
