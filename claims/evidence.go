package claims

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/estimate"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/records"
)

// Blobs stores evidence files by server-generated key.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
}

// EvidenceLimits bound uploads.
type EvidenceLimits struct {
	MaxFileBytes     int64
	MaxFilesPerClaim int
}

// DefaultEvidenceLimits is 10 MiB a file and 20 files a claim.
var DefaultEvidenceLimits = EvidenceLimits{MaxFileBytes: 10 << 20, MaxFilesPerClaim: 20}

// EvidenceKinds are the kinds of evidence a claimant can upload.
var EvidenceKinds = []string{"sales_records", "trip_records", "business_certificate", "billing", "driver_id",
	"bank_account", "screenshot", "logs", "other"}

// Content types Bosang accepts, decided from the bytes.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
	TypeCSV  = "text/csv"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Upload is one file as received.
type Upload struct {
	Kind string
	Name string
	Body io.Reader
}

// AddEvidence stores a file for the owner's claim: the type is decided by
// the bytes, the size capped while streaming, the name kept for display only.
// Sales and trip records are parsed and the claim re-priced with them; a bad
// line is a *records.LineError (422). Another claimant's claim is ErrNotFound.
func (s *Service) AddEvidence(ctx context.Context, owner *models.User, claimID string, up Upload) (*EvidenceView, error) {
	c, err := s.OwnClaim(ctx, owner, claimID)
	if err != nil {
		return nil, err
	}
	e, err := s.putEvidence(ctx, c, up)
	if err != nil {
		return nil, err
	}
	if err := s.useRecords(ctx, c, e); err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
		return nil, err
	}
	a, err := s.auditEntry(ctx, evidenceRecord(c, e))
	if err == nil {
		// The file, its audit entry and the review job it calls for: one
		// use case, one transaction.
		err = s.store.InTx(ctx, func(tx Store) error {
			if err := tx.AddEvidence(ctx, e, a); err != nil {
				return err
			}
			return tx.Enqueue(ctx, s.reviewJob(c.ID, "evidence", s.now().UTC()))
		})
	}
	if err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
		return nil, err
	}
	s.changed(ctx, c.ID)
	return &EvidenceView{ID: e.ID, Kind: e.Kind, Name: e.OriginalName, SHA256: e.SHA256, Size: e.Size, ContentType: e.ContentType, CreatedAt: e.CreatedAt}, nil
}

// putEvidence checks an upload's kind and the claim's file count, then
// streams the file to the blob store (see storeFile). The returned record
// is not stored yet; on error nothing stays in the blob store.
func (s *Service) putEvidence(ctx context.Context, c *models.Claim, up Upload) (*models.Evidence, error) {
	if !slices.Contains(EvidenceKinds, up.Kind) {
		return nil, apperr.InvalidMsg("kind", apperr.M("claims.evidence_kind_missing"))
	}
	existing, err := s.store.EvidenceOf(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= s.limits.MaxFilesPerClaim {
		return nil, apperr.InvalidMsg("file", apperr.M("claims.evidence_too_many", map[string]any{"max": s.limits.MaxFilesPerClaim}))
	}
	e := &models.Evidence{ID: s.newID(), ClaimID: c.ID, Kind: up.Kind, OriginalName: displayName(up.Name), CreatedAt: s.now().UTC()}
	e.StorageKey = "evidence/" + c.ID + "/" + e.ID
	if err := s.storeFile(ctx, e, up.Body); err != nil {
		return nil, err
	}
	return e, nil
}

// OwnClaim reads claimID for its claimant: another claimant's claim is
// apperr.ErrNotFound, as an unknown one is.
func (s *Service) OwnClaim(ctx context.Context, owner *models.User, claimID string) (*models.Claim, error) {
	c, err := s.store.Claim(ctx, claimID)
	if err != nil {
		return nil, err
	}
	if c.ClaimantID != owner.ID {
		return nil, fmt.Errorf("claim %s: %w", claimID, apperr.ErrNotFound)
	}
	return c, nil
}

// storeFile streams the body to the blob store, hashing it and refusing it
// past the size limit, then checks the type from its first bytes.
func (s *Service) storeFile(ctx context.Context, e *models.Evidence, body io.Reader) error {
	h := sha256.New()
	head := &headBuffer{max: 512}
	limited := io.LimitReader(body, s.limits.MaxFileBytes+1)
	n, err := s.blobs.Put(ctx, e.StorageKey, io.TeeReader(limited, io.MultiWriter(h, head)))
	if err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
		return err
	}
	if n > s.limits.MaxFileBytes {
		s.blobs.Delete(ctx, e.StorageKey)
		return fmt.Errorf("%d bytes over the %d limit: %w", n, s.limits.MaxFileBytes, apperr.ErrTooLarge)
	}
	if n == 0 {
		s.blobs.Delete(ctx, e.StorageKey)
		return apperr.InvalidMsg("file", apperr.M("claims.file_empty"))
	}
	e.Size, e.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	e.ContentType, err = s.sniff(ctx, e.StorageKey, head.Bytes())
	if err != nil {
		s.blobs.Delete(ctx, e.StorageKey)
	}
	return err
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// sniff decides the type from the bytes: JPEG, PNG, PDF, an XLSX workbook
// (a zip holding xl/workbook.xml) or CSV (text, not markup). Anything else is
// ErrUnsupportedType.
func (s *Service) sniff(ctx context.Context, key string, head []byte) (string, error) {
	switch ct := http.DetectContentType(head); {
	case ct == TypeJPEG, ct == TypePNG, ct == TypePDF:
		return ct, nil
	case ct == "application/zip":
		if s.isWorkbook(ctx, key) {
			return TypeXLSX, nil
		}
	case strings.HasPrefix(ct, "text/plain"):
		if looksLikeCSV(head) {
			return TypeCSV, nil
		}
	}
	return "", fmt.Errorf("not JPEG, PNG, PDF, CSV or XLSX: %w", apperr.ErrUnsupportedType)
}

func (s *Service) isWorkbook(ctx context.Context, key string) bool {
	f, err := s.blobs.Open(ctx, key)
	if err != nil {
		return false
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return false
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return false
	}
	z, err := zip.NewReader(ra, size)
	if err != nil {
		return false
	}
	for _, zf := range z.File {
		if zf.Name == "xl/workbook.xml" {
			return true
		}
	}
	return false
}

// looksLikeCSV accepts text with a separator on its first line and no markup.
func looksLikeCSV(head []byte) bool {
	text := strings.TrimPrefix(string(head), "\ufeff")
	if strings.HasPrefix(strings.TrimSpace(text), "<") {
		return false
	}
	first, _, _ := strings.Cut(text, "\n")
	return strings.ContainsAny(first, ",\t;")
}

// displayName keeps the last path element of a client's file name, without
// control characters, at most 200 characters. It is shown, never used as a path.
func displayName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == ".." || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// recordsKind is the kind of records a category's loss is estimated from:
// sales for merchants, trips for drivers; "" for the others.
func recordsKind(category models.ClaimCategory) string {
	switch category {
	case ProfileMerchant:
		return "sales_records"
	case ProfileDriver:
		return "trip_records"
	}
	return ""
}

// useRecords checks an uploaded sales or trip records file and, when it is
// the kind the claim's category is priced from, re-prices the claim with it
// under the claim's policy.
func (s *Service) useRecords(ctx context.Context, c *models.Claim, e *models.Evidence) error {
	if e.Kind != "sales_records" && e.Kind != "trip_records" {
		return nil
	}
	points, err := s.readRecords(ctx, e)
	if err != nil || e.Kind != recordsKind(c.Category) {
		return err
	}
	o, err := s.outages.Get(ctx, c.OutageID)
	if err != nil {
		return err
	}
	p, err := s.policyByVersion(ctx, c.PolicyVersion)
	if err != nil {
		return err
	}
	prev := c.EstimateAmountKRW
	return s.repriceOne(ctx, c, p, o, points, EstimateReason{Code: ReasonRecordsUploaded, PreviousAmountKRW: &prev})
}

// readRecords parses a stored sales or trip records file into the hourly
// points a loss estimate is priced from. A file that is not CSV or XLSX, or
// has a bad line, is a field error on "file" naming line and column.
func (s *Service) readRecords(ctx context.Context, e *models.Evidence) ([]estimate.Point, error) {
	if e.ContentType != TypeCSV && e.ContentType != TypeXLSX {
		return nil, apperr.InvalidMsg("file", apperr.M("claims.records_format"))
	}
	f, err := s.blobs.Open(ctx, e.StorageKey)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if e.Kind == "sales_records" {
		sales, err := records.ParseSales(f, kst)
		if err != nil {
			return nil, recordsError(err)
		}
		return records.SalesPoints(sales), nil
	}
	trips, err := records.ParseTrips(f, kst)
	if err != nil {
		return nil, recordsError(err)
	}
	return records.TripPoints(trips), nil
}

// claimRecords returns the points of the claim's latest records file of
// the kind its category is priced from, or nil when it has none.
func (s *Service) claimRecords(ctx context.Context, c *models.Claim) ([]estimate.Point, error) {
	kind := recordsKind(c.Category)
	if kind == "" {
		return nil, nil
	}
	list, err := s.store.EvidenceOf(ctx, c.ID) // oldest first
	if err != nil {
		return nil, err
	}
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].Kind == kind {
			return s.readRecords(ctx, &list[i])
		}
	}
	return nil, nil
}

// recordsError turns parser errors into field errors naming line and
// column; a file over one of the parser's bounds (rows, line length, what an
// XLSX unpacks to) is apperr.ErrTooLarge naming the bound.
func recordsError(err error) error {
	var lim *records.LimitError
	if errors.As(err, &lim) {
		return apperr.TooLargeMsg("file", apperr.M("claims.records_too_large", map[string]any{"limit": lim.Msg}))
	}
	var le *records.LineError
	if errors.As(err, &le) {
		if le.Column == 0 {
			return apperr.InvalidMsg("file", apperr.M("claims.records_line", map[string]any{"line": le.Line, "problem": le.Msg}))
		}
		return apperr.InvalidMsg("file",
			apperr.M("claims.records_cell", map[string]any{"line": le.Line, "column": le.Column, "field": le.Field, "problem": le.Msg}))
	}
	if errors.Is(err, records.ErrInvalid) {
		return apperr.InvalidMsg("file", apperr.M("claims.records_unreadable", map[string]any{"error": err.Error()}))
	}
	return err
}

// OpenedEvidence is an evidence file's record and whose claim it belongs
// to.
type OpenedEvidence struct {
	models.Evidence
	// ClaimantID owns the claim: the file is their personal data.
	ClaimantID string
}

// OpenEvidence returns a file of a claim to its owner or to staff who read
// claims (others get ErrNotFound), with its record.
func (s *Service) OpenEvidence(ctx context.Context, viewer *models.User, claimID, evidenceID string) (*OpenedEvidence, io.ReadSeekCloser, error) {
	c, err := s.store.Claim(ctx, claimID)
	if err != nil {
		return nil, nil, err
	}
	if !canSee(viewer, c) {
		return nil, nil, fmt.Errorf("claim %s: %w", claimID, apperr.ErrNotFound)
	}
	list, err := s.store.EvidenceOf(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(list, func(e models.Evidence) bool { return e.ID == evidenceID })
	if i < 0 {
		return nil, nil, fmt.Errorf("evidence %s: %w", evidenceID, apperr.ErrNotFound)
	}
	f, err := s.blobs.Open(ctx, list[i].StorageKey)
	if err != nil {
		return nil, nil, err
	}
	return &OpenedEvidence{Evidence: list[i], ClaimantID: c.ClaimantID}, f, nil
}
