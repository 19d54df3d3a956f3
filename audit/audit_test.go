package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

func ptr(s string) *string { return &s }

func sample() *models.AuditEntry {
	return &models.AuditEntry{
		Seq: 7, ID: "0190f3c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6",
		At:      time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.FixedZone("KST", 9*3600)),
		ActorID: ptr("0190f3c2-0000-7000-8000-000000000001"), ActorRole: "reviewer", IP: "203.0.113.7",
		Action: "claim.view", Entity: "claim", EntityID: "0190f3c2-0000-7000-8000-0000000000aa",
		SubjectID: ptr("0190f3c2-0000-7000-8000-0000000000bb"), Details: `{"fields":["payout_account"],"note":"<&>"}`,
	}
}

func TestCanonical(t *testing.T) {
	t.Run("fixed field order, UTC RFC 3339 nanoseconds, no HTML escaping", func(t *testing.T) {
		got := string(audit.Canonical(sample()))
		want := `{"v":1,"id":"0190f3c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6","at":"2024-01-01T18:04:05.123456Z",` +
			`"actor_id":"0190f3c2-0000-7000-8000-000000000001","actor_role":"reviewer","ip":"203.0.113.7",` +
			`"action":"claim.view","entity":"claim","entity_id":"0190f3c2-0000-7000-8000-0000000000aa",` +
			`"subject_id":"0190f3c2-0000-7000-8000-0000000000bb","details":"{\"fields\":[\"payout_account\"],\"note\":\"<&>\"}"}`
		if got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
	t.Run("system actor and no subject are null", func(t *testing.T) {
		e := sample()
		e.ActorID, e.SubjectID = nil, nil
		got := string(audit.Canonical(e))
		if !strings.Contains(got, `"actor_id":null`) || !strings.Contains(got, `"subject_id":null`) {
			t.Errorf("got %s, want null actor_id and subject_id", got)
		}
	})
	t.Run("seq and chain fields are not hashed", func(t *testing.T) {
		a, b := sample(), sample()
		pos := int64(9)
		b.Seq, b.ChainPos, b.PrevHash, b.Hash = 99, &pos, "x", "y"
		if audit.Hash(audit.Genesis, a) != audit.Hash(audit.Genesis, b) {
			t.Error("hash depends on seq or chain fields")
		}
	})
	t.Run("the same instant in another zone hashes the same", func(t *testing.T) {
		a, b := sample(), sample()
		b.At = a.At.UTC()
		if audit.Hash(audit.Genesis, a) != audit.Hash(audit.Genesis, b) {
			t.Error("hash depends on the time zone")
		}
	})
}

func TestHashChaining(t *testing.T) {
	e := sample()
	h1 := audit.Hash(audit.Genesis, e)
	if len(h1) != 64 || strings.ToLower(h1) != h1 {
		t.Fatalf("hash %q: want 64 lowercase hex characters", h1)
	}
	// Pinned: if this changes, every stored chain stops verifying.
	if want := "de5e952ed9288822da9857956cefddfd82884abf66f79ad668b0f840e711b174"; h1 != want {
		t.Errorf("hash of the sample after genesis: got %s, want %s", h1, want)
	}
	if h2 := audit.Hash(h1, e); h2 == h1 {
		t.Error("the hash does not depend on prev_hash")
	}
	for name, edit := range map[string]func(e *models.AuditEntry){
		"action":     func(e *models.AuditEntry) { e.Action = "claim.decide" },
		"at":         func(e *models.AuditEntry) { e.At = e.At.Add(time.Microsecond) },
		"actor":      func(e *models.AuditEntry) { e.ActorID = nil },
		"subject":    func(e *models.AuditEntry) { e.SubjectID = ptr("0190f3c2-0000-7000-8000-0000000000cc") },
		"details":    func(e *models.AuditEntry) { e.Details = `{}` },
		"ip":         func(e *models.AuditEntry) { e.IP = "203.0.113.8" },
		"entity id":  func(e *models.AuditEntry) { e.EntityID += "0" },
		"actor role": func(e *models.AuditEntry) { e.ActorRole = "admin" },
	} {
		t.Run("editing "+name+" changes the hash", func(t *testing.T) {
			x := sample()
			edit(x)
			if audit.Hash(audit.Genesis, x) == h1 {
				t.Errorf("hash unchanged after editing %s", name)
			}
		})
	}
}

func TestAppendValidates(t *testing.T) {
	svc := audit.NewService(nil, audit.Key{}, time.Now, func() string { return "0190f3c2-0000-7000-8000-0000000000ff" })
	var got *models.AuditEntry
	to := appenderFunc(func(_ context.Context, e *models.AuditEntry) error { got = e; return nil })
	ok := audit.Record{ActorID: "0190F3C2-0000-7000-8000-000000000001", Action: "claim.view", Entity: "claim", EntityID: "c1",
		IP: "203.0.113.7", Details: map[string]any{"why": "review"}}
	if _, err := svc.Append(context.Background(), to, ok); err != nil {
		t.Fatalf("valid record: %v", err)
	}
	if *got.ActorID != "0190f3c2-0000-7000-8000-000000000001" || got.Details != `{"why":"review"}` || got.At.Nanosecond()%1000 != 0 {
		t.Errorf("got actor %s details %s at %v: want lowercase UUID, JSON details, microseconds", *got.ActorID, got.Details, got.At)
	}
	for name, r := range map[string]audit.Record{
		"action without verb": {Action: "claim", Entity: "claim", EntityID: "c1"},
		"unknown entity":      {Action: "claim.view", Entity: "claimant", EntityID: "c1"},
		"no entity id":        {Action: "claim.view", Entity: "claim"},
		"actor not a UUID":    {Action: "claim.view", Entity: "claim", EntityID: "c1", ActorID: "kim"},
		"details not JSON":    {Action: "claim.view", Entity: "claim", EntityID: "c1", Details: func() {}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := svc.Append(context.Background(), to, r); err == nil {
				t.Errorf("%s: got no error, want a validation error", name)
			}
		})
	}
}

type appenderFunc func(context.Context, *models.AuditEntry) error

func (f appenderFunc) AppendAudit(ctx context.Context, e *models.AuditEntry) error { return f(ctx, e) }

func TestReadCheckpoints(t *testing.T) {
	h := strings.Repeat("ab", 32)
	got, err := audit.ReadCheckpoints(strings.NewReader(fmt.Sprintf(`{"chain_pos":5,"hash":"%s","at":"2024-01-01T00:00:00Z"}`+"\n\n", h)))
	if err != nil || len(got) != 1 || got[0].ChainPos != 5 || got[0].Hash != h {
		t.Fatalf("got %v, %v; want one checkpoint at 5", got, err)
	}
	if _, err := audit.ReadCheckpoints(strings.NewReader(`{"chain_pos":0,"hash":"x"}`)); err == nil {
		t.Error("malformed line: got no error")
	}
}

func TestKey(t *testing.T) {
	if _, err := audit.NewKey(make([]byte, 31)); err == nil {
		t.Error("a 31-byte key: got no error, want at least 32 bytes required")
	}
	k, err := audit.NewKey([]byte("bosang audit test key, 32 bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := audit.NewKey([]byte("bosang audit test key, 32 bytes?"))
	e := sample()
	keyed := k.Entry(audit.Genesis, e)
	// Pinned (computed independently: HMAC-SHA256 under HMAC-SHA256(secret,
	// "bosang audit entry v1") of genesis || canonical): if this changes,
	// every keyed chain stops verifying.
	if want := "f3d639a466100c8d72778da299709fd95468d80ec142ab8feee255e5779375a0"; keyed != want {
		t.Errorf("keyed hash of the sample after genesis: got %s, want %s", keyed, want)
	}
	switch {
	case keyed == audit.Hash(audit.Genesis, e):
		t.Error("the keyed hash equals the plain SHA-256")
	case keyed == other.Entry(audit.Genesis, e):
		t.Error("the keyed hash does not depend on the key")
	case keyed == k.Entry(keyed, e):
		t.Error("the keyed hash does not depend on prev_hash")
	}
	cp := models.AuditCheckpoint{ChainPos: 5, Hash: keyed, At: time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)}
	cp.Sig = k.Sign(cp)
	if !k.Signed(cp) || other.Signed(cp) {
		t.Fatalf("signature: valid under its key %v, under another %v; want true, false", k.Signed(cp), other.Signed(cp))
	}
	for name, edit := range map[string]func(*models.AuditCheckpoint){
		"position":       func(c *models.AuditCheckpoint) { c.ChainPos++ },
		"hash":           func(c *models.AuditCheckpoint) { c.Hash = audit.Genesis },
		"time":           func(c *models.AuditCheckpoint) { c.At = c.At.Add(time.Microsecond) },
		"no signature":   func(c *models.AuditCheckpoint) { c.Sig = "" },
		"entry key used": func(c *models.AuditCheckpoint) { c.Sig = k.Entry(audit.Genesis, e) },
	} {
		x := cp
		edit(&x)
		if k.Signed(x) {
			t.Errorf("checkpoint with its %s changed still verifies", name)
		}
	}
}
