package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/contact"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// codeEnv is a contact.Service over a real store with a clock the test
// moves, and the ids it handed out (to find the outbox messages).
type codeEnv struct {
	db  *store.DB
	svc *contact.Service
	now time.Time
	ids []string
	u   *models.User
}

func newCodeEnv(t *testing.T, db *store.DB, email, phone string) *codeEnv {
	t.Helper()
	key := make([]byte, 32)
	sealer, err := pii.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	e := &codeEnv{db: db, now: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
	e.svc = contact.NewService(db.Contacts(), sealer, contact.DeriveKey(key), func() time.Time { return e.now },
		func() string { id := uuid.Must(uuid.NewV7()).String(); e.ids = append(e.ids, id); return id })
	e.u = newUser(email)
	e.u.Phone = phone
	if err := db.CreateUser(context.Background(), e.u); err != nil {
		t.Fatal(err)
	}
	return e
}

// send asks for a code on channel and returns the code the message
// carries, checking that neither address nor code is in the clear.
func (e *codeEnv) send(t *testing.T, channel string) contact.Code {
	t.Helper()
	ctx := context.Background()
	from := len(e.ids)
	if _, err := e.svc.Send(ctx, e.u.ID, channel); err != nil {
		t.Fatalf("send %s code: %v", channel, err)
	}
	for _, id := range e.ids[from:] {
		m, err := e.db.OutboxMessage(ctx, id)
		if err != nil {
			continue
		}
		c, err := e.svc.OpenMessage(*m)
		if err != nil {
			t.Fatalf("open %s: %v", m.Topic, err)
		}
		if c.Code == "" || strings.Contains(m.Payload, c.Code) || strings.Contains(m.Payload, c.To) {
			t.Fatalf("outbox payload %s holds the code or the address in the clear", m.Payload)
		}
		return c
	}
	t.Fatalf("no outbox message for the %s code", channel)
	return contact.Code{}
}

func (e *codeEnv) user(t *testing.T) *models.User {
	t.Helper()
	u, err := e.db.UserByID(context.Background(), e.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// wrong is a code that is not c's.
func wrong(c string) string {
	if c == "000000" {
		return "000001"
	}
	return "000000"
}

func wantField(t *testing.T, err error, field, what string) {
	t.Helper()
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) || ve.Fields[field].In("en") == "" || ve.Fields[field].In("ko") == "" {
		t.Fatalf("%s: got %v, want a bilingual error on %s", what, err, field)
	}
}

func TestContactCodeProvesThePhone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCodeEnv(t, db, "code@example.com", "010-1234-5678")
		ctx := context.Background()
		c := e.send(t, "phone")
		if c.To != "01012345678" || c.Channel != contact.Phone || len(c.Code) != 6 {
			t.Fatalf("message: got to %q channel %s code %q, want the phone's digits and 6 digits", c.To, c.Channel, c.Code)
		}
		if err := e.svc.Confirm(ctx, e.u.ID, "phone", wrong(c.Code)); err == nil {
			t.Fatal("wrong code: got nil, want an error")
		} else {
			wantField(t, err, "code", "wrong code")
		}
		if u := e.user(t); u.PhoneVerifiedAt != nil {
			t.Fatal("a wrong code marked the phone verified")
		}
		e.now = e.now.Add(contact.CodeTTL - time.Second)
		if err := e.svc.Confirm(ctx, e.u.ID, "phone", c.Code); err != nil {
			t.Fatalf("right code a second before expiry: %v", err)
		}
		u := e.user(t)
		if u.PhoneVerifiedAt == nil || !u.PhoneVerifiedAt.Equal(e.now) || u.EmailVerifiedAt != nil {
			t.Fatalf("after confirming: phone verified %v, e-mail %v; want the phone at %v only", u.PhoneVerifiedAt, u.EmailVerifiedAt, e.now)
		}
		if err := e.svc.Confirm(ctx, e.u.ID, "phone", c.Code); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("confirming again: got %v, want ErrConflict", err)
		}
		// The e-mail is proven on its own.
		e.now = e.now.Add(contact.ResendGap)
		m := e.send(t, "email")
		if m.To != "code@example.com" || m.Channel != contact.Email {
			t.Fatalf("e-mail message: got %q %s", m.To, m.Channel)
		}
		if err := e.svc.Confirm(ctx, e.u.ID, "email", m.Code); err != nil || e.user(t).EmailVerifiedAt == nil {
			t.Fatalf("e-mail code: %v, verified %v", err, e.user(t).EmailVerifiedAt)
		}
	})
}

func TestContactCodeRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("expired exactly at its TTL", func(t *testing.T) {
			e := newCodeEnv(t, db, "late@example.com", "01011112222")
			c := e.send(t, "phone")
			e.now = e.now.Add(contact.CodeTTL)
			wantField(t, e.svc.Confirm(ctx, e.u.ID, "phone", c.Code), "code", "expired code")
		})
		t.Run("the sixth guess after five wrong ones", func(t *testing.T) {
			e := newCodeEnv(t, db, "guess@example.com", "01099998888")
			c := e.send(t, "phone")
			for i := range contact.MaxAttempts - 1 {
				if err := e.svc.Confirm(ctx, e.u.ID, "phone", wrong(c.Code)); err == nil {
					t.Fatalf("wrong guess %d accepted", i+1)
				}
			}
			// The fifth guess may still be right...
			e2 := e.svc.Confirm(ctx, e.u.ID, "phone", wrong(c.Code))
			wantField(t, e2, "code", "fifth wrong guess")
			// ...the sixth is refused even when right.
			wantField(t, e.svc.Confirm(ctx, e.u.ID, "phone", c.Code), "code", "right code after five wrong guesses")
			if e.user(t).PhoneVerifiedAt != nil {
				t.Fatal("the phone was verified after the attempts ran out")
			}
		})
		t.Run("a code sent to the old phone", func(t *testing.T) {
			e := newCodeEnv(t, db, "moved@example.com", "010-2222-3333")
			c := e.send(t, "phone")
			sqlDB, err := db.SQL()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sqlDB.ExecContext(ctx, "UPDATE users SET phone = '010-4444-5555' WHERE id = $1", e.u.ID); err != nil {
				t.Fatal(err)
			}
			wantField(t, e.svc.Confirm(ctx, e.u.ID, "phone", c.Code), "code", "code for the old phone")
			if e.user(t).PhoneVerifiedAt != nil {
				t.Fatal("the new phone was verified with the old phone's code")
			}
		})
		t.Run("a superseded code", func(t *testing.T) {
			e := newCodeEnv(t, db, "twice@example.com", "01077776666")
			first := e.send(t, "phone")
			e.now = e.now.Add(contact.ResendGap)
			second := e.send(t, "phone")
			if first.Code != second.Code {
				wantField(t, e.svc.Confirm(ctx, e.u.ID, "phone", first.Code), "code", "the first of two codes")
			}
			if err := e.svc.Confirm(ctx, e.u.ID, "phone", second.Code); err != nil {
				t.Fatalf("the newest code: %v", err)
			}
		})
		t.Run("no phone, bad channel, malformed code", func(t *testing.T) {
			e := newCodeEnv(t, db, "nophone@example.com", "")
			_, err := e.svc.Send(ctx, e.u.ID, "phone")
			wantField(t, err, "channel", "no phone")
			_, err = e.svc.Send(ctx, e.u.ID, "fax")
			wantField(t, err, "channel", "unknown channel")
			wantField(t, e.svc.Confirm(ctx, e.u.ID, "email", "12345"), "code", "five digits")
			wantField(t, e.svc.Confirm(ctx, e.u.ID, "email", "123456"), "code", "no code sent")
		})
	})
}

func TestContactCodeThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCodeEnv(t, db, "busy@example.com", "01033334444")
		ctx := context.Background()
		e.send(t, "phone")
		e.now = e.now.Add(contact.ResendGap - time.Second)
		_, err := e.svc.Send(ctx, e.u.ID, "email")
		var rl *apperr.RateLimited
		if !errors.As(err, &rl) || rl.RetryAfterSeconds != 1 {
			t.Fatalf("a second code 59 s after the first: got %v, want 429 with Retry-After 1", err)
		}
		// Five an hour: the sixth waits for the first to be an hour old.
		start := e.now.Add(-(contact.ResendGap - time.Second))
		for range contact.SendsPerHour - 1 {
			e.now = e.now.Add(contact.ResendGap)
			e.send(t, "phone")
		}
		e.now = e.now.Add(contact.ResendGap)
		_, err = e.svc.Send(ctx, e.u.ID, "phone")
		if !errors.As(err, &rl) || rl.RetryAfterSeconds != int(start.Add(time.Hour).Sub(e.now)/time.Second) {
			t.Fatalf("the sixth code in an hour: got %v, want 429 until the first is an hour old", err)
		}
		e.now = start.Add(time.Hour)
		e.send(t, "phone")
	})
}

// TestChangedAddressLosesItsMark: the schema clears a verified mark when
// its address changes, by any statement; other changes keep it.
func TestChangedAddressLosesItsMark(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		e := newCodeEnv(t, db, "mark@example.com", "010-5555-6666")
		ctx := context.Background()
		sqlDB, err := db.SQL()
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string) {
			t.Helper()
			if _, err := sqlDB.ExecContext(ctx, q+" WHERE id = $1", e.u.ID); err != nil {
				t.Fatal(err)
			}
		}
		exec("UPDATE users SET phone_verified_at = created_at, email_verified_at = created_at")
		for _, step := range []struct {
			name, update string
			phone, email bool // still verified
		}{
			{"a new name", "UPDATE users SET name = '김영희'", true, true},
			{"the same phone and e-mail written again", "UPDATE users SET phone = '010-5555-6666', email = 'mark@example.com'", true, true},
			{"the e-mail in capitals", "UPDATE users SET email = 'MARK@example.com'", true, true},
			{"a new phone", "UPDATE users SET phone = '010-7777-8888'", false, true},
			{"a new e-mail", "UPDATE users SET email = 'other@example.com'", false, false},
		} {
			exec(step.update)
			u := e.user(t)
			if (u.PhoneVerifiedAt != nil) != step.phone || (u.EmailVerifiedAt != nil) != step.email {
				t.Fatalf("after %s: phone verified %v, e-mail %v; want %t, %t", step.name, u.PhoneVerifiedAt, u.EmailVerifiedAt, step.phone, step.email)
			}
		}
	})
}
