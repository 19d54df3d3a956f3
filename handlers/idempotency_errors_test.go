package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/handlers"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// unfinishableKeys is a claims store that cannot store an answer under a
// key nor release one: the failures a real store gives when the database
// goes away between taking a key and answering it.
type unfinishableKeys struct{ claims.Store }

var errKeyStore = errors.New("idempotency keys unavailable")

func (unfinishableKeys) FinishKey(context.Context, string, string, int, string) error {
	return errKeyStore
}
func (unfinishableKeys) ReleaseKey(context.Context, string, string) error { return errKeyStore }

// TestKeyAnswerThatCannotBeStoredIsLogged: a refused filing stores its
// answer under the key; when that fails the client still gets the answer and
// the failure is logged with the request, not dropped.
func TestKeyAnswerThatCannotBeStoredIsLogged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		// The filing is refused before any date matters; the key is
		// taken and answered at one fixed time.
		at := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
		e := newTestEnvWith(t, db, func(d *handlers.Deps) {
			d.Claims = claims.NewService(unfinishableKeys{db.Claims()}, d.Outages, nil, nil, claims.DefaultEvidenceLimits, at, uuid.NewString)
		})
		f := newClaimFixture(t, e)
		bad := f.claimBody("driver", 0)
		bad["payout_account"] = map[string]string{"bank": "999", "number": "1", "holder": ""}
		r := f.file(t, f.alice, "bad-key", bad)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid claim: got %d %s, want 422", r.status, r.body)
		}
		logs := e.logs.String()
		if !strings.Contains(logs, "store the answer under an idempotency key") || !strings.Contains(logs, errKeyStore.Error()) {
			t.Fatalf("logs: got %s, want the failure to store the key's answer", logs)
		}
	})
}
