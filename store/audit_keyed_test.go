package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
	"github.com/bosang/bosang/store/dbtest"
)

// forgeSeal chains the unsealed entry seq at position pos after prevHash
// with the given hash, the way anyone who can write to the database can:
// the append-only triggers let chain fields be set on an unsealed row, so
// no trigger has to be dropped.
func forgeSeal(t *testing.T, db *store.DB, seq, pos int64, prevHash, hash, alg string) {
	t.Helper()
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	q := fmt.Sprintf("UPDATE audit_entries SET chain_pos = %d, prev_hash = '%s', hash = '%s', hash_alg = '%s' WHERE seq = %d",
		pos, prevHash, hash, alg, seq)
	if _, err := sqlDB.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// appendForged appends a record as any writer may, then chains it by hand
// after the head of chain with a hash computed by hashOf.
func appendForged(t *testing.T, db *store.DB, svc *audit.Service, chain []models.AuditEntry, alg string,
	hashOf func(prev string, e *models.AuditEntry) string) *models.AuditEntry {
	t.Helper()
	ctx := context.Background()
	r := record(99)
	r.Action, r.Details = "claim.decide", map[string]any{"amount_krw": 9_000_000}
	if _, err := svc.Append(ctx, nil, r); err != nil {
		t.Fatal(err)
	}
	list, err := db.Audit().UnsealedEntries(ctx, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("unsealed: got %d, %v; want the forged entry", len(list), err)
	}
	e := &list[0]
	head := chain[len(chain)-1]
	e.HashAlg = alg
	forgeSeal(t, db, e.Seq, *head.ChainPos+1, head.Hash, hashOf(head.Hash, e), alg)
	return e
}

// TestAuditForgedRowFailsWithoutTheKey: a row appended to the end of the
// chain with a correctly computed plain SHA-256 used to pass every
// verification; now the chain is keyed and only the audit key, which the
// database never holds, makes a hash that verifies.
func TestAuditForgedRowFailsWithoutTheKey(t *testing.T) {
	otherKey, err := audit.NewKey([]byte("not the server's audit key, 32 b"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		alg    string
		hashOf func(prev string, e *models.AuditEntry) string
		reason string
	}{
		{"plain SHA-256, marked unkeyed like the entries before the key", audit.AlgSHA256, audit.Hash, "unkeyed"},
		{"plain SHA-256, marked keyed", audit.AlgHMACSHA256, audit.Hash, "hash mismatch"},
		{"HMAC under another key", audit.AlgHMACSHA256, otherKey.Entry, "hash mismatch"},
		{"the server's key (control: the forgery needs the key)", audit.AlgHMACSHA256, testKey.Entry, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				svc := newAudit(db)
				chain := sealedChain(t, db, svc, 5)
				forged := appendForged(t, db, svc, chain, tc.alg, tc.hashOf)
				res := verify(t, svc)
				if tc.reason == "" {
					if !res.OK || res.Entries != 6 {
						t.Fatalf("got %+v, want ok with 6 entries", res)
					}
					return
				}
				b := res.FirstBroken
				if res.OK || b == nil || b.ChainPos != 6 || b.ID != forged.ID || !strings.HasPrefix(b.Reason, tc.reason) {
					t.Fatalf("got %+v (first broken %+v), want the forged entry at 6 broken: %s", res, b, tc.reason)
				}
				if res.Entries != 5 {
					t.Errorf("entries intact: got %d, want 5", res.Entries)
				}
			})
		})
	}
}

// legacyChain appends n entries and seals them as Bosang did before the
// chain was keyed (plain SHA-256, an empty hash_alg), with an unsigned
// checkpoint of the head as `bosang audit checkpoint` recorded then.
func legacyChain(t *testing.T, db *store.DB, svc *audit.Service, n int) []models.AuditEntry {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if _, err := svc.Append(ctx, nil, record(i)); err != nil {
			t.Fatal(err)
		}
	}
	err := db.Audit().SealTx(ctx, func(tx audit.SealTx) error {
		list, err := tx.UnsealedEntries(ctx, n)
		if err != nil {
			return err
		}
		prev := audit.Genesis
		for i := range list {
			h := audit.Hash(prev, &list[i])
			if err := tx.SealEntry(ctx, list[i].Seq, int64(i+1), prev, h, audit.AlgSHA256); err != nil {
				return err
			}
			prev = h
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	chain, err := db.Audit().AuditChain(ctx, 0, n+1)
	if err != nil || len(chain) != n {
		t.Fatalf("legacy chain: got %d, %v", len(chain), err)
	}
	head := chain[n-1]
	if err := db.Audit().AddAuditCheckpoint(ctx, &models.AuditCheckpoint{ChainPos: int64(n), Hash: head.Hash, At: head.At}); err != nil {
		t.Fatal(err)
	}
	return chain
}

// TestAuditUnkeyedEntriesBeforeTheKeyStillVerify: a chain sealed before the
// key existed keeps verifying, the keyed entries continue it, and the
// first keyed entry, whose keyed hash covers the link to the unkeyed ones,
// protects them: rewriting them with correct plain hashes breaks it.
func TestAuditUnkeyedEntriesBeforeTheKeyStillVerify(t *testing.T) {
	cases := []struct {
		name   string
		attack func(t *testing.T, db *store.DB, chain []models.AuditEntry) (pos int64, reason string)
	}{
		{"untouched", func(t *testing.T, db *store.DB, chain []models.AuditEntry) (int64, string) { return 0, "" }},
		{"unkeyed entries rewritten with correct plain hashes", func(t *testing.T, db *store.DB, chain []models.AuditEntry) (int64, string) {
			var stmts []string
			prev := audit.Genesis
			for _, e := range chain[:5] {
				e.IP = "198.51.100.9"
				h := audit.Hash(prev, &e)
				stmts = append(stmts, fmt.Sprintf("UPDATE audit_entries SET ip = '%s', prev_hash = '%s', hash = '%s' WHERE chain_pos = %d",
					e.IP, prev, h, *e.ChainPos))
				prev = h
			}
			stmts = append(stmts, "DELETE FROM audit_checkpoints")
			tamper(t, db, stmts...)
			return 6, "broken link"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				svc := newAudit(db)
				legacyChain(t, db, svc, 5)
				if res := verify(t, svc); !res.OK || res.Entries != 5 {
					t.Fatalf("unkeyed chain alone: got %+v, want ok with 5 entries", res)
				}
				for i := range 4 {
					if _, err := svc.Append(ctx, nil, record(10+i)); err != nil {
						t.Fatal(err)
					}
				}
				if n, err := svc.Seal(ctx, 0); err != nil || n != 4 {
					t.Fatalf("keyed seal after the unkeyed entries: got %d, %v; want 4", n, err)
				}
				chain, _ := db.Audit().AuditChain(ctx, 0, 20)
				for i, e := range chain {
					if want := map[bool]string{true: audit.AlgSHA256, false: audit.AlgHMACSHA256}[i < 5]; e.HashAlg != want {
						t.Fatalf("entry %d sealed with %q, want %q", i+1, e.HashAlg, want)
					}
				}
				pos, reason := tc.attack(t, db, chain)
				res := verify(t, svc)
				if reason == "" {
					if !res.OK || res.Entries != 9 || res.Head != chain[8].Hash {
						t.Fatalf("got %+v, want ok with 9 entries", res)
					}
					cp, err := svc.Checkpoint(ctx)
					if err != nil || cp.ChainPos != 9 || !testKey.Signed(*cp) {
						t.Fatalf("checkpoint over unkeyed and keyed entries: got %+v, %v; want a signed one at 9", cp, err)
					}
					return
				}
				if b := res.FirstBroken; res.OK || b == nil || b.ChainPos != pos || !strings.HasPrefix(b.Reason, reason) {
					t.Fatalf("got %+v (first broken %+v), want broken at %d: %s", res, res.FirstBroken, pos, reason)
				}
			})
		})
	}
}

// TestAuditCheckpointsComparedWithTheExport: checkpoints are signed and
// exported to an append-only file; whatever is done to the database's
// checkpoints (wiped, rewritten, moved to match a truncated chain) is
// reported by Verify, which is what the API and the CLI run. The control
// rows show what a verification without the file would miss.
func TestAuditCheckpointsComparedWithTheExport(t *testing.T) {
	type want struct {
		entryPos    int64  // first broken entry, 0 for none
		entryReason string // its reason's prefix
		cpPos       int64  // first broken checkpoint, 0 for none
		cpReason    string
	}
	cases := []struct {
		name        string
		attack      func(t *testing.T, db *store.DB, file string, chain []models.AuditEntry)
		withFile    want
		withoutFile want
	}{
		{"untouched", func(*testing.T, *store.DB, string, []models.AuditEntry) {}, want{}, want{}},
		{"checkpoints wiped with the chain's tail", func(t *testing.T, db *store.DB, _ string, _ []models.AuditEntry) {
			tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos > 7", "DELETE FROM audit_checkpoints")
		}, want{8, "truncated", 10, "wiped"}, want{}},
		{"checkpoint hash rewritten", func(t *testing.T, db *store.DB, _ string, chain []models.AuditEntry) {
			tamper(t, db, fmt.Sprintf("UPDATE audit_checkpoints SET hash = '%s' WHERE chain_pos = 10", chain[4].Hash))
		}, want{0, "", 10, "rewritten"}, want{0, "", 10, "forged"}},
		{"checkpoint moved to match a truncated chain", func(t *testing.T, db *store.DB, _ string, chain []models.AuditEntry) {
			tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos > 7",
				fmt.Sprintf("UPDATE audit_checkpoints SET chain_pos = 7, hash = '%s' WHERE chain_pos = 10", chain[6].Hash))
		}, want{8, "truncated", 7, "forged"}, want{0, "", 7, "forged"}},
		{"checkpoint replaced by an unsigned one", func(t *testing.T, db *store.DB, _ string, chain []models.AuditEntry) {
			tamper(t, db, "DELETE FROM audit_entries WHERE chain_pos > 7", "DELETE FROM audit_checkpoints")
			if err := db.Audit().AddAuditCheckpoint(context.Background(), &models.AuditCheckpoint{ChainPos: 7, Hash: chain[6].Hash, At: chain[6].At}); err != nil {
				t.Fatal(err)
			}
		}, want{8, "truncated", 7, "unsigned"}, want{0, "", 7, "unsigned"}},
		{"whole chain rehashed unkeyed, checkpoints wiped", func(t *testing.T, db *store.DB, _ string, chain []models.AuditEntry) {
			stmts := []string{"DELETE FROM audit_checkpoints"}
			prev := audit.Genesis
			for _, e := range chain {
				e.HashAlg = audit.AlgSHA256
				e.Details = `{}`
				h := audit.Hash(prev, &e)
				stmts = append(stmts, fmt.Sprintf("UPDATE audit_entries SET details = '{}', hash_alg = '', prev_hash = '%s', hash = '%s' WHERE chain_pos = %d",
					prev, h, *e.ChainPos))
				prev = h
			}
			tamper(t, db, stmts...)
		}, want{10, "checkpoint mismatch", 10, "wiped"}, want{}},
		{"exported line edited", func(t *testing.T, _ *store.DB, file string, chain []models.AuditEntry) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			edited := strings.Replace(string(b), chain[9].Hash, chain[4].Hash, 1)
			if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
				t.Fatal(err)
			}
		}, want{0, "", 10, "export forged"}, want{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				file := filepath.Join(t.TempDir(), "audit", "checkpoints.jsonl")
				svc := newAudit(db).ExportTo(audit.NewFileLog(file))
				chain := sealedChain(t, db, svc, 10)
				cp, err := svc.Checkpoint(ctx)
				if err != nil || cp.ChainPos != 10 || !testKey.Signed(*cp) {
					t.Fatalf("checkpoint: got %+v, %v; want a signed one at 10", cp, err)
				}
				if n, err := svc.Export(ctx); err != nil || n != 1 {
					t.Fatalf("export: got %d, %v; want 1", n, err)
				}
				tc.attack(t, db, file, chain)
				check := func(name string, svc *audit.Service, w want) {
					t.Helper()
					res := verify(t, svc)
					if w.entryPos == 0 && w.cpPos == 0 {
						if !res.OK || res.FirstBroken != nil || len(res.BrokenCheckpoints) != 0 {
							t.Errorf("%s: got %+v, want ok", name, res)
						}
						return
					}
					if res.OK {
						t.Errorf("%s: got ok, want broken", name)
					}
					switch b := res.FirstBroken; {
					case w.entryPos == 0 && b != nil:
						t.Errorf("%s: entry %d blamed (%s), want the chain intact", name, b.ChainPos, b.Reason)
					case w.entryPos != 0 && (b == nil || b.ChainPos != w.entryPos || !strings.HasPrefix(b.Reason, w.entryReason)):
						t.Errorf("%s: first broken %+v, want %d: %s", name, b, w.entryPos, w.entryReason)
					}
					cps := res.BrokenCheckpoints
					switch {
					case w.cpPos == 0 && len(cps) != 0:
						t.Errorf("%s: broken checkpoints %+v, want none", name, cps)
					case w.cpPos != 0 && (len(cps) == 0 || cps[0].ChainPos != w.cpPos || !strings.HasPrefix(cps[0].Reason, w.cpReason)):
						t.Errorf("%s: broken checkpoints %+v, want %d: %s first", name, cps, w.cpPos, w.cpReason)
					}
				}
				check("with the export", svc, tc.withFile)
				check("without the export", newAudit(db), tc.withoutFile)
			})
		})
	}
}

// TestAuditExportAppendsOnly: the export appends each checkpoint once, in
// order, to a 0600 file it never rewrites, and refuses to append after a
// line cut short, which verification ignores.
func TestAuditExportAppendsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		file := filepath.Join(t.TempDir(), "cp", "checkpoints.jsonl")
		log := audit.NewFileLog(file)
		svc := newAudit(db).ExportTo(log)
		if _, err := svc.Checkpoint(ctx); err == nil {
			t.Fatal("checkpoint of an empty chain: got no error")
		}
		sealedChain(t, db, svc, 3)
		for round := range 3 {
			if _, err := svc.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			if round == 1 {
				if _, err := svc.Append(ctx, nil, record(50)); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Seal(ctx, 0); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := svc.Export(ctx); err != nil {
				t.Fatal(err)
			}
		}
		held, err := log.Checkpoints(ctx)
		if err != nil || len(held) != 2 || held[0].ChainPos != 3 || held[1].ChainPos != 4 {
			t.Fatalf("exported: got %+v, %v; want checkpoints 3 and 4 once each", held, err)
		}
		if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("checkpoint file: %v; want mode 0600", err)
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(`{"chain_pos":5,"ha`)
		f.Close()
		if res := verify(t, svc); !res.OK || res.Exported != 2 {
			t.Errorf("with a line cut short: got %+v, want ok comparing 2 exported checkpoints", res)
		}
		if err := log.Append(ctx, held[:1]); err == nil {
			t.Error("append after a line cut short: got no error")
		}
	})
}
