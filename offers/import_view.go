package offers

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// ImportView is an import's progress (API.md GET /imports/{id}). Progress
// runs from 0 to 1: the share of the file's bytes committed.
type ImportView struct {
	ID             string        `json:"id"`
	OutageID       string        `json:"outage_id"`
	Filename       string        `json:"filename"`
	Status         ImportStatus  `json:"status"`
	Rows           int           `json:"rows"`
	Accepted       int           `json:"accepted"`
	Rejected       int           `json:"rejected"`
	OffersCreated  int           `json:"offers_created"`
	ResumeLine     int           `json:"resume_line"`
	Progress       float64       `json:"progress"`
	AcceptanceDays int           `json:"acceptance_days"`
	Errors         []ImportError `json:"errors"`
	Failure        string        `json:"failure,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	FinishedAt     *time.Time    `json:"finished_at"`
}

// Import returns an import's progress to the actor (a partner only for its
// provider's outages; apperr.ErrNotFound otherwise, as for an unknown id).
func (s *Service) Import(ctx context.Context, a Actor, id string) (*ImportView, error) {
	imp, err := s.importFor(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return ImportViewOf(imp), nil
}

// ImportViewOf is the view of imp.
func ImportViewOf(imp *models.OfferImport) *ImportView {
	v := &ImportView{ID: imp.ID, OutageID: imp.OutageID, Filename: imp.Filename, Status: ImportStatus(imp.Status), Rows: imp.Rows,
		Accepted: imp.Accepted, Rejected: imp.Rejected, OffersCreated: imp.OffersCreated, ResumeLine: imp.ResumeLine,
		AcceptanceDays: imp.AcceptanceDays, Failure: imp.Failure, CreatedAt: imp.CreatedAt, UpdatedAt: imp.UpdatedAt,
		FinishedAt: imp.FinishedAt, Errors: []ImportError{}}
	_ = json.Unmarshal([]byte(imp.Errors), &v.Errors)
	if v.Errors == nil {
		v.Errors = []ImportError{}
	}
	switch {
	case imp.Status == string(ImportDone):
		v.Progress = 1
	case imp.SizeBytes > 0:
		v.Progress = min(1, float64(imp.BytesRead)/float64(imp.SizeBytes))
	}
	return v
}

// StaffOffer is an offer as staff see it: the account number only masked,
// the token never.
type StaffOffer struct {
	ID            string          `json:"id"`
	ImportID      string          `json:"import_id"`
	AccountRef    string          `json:"account_ref"`
	Category      string          `json:"category"`
	Name          string          `json:"name"`
	Phone         string          `json:"phone"`
	Email         string          `json:"email"`
	Settlement    string          `json:"settlement"`
	Bank          string          `json:"bank,omitempty"`
	AccountMasked string          `json:"account_masked,omitempty"`
	AmountKRW     int64           `json:"amount_krw"`
	ExtensionDays int             `json:"extension_days"`
	InKind        string          `json:"in_kind,omitempty"`
	InKindEN      string          `json:"in_kind_en,omitempty"`
	PolicyVersion int             `json:"policy_version"`
	Steps         json.RawMessage `json:"steps"`
	Status        Status          `json:"status"`
	ExpiresAt     time.Time       `json:"expires_at"`
	ClaimID       *string         `json:"claim_id"`
	CreatedAt     time.Time       `json:"created_at"`
}

// StaffOfferOf is the staff view of o.
func StaffOfferOf(o *models.Offer) StaffOffer {
	steps := json.RawMessage(o.Steps)
	if !json.Valid(steps) {
		steps = json.RawMessage("[]")
	}
	return StaffOffer{ID: o.ID, ImportID: o.ImportID, AccountRef: o.AccountRef, Category: o.Category, Name: o.Name, Phone: o.Phone,
		Email: o.Email, Settlement: o.Settlement, Bank: o.Bank, AccountMasked: o.AccountMasked, AmountKRW: o.AmountKRW,
		ExtensionDays: o.ExtensionDays, InKind: o.InKind, InKindEN: o.InKindEN, PolicyVersion: o.PolicyVersion, Steps: steps,
		Status: Status(o.Status), ExpiresAt: o.ExpiresAt, ClaimID: o.ClaimID, CreatedAt: o.CreatedAt}
}

// MaxOffersPage bounds a page of OutageOffers.
const MaxOffersPage = 200

// OutageOffers lists an outage's offers for staff, newest first, filtered
// by f (an unknown status or category is a *apperr.ValidationError), at
// most limit (1..MaxOffersPage; 0 means 50). It returns the page and the
// cursor of the next one ("" at the end). An unknown outage, or one of
// another provider for a partner, is apperr.ErrNotFound.
func (s *Service) OutageOffers(ctx context.Context, a Actor, outageID string, f OfferFilter, limit int) ([]StaffOffer, string, error) {
	var fs apperr.Fields
	if f.Status != "" {
		if _, err := ParseStatus(string(f.Status)); err != nil {
			fs.AddMsg("status", apperr.M("offers.status_unknown"))
		}
	}
	if f.Category != "" && !models.ClaimCategory(f.Category).Valid() {
		fs.AddMsg("category", apperr.M("offers.category_unknown"))
	}
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > MaxOffersPage {
		fs.AddMsg("limit", apperr.M("offers.limit"))
	}
	if err := fs.Err(); err != nil {
		return nil, "", err
	}
	if err := s.checkOutage(ctx, a, outageID); err != nil {
		return nil, "", err
	}
	f.Q = strings.TrimSpace(f.Q)
	list, err := s.store.OutageOffers(ctx, outageID, f, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list, next = list[:limit], list[limit-1].ID
	}
	out := make([]StaffOffer, len(list))
	for i := range list {
		out[i] = StaffOfferOf(&list[i])
	}
	return out, next, nil
}

// checkOutage refuses an unknown outage or one the actor may not touch.
func (s *Service) checkOutage(ctx context.Context, a Actor, outageID string) error {
	if _, err := s.store.OutageProvider(ctx, outageID); err != nil {
		return err
	}
	if err := s.checkActor(ctx, a, outageID); err != nil {
		return fmt.Errorf("outage offers: %w", err)
	}
	return nil
}
