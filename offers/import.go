package offers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/records"
)

// TopicImport is the outbox topic of import jobs (the Batch lane): written
// when an import is started or resumed, run by RunImport.
const TopicImport = "offer.import"

// MaxAcceptanceDays bounds the acceptance window an import may set.
const MaxAcceptanceDays = 3650

// Blobs keeps uploaded files by server-generated key; claims.Blobs (an
// encrypted blob store) is one.
type Blobs interface {
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
}

// SetBlobs sets where uploaded account files are kept (encrypted at rest).
func (s *Service) SetBlobs(b Blobs) { s.blobs = b }

// SetImportLimits sets the bounds of account files (zero fields:
// records.DefaultAccountLimits) and how many rows one committed chunk of
// an import holds (0: DefaultImportChunk).
func (s *Service) SetImportLimits(lim records.Limits, chunk int) {
	s.limits = lim
	if chunk > 0 {
		s.chunk = chunk
	}
}

// DefaultImportChunk is how many rows an import commits at a time.
const DefaultImportChunk = 1000

// Actor is who starts or steers an import: a staff user (UserID, with
// Role), or a partner system (APIKeyID), which may only touch the outages
// of its provider (ProviderID); any other outage is apperr.ErrNotFound to
// it, so their existence does not leak.
type Actor struct {
	UserID     string
	Role       string
	APIKeyID   string
	ProviderID string
}

// importJob is the payload of a TopicImport message.
type importJob struct {
	ImportID string `json:"import_id"`
}

// importMessage is the outbox row that runs imp; the dedupe id names the
// import and its version, so a resume queues a job of its own.
func importMessage(id string, imp *models.OfferImport) models.OutboxMessage {
	payload, _ := json.Marshal(importJob{ImportID: imp.ID})
	return models.OutboxMessage{ID: id, Topic: TopicImport, DedupeID: "offer-import-" + imp.ID + "-" + strconv.Itoa(imp.Version),
		Payload: string(payload), AvailableAt: imp.UpdatedAt, CreatedAt: imp.UpdatedAt}
}

// StartImport keeps the uploaded file body (a provider's affected accounts
// for an outage, CSV or XLSX) in the blob store and, in one transaction,
// records the import (queued), its job (TopicImport) and an audit entry.
// acceptanceDays is how long each offer may be answered, counted from the
// day it is made; 0 takes the policy's filing window. It returns the
// import. An unknown outage, or one of another provider for a partner, is
// apperr.ErrNotFound; an empty file or a bad acceptance_days a
// *apperr.ValidationError; the reader's error is returned wrapped (a
// handler maps a body over its size limit to 413).
func (s *Service) StartImport(ctx context.Context, a Actor, outageID, filename string, body io.Reader, acceptanceDays int) (*models.OfferImport, error) {
	if err := s.checkActor(ctx, a, outageID); err != nil {
		return nil, err
	}
	o, err := s.outages.Get(ctx, outageID)
	if err != nil {
		return nil, err
	}
	p, err := s.claims.PolicyFor(ctx, o.StartedAt)
	if err != nil {
		return nil, err
	}
	if acceptanceDays == 0 {
		acceptanceDays = p.WindowDays()
	}
	if acceptanceDays < 1 || acceptanceDays > MaxAcceptanceDays {
		return nil, apperr.InvalidMsg("acceptance_days", apperr.M("offers.acceptance_days"))
	}
	if s.blobs == nil {
		return nil, errors.New("offers: no blob store for account files")
	}
	now := s.now().UTC()
	imp := &models.OfferImport{ID: s.newID(), OutageID: outageID, Filename: cleanFilename(filename), Status: string(ImportQueued),
		AcceptanceDays: acceptanceDays, Errors: "[]", Version: 1, CreatedAt: now, UpdatedAt: now}
	imp.BlobKey = "offer-imports/" + imp.ID
	if imp.SizeBytes, err = s.blobs.Put(ctx, imp.BlobKey, body); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), imp.BlobKey)
		return nil, fmt.Errorf("keep account file: %w", err)
	}
	if imp.SizeBytes == 0 {
		_ = s.blobs.Delete(ctx, imp.BlobKey)
		return nil, apperr.InvalidMsg("file", apperr.M("offers.file_empty"))
	}
	setActor(imp, a)
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.CreateImport(ctx, imp); err != nil {
			return err
		}
		if _, err := tx.EnqueueMessages(ctx, []models.OutboxMessage{importMessage(s.newID(), imp)}); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "outage.offer_import", imp.OutageID, map[string]any{"import_id": imp.ID, "filename": imp.Filename,
			"size_bytes": imp.SizeBytes, "acceptance_days": acceptanceDays})
	})
	if err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), imp.BlobKey)
		return nil, err
	}
	return imp, nil
}

func setActor(imp *models.OfferImport, a Actor) {
	if a.APIKeyID != "" {
		imp.APIKeyID = &a.APIKeyID
		return
	}
	imp.CreatedBy = &a.UserID
}

// cleanFilename keeps a file name for display: its base name, valid
// UTF-8, at most 200 characters.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(strings.TrimSpace(name), "")
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	if name == "" {
		return "upload"
	}
	return name
}

// checkActor refuses an actor who may not touch the outage's offers.
func (s *Service) checkActor(ctx context.Context, a Actor, outageID string) error {
	switch {
	case a.APIKeyID != "":
		provider, err := s.store.OutageProvider(ctx, outageID)
		if err != nil {
			return err
		}
		if provider != a.ProviderID {
			return fmt.Errorf("outage %s: %w", outageID, apperr.ErrNotFound)
		}
		return nil
	case a.UserID != "":
		return nil
	}
	return fmt.Errorf("offers: no actor: %w", apperr.ErrUnauthenticated)
}

// CancelImport stops an import that is queued or running: it becomes
// cancelled, and a running job stops before its next chunk commits. It
// returns the import; a finished, failed or already cancelled import is
// apperr.ErrConflict.
func (s *Service) CancelImport(ctx context.Context, a Actor, id string) (*models.OfferImport, error) {
	return s.moveImport(ctx, a, id, "outage.offer_import_cancel", func(imp *models.OfferImport) (*models.OutboxMessage, error) {
		if imp.Status != string(ImportQueued) && imp.Status != string(ImportRunning) {
			return nil, fmt.Errorf("import %s is %s, cannot cancel: %w", id, imp.Status, apperr.ErrConflict)
		}
		imp.Status = string(ImportCancelled)
		return nil, nil
	})
}

// ResumeImport queues a cancelled import again; its job reads on after the
// last committed line. It returns the import; an import that is not
// cancelled is apperr.ErrConflict.
func (s *Service) ResumeImport(ctx context.Context, a Actor, id string) (*models.OfferImport, error) {
	return s.moveImport(ctx, a, id, "outage.offer_import_resume", func(imp *models.OfferImport) (*models.OutboxMessage, error) {
		if imp.Status != string(ImportCancelled) {
			return nil, fmt.Errorf("import %s is %s, cannot resume: %w", id, imp.Status, apperr.ErrConflict)
		}
		imp.Status = string(ImportQueued)
		m := importMessage(s.newID(), &models.OfferImport{ID: imp.ID, Version: imp.Version + 1, UpdatedAt: imp.UpdatedAt})
		return &m, nil
	})
}

// moveImport applies change to the import in one transaction with its
// audit entry (and the job change returns), retrying when a running job
// committed a chunk in between.
func (s *Service) moveImport(ctx context.Context, a Actor, id, action string, change func(*models.OfferImport) (*models.OutboxMessage, error)) (*models.OfferImport, error) {
	for attempt := 0; ; attempt++ {
		imp, err := s.importFor(ctx, a, id)
		if err != nil {
			return nil, err
		}
		from, status := imp.Version, imp.Status
		imp.UpdatedAt = s.now().UTC()
		job, err := change(imp)
		if err != nil {
			return nil, err
		}
		err = s.store.InTx(ctx, func(tx Store) error {
			if err := tx.UpdateImport(ctx, imp, from); err != nil {
				return err
			}
			if job != nil {
				if _, err := tx.EnqueueMessages(ctx, []models.OutboxMessage{*job}); err != nil {
					return err
				}
			}
			return s.audit(ctx, tx, a, action, imp.OutageID, map[string]any{"import_id": imp.ID, "from": status, "to": imp.Status, "resume_line": imp.ResumeLine})
		})
		if errors.Is(err, apperr.ErrPreconditionFailed) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return imp, nil
	}
}

// importFor reads an import the actor may see.
func (s *Service) importFor(ctx context.Context, a Actor, id string) (*models.OfferImport, error) {
	imp, err := s.store.Import(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkActor(ctx, a, imp.OutageID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, fmt.Errorf("import %s: %w", id, apperr.ErrNotFound)
		}
		return nil, err
	}
	return imp, nil
}

// audit appends an entry about an outage's offers.
func (s *Service) audit(ctx context.Context, tx audit.Appender, a Actor, action, outageID string, details map[string]any) error {
	if a.APIKeyID != "" {
		details["api_key_id"] = a.APIKeyID
	}
	role := a.Role
	if role == "" && a.APIKeyID != "" {
		role = "partner"
	}
	e, err := audit.Build(audit.FromContext(ctx, audit.Record{ActorID: a.UserID, ActorRole: role, Action: action,
		Entity: audit.EntityOutage, EntityID: outageID, Details: details}), s.now(), s.newID())
	if err != nil {
		return err
	}
	return tx.AppendAudit(ctx, e)
}
