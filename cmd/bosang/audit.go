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

func newAuditService(db *store.DB) *audit.Service {
	return audit.NewService(db.Audit(), time.Now, newID)
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
		fmt.Fprintf(out, "ok\nentries  %d\nhead     %s\nunsealed %d\n", res.Entries, res.Head, res.Unsealed)
		return nil
	}
	b := res.FirstBroken
	fmt.Fprintf(out, "BROKEN\nchain_pos %d\nid        %s\nreason    %s\nintact    %d entries before it\n", b.ChainPos, b.ID, b.Reason, res.Entries)
	return errAuditBroken
}

// auditSeal seals everything pending, in batches.
func auditSeal(ctx context.Context, svc *audit.Service, out io.Writer) error {
	total := 0
	for {
		n, err := svc.Seal(ctx, 1000)
		total += n
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	fmt.Fprintf(out, "sealed %d\n", total)
	return nil
}

// auditCheckpoint seals what is pending, verifies the chain, records its
// head and optionally exports every checkpoint to a file.
func auditCheckpoint(ctx context.Context, svc *audit.Service, export string, out io.Writer) error {
	if err := auditSeal(ctx, svc, io.Discard); err != nil {
		return err
	}
	cp, err := svc.Checkpoint(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "checkpoint %d %s\n", cp.ChainPos, cp.Hash)
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

// runAuditSealer chains appended audit entries every second until ctx ends.
func (a *app) runAuditSealer(ctx context.Context) {
	audit.NewSealer(a.audit, a.log).Run(ctx, time.Second)
}
