package claims

import (
	"context"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/records"
)

// StagedEvidence is an evidence file checked and kept in the blob store
// whose record is not written yet. The caller writes Evidence, and Job (the
// review job a new file calls for: its fraud signals), in the transaction of
// the change the file goes with, and calls Discard when that change fails,
// so that no file is left without its change or change without its file.
// Evidence goes with its Audit entry.
type StagedEvidence struct {
	Evidence *models.Evidence
	// Audit is the audit entry of recording Evidence, written with it.
	Audit *models.AuditEntry
	Job   *models.OutboxMessage
	blobs Blobs
}

// StageEvidence checks and stores up for claim c as AddEvidence does (the
// kind, the number of files, the size, the type from the bytes; sales and
// trip records must parse), without recording it. c must be the caller's
// own claim (OwnClaim). The records do not re-price the claim: a staged file
// goes with a decided claim, and the person deciding again weighs it. A bad
// kind or an unreadable record file is a *apperr.ValidationError; too large
// apperr.ErrTooLarge; an unaccepted type apperr.ErrUnsupportedType.
func (s *Service) StageEvidence(ctx context.Context, c *models.Claim, up Upload) (*StagedEvidence, error) {
	e, err := s.putEvidence(ctx, c, up)
	if err != nil {
		return nil, err
	}
	if err := s.checkRecords(ctx, e); err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
		return nil, err
	}
	a, err := s.auditEntry(ctx, evidenceRecord(c, e))
	if err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
		return nil, err
	}
	return &StagedEvidence{Evidence: e, Audit: a, Job: s.reviewJob(c.ID, "evidence", e.CreatedAt), blobs: s.blobs}, nil
}

// Discard removes the staged file; a nil StagedEvidence is nothing to remove.
func (st *StagedEvidence) Discard(ctx context.Context) {
	if st == nil {
		return
	}
	st.blobs.Delete(ctx, st.Evidence.StorageKey) //nolint:errcheck // a leftover blob is unreachable without its record
}

// checkRecords refuses sales or trip records that are not a CSV or XLSX
// file, or that do not parse, with the line and column at fault.
func (s *Service) checkRecords(ctx context.Context, e *models.Evidence) error {
	if e.Kind != "sales_records" && e.Kind != "trip_records" {
		return nil
	}
	if e.ContentType != TypeCSV && e.ContentType != TypeXLSX {
		return apperr.InvalidMsg("file", apperr.M("claims.records_format"))
	}
	f, err := s.blobs.Open(ctx, e.StorageKey)
	if err != nil {
		return err
	}
	defer f.Close()
	if e.Kind == "sales_records" {
		_, err = records.ParseSales(f, kst)
	} else {
		_, err = records.ParseTrips(f, kst)
	}
	if err != nil {
		return recordsError(err)
	}
	return nil
}
