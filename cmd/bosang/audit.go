package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/config"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/store"
)

const auditUsage = "usage: bosang audit verify [--checkpoints FILE] | seal | checkpoint [--export FILE]"

// errAuditBroken makes `bosang audit verify` exit 1 after printing the
// first broken entry.
var errAuditBroken = errors.New("audit chain broken")

func auditCmd(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return usageError(auditUsage)
	}
	fs := flag.NewFlagSet("audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cpFile := fs.String("checkpoints", "", "also verify against checkpoints exported to FILE")
	export := fs.String("export", "", "write every checkpoint to FILE as JSON lines")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return usageError(auditUsage)
	}
	sub := args[0]
	if sub != "verify" && sub != "seal" && sub != "checkpoint" || *cpFile != "" && sub != "verify" || *export != "" && sub != "checkpoint" {
		return usageError(auditUsage)
	}
	a, err := open(ctx, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	svc := a.audit
	switch sub {
	case "verify":
		return auditVerify(ctx, svc, *cpFile, out)
	case "seal":
		return auditSeal(ctx, svc, out)
	}
	return auditCheckpoint(ctx, svc, *export, out)
}

// newAuditService keys the audit chain with the configured key and exports
// its signed checkpoints to the configured append-only file.
func newAuditService(db *store.DB, cfg *config.Config) (*audit.Service, error) {
	key, err := audit.NewKey(cfg.AuditKey)
	if err != nil {
		return nil, err
	}
	return audit.NewService(db.Audit(), key, time.Now, newID).ExportTo(audit.NewFileLog(cfg.AuditCheckpointFile)), nil
}

func auditVerify(ctx context.Context, svc *audit.Service, cpFile string, out io.Writer) error {
	var extra []models.AuditCheckpoint
	if cpFile != "" {
		f, err := os.Open(cpFile)
		if err != nil {
			return err
		}
		extra, err = audit.ReadCheckpoints(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", cpFile, err)
		}
	}
	res, err := svc.VerifyWith(ctx, extra)
	if err != nil {
		return err
	}
	if res.OK {
		fmt.Fprintf(out, "ok\nentries  %d\nhead     %s\nunsealed %d\nexported %d checkpoints compared\n", res.Entries, res.Head, res.Unsealed, res.Exported)
		return nil
	}
	fmt.Fprintln(out, "BROKEN")
	if b := res.FirstBroken; b != nil {
		fmt.Fprintf(out, "chain_pos %d\nid        %s\nreason    %s\nintact    %d entries before it\n", b.ChainPos, b.ID, b.Reason, res.Entries)
	}
	for _, b := range res.BrokenCheckpoints {
		fmt.Fprintf(out, "checkpoint %d: %s\n", b.ChainPos, b.Reason)
	}
	return errAuditBroken
}

// auditSeal seals everything pending, in batches.
func auditSeal(ctx context.Context, svc *audit.Service, out io.Writer) error {
	total, err := svc.SealPending(ctx, audit.SealBatch)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sealed %d\n", total)
	return nil
}

// auditCheckpoint seals what is pending, verifies the chain, records its
// signed head, appends it to the checkpoint file (BOSANG_AUDIT_CHECKPOINT_FILE)
// and optionally writes every checkpoint to another file.
func auditCheckpoint(ctx context.Context, svc *audit.Service, export string, out io.Writer) error {
	if err := auditSeal(ctx, svc, io.Discard); err != nil {
		return err
	}
	cp, err := svc.Checkpoint(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "checkpoint %d %s\n", cp.ChainPos, cp.Hash)
	n, err := svc.Export(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "appended %d to the checkpoint file\n", n)
	if export == "" {
		return nil
	}
	f, err := os.OpenFile(export, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := svc.ExportCheckpoints(ctx, f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "exported to %s\n", export)
	return nil
}
