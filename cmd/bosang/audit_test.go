package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/store"
)

// TestAuditCommandComparesTheCheckpointFile: `bosang audit checkpoint`
// signs the head and appends it to the checkpoint file under the data
// directory; `bosang audit verify` then reports the chain's tail and its
// checkpoints wiped from the database (exit 1), which a verification of the
// database alone cannot see.
func TestAuditCommandComparesTheCheckpointFile(t *testing.T) {
	eachDialect(t, func(t *testing.T, getenv func(string) string) {
		ctx := context.Background()
		a, err := open(ctx, getenv)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for i := range 5 {
			if _, err := a.audit.Append(ctx, nil, audit.Record{Action: "outage.create", Entity: audit.EntityOutage, EntityID: "o" + string(rune('a'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		var out bytes.Buffer
		if err := run(ctx, []string{"audit", "checkpoint"}, getenv, &out); err != nil {
			t.Fatalf("audit checkpoint: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "checkpoint 5 ") || !strings.Contains(out.String(), "appended 1 to the checkpoint file") {
			t.Fatalf("audit checkpoint printed %q, want checkpoint 5 appended to the file", out.String())
		}
		file := filepath.Join(getenv("BOSANG_DATA_DIR"), "audit", "checkpoints.jsonl")
		if b, err := os.ReadFile(file); err != nil || strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), `"sig":"`) {
			t.Fatalf("checkpoint file: %q, %v; want one signed line", b, err)
		}
		out.Reset()
		if err := run(ctx, []string{"audit", "verify"}, getenv, &out); err != nil || !strings.HasPrefix(out.String(), "ok\n") {
			t.Fatalf("verify before: %v\n%s", err, out.String())
		}

		sqlDB, _ := a.db.SQL()
		stmts := []string{"ALTER TABLE audit_entries DISABLE TRIGGER USER", "ALTER TABLE audit_checkpoints DISABLE TRIGGER USER"}
		if a.db.Dialect() == store.SQLite {
			stmts = []string{"DROP TRIGGER audit_entries_no_delete", "DROP TRIGGER audit_checkpoints_no_delete"}
		}
		for _, q := range append(stmts, "DELETE FROM audit_entries WHERE chain_pos > 3", "DELETE FROM audit_checkpoints") {
			if _, err := sqlDB.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		out.Reset()
		err = run(ctx, []string{"audit", "verify"}, getenv, &out)
		if !errors.Is(err, errAuditBroken) {
			t.Fatalf("verify after the wipe: got %v, want errAuditBroken (exit 1)\n%s", err, out.String())
		}
		for _, want := range []string{"BROKEN", "chain_pos 4", "reason    truncated", "checkpoint 5: wiped"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("verify printed\n%s\nwant %q", out.String(), want)
			}
		}
	})
}
