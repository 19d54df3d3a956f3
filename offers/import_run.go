package offers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/records"
)

// MaxImportErrors is how many line errors an import keeps to show.
const MaxImportErrors = 1000

// ImportError is one rejected row of an import (API.md errors[]).
type ImportError struct {
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageEN string `json:"message_en"`
}

// errStopped ends a run whose import was cancelled (or taken over by a
// newer run) while it read.
var errStopped = errors.New("offers: import stopped")

// RunImport is the job runner's handler of TopicImport messages: it reads
// the import's file after its last committed line, prices each valid row,
// and commits offers in chunks, each chunk in one transaction with its new
// offers' announcements (TopicSMS, TopicEmail) and the import's progress.
// A cancelled import stops before its next chunk; a resumed one reads on
// after ResumeLine, so every row is imported exactly once, and a re-import
// of the same accounts adds neither offers nor messages. A file that
// cannot be read at all marks the import failed with the reason. Only a
// store or blob error is returned (the job is retried and reads on).
func (s *Service) RunImport(ctx context.Context, m models.OutboxMessage) error {
	var job importJob
	if err := json.Unmarshal([]byte(m.Payload), &job); err != nil || job.ImportID == "" {
		return fmt.Errorf("import job %s: bad payload", m.ID)
	}
	imp, err := s.store.Import(ctx, job.ImportID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if imp.Status != string(ImportQueued) && imp.Status != string(ImportRunning) {
		return nil // cancelled, done or failed: nothing to do
	}
	r, err := s.newRun(ctx, imp)
	if err != nil {
		return err
	}
	err = r.read(ctx)
	if errors.Is(err, errStopped) {
		s.log.InfoContext(ctx, "offer import stopped", "import_id", imp.ID, "resume_line", r.imp.ResumeLine)
		return nil
	}
	return err
}

// run is one worker's pass over an import.
type run struct {
	ctx     context.Context
	s       *Service
	imp     *models.OfferImport
	view    *outage.View
	pricer  *pricer
	now     time.Time
	expires time.Time
	errs    []ImportError
	offers  []models.Offer
	tokens  []string
	line    int // the last line read
	counted *countingReader
}

// newRun marks the import running (taking it over from any earlier run).
func (s *Service) newRun(ctx context.Context, imp *models.OfferImport) (*run, error) {
	o, err := s.outages.Get(ctx, imp.OutageID)
	if err != nil {
		return nil, err
	}
	p, err := s.claims.PolicyFor(ctx, o.StartedAt)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	r := &run{ctx: ctx, s: s, imp: imp, view: o, pricer: newPricer(p, o, now), now: now,
		expires: now.AddDate(0, 0, imp.AcceptanceDays), line: imp.ResumeLine}
	if err := json.Unmarshal([]byte(imp.Errors), &r.errs); err != nil {
		r.errs = nil
	}
	from := imp.Version
	imp.Status, imp.UpdatedAt = string(ImportRunning), now
	if err := s.store.UpdateImport(ctx, imp, from); err != nil {
		if errors.Is(err, apperr.ErrPreconditionFailed) {
			return nil, fmt.Errorf("import %s changed while starting: %w", imp.ID, err)
		}
		return nil, err
	}
	return r, nil
}

// read streams the file through records.ReadAccounts.
func (r *run) read(ctx context.Context) error {
	f, err := r.s.blobs.Open(ctx, r.imp.BlobKey)
	if err != nil {
		return fmt.Errorf("open account file of import %s: %w", r.imp.ID, err)
	}
	defer f.Close()
	r.counted = &countingReader{r: f}
	err = records.ReadAccounts(r.counted, r.s.limits, r.row)
	switch {
	case err == nil:
		r.imp.Status = string(ImportDone)
		return r.flush(ctx)
	case errors.Is(err, records.ErrInvalid):
		return r.fail(ctx, err)
	}
	return err
}

// row takes one row of the file.
func (r *run) row(a records.Account, bad *records.LineError) error {
	if a.Line <= r.imp.ResumeLine {
		return nil // committed by an earlier run
	}
	r.line = a.Line
	r.imp.Rows++
	if bad == nil {
		var pr *priced
		if pr, bad = r.pricer.price(a); bad == nil {
			o, token := r.s.offerFor(r.imp, a, pr, r.now, r.expires)
			r.offers, r.tokens = append(r.offers, o), append(r.tokens, token)
			r.imp.Accepted++
		}
	}
	if bad != nil {
		r.imp.Rejected++
		r.addError(bad)
	}
	if r.imp.Rows%r.s.chunk == 0 {
		return r.flush(r.ctx)
	}
	return nil
}

func (r *run) addError(le *records.LineError) {
	if len(r.errs) < MaxImportErrors {
		r.errs = append(r.errs, ImportError{Line: le.Line, Column: le.Column, Field: le.Field, Message: le.MessageKO, MessageEN: le.MessageEN})
	}
}

// flush commits the chunk read so far: its offers (skipping accounts
// offered already), their announcements and the import's progress, in one
// transaction that fails with errStopped if the import changed meanwhile.
func (r *run) flush(ctx context.Context) error {
	imp := r.imp
	errs, _ := json.Marshal(r.errs)
	from := imp.Version
	imp.Errors, imp.ResumeLine, imp.UpdatedAt = string(errs), r.line, r.s.now().UTC()
	if r.counted != nil {
		imp.BytesRead = min(r.counted.n, imp.SizeBytes)
	}
	if imp.Status == string(ImportDone) {
		imp.BytesRead, imp.FinishedAt = imp.SizeBytes, &imp.UpdatedAt
	}
	created := 0
	err := r.s.store.InTx(ctx, func(tx Store) error {
		ids, err := tx.InsertNewOffers(ctx, r.offers)
		if err != nil {
			return err
		}
		created = len(ids)
		if _, err := tx.EnqueueMessages(ctx, r.messages(ids)); err != nil {
			return err
		}
		imp.OffersCreated += created
		if err := tx.UpdateImport(ctx, imp, from); err != nil {
			return err
		}
		if imp.Status != string(ImportDone) {
			return nil
		}
		return r.s.audit(ctx, tx, Actor{}, "outage.offer_import_done", imp.OutageID, map[string]any{"import_id": imp.ID, "rows": imp.Rows,
			"accepted": imp.Accepted, "rejected": imp.Rejected, "offers_created": imp.OffersCreated})
	})
	if err != nil {
		imp.OffersCreated -= created
		if errors.Is(err, apperr.ErrPreconditionFailed) {
			return errStopped
		}
		return err
	}
	r.offers, r.tokens = r.offers[:0], r.tokens[:0]
	return nil
}

// messages are the announcements of the chunk's offers that were stored.
func (r *run) messages(ids []string) []models.OutboxMessage {
	stored := make(map[string]bool, len(ids))
	for _, id := range ids {
		stored[id] = true
	}
	out := make([]models.OutboxMessage, 0, 2*len(ids))
	for i := range r.offers {
		if stored[r.offers[i].ID] {
			out = append(out, r.s.announcements(&r.offers[i], r.tokens[i], r.view)...)
		}
	}
	return out
}

// fail marks the import failed: the file (or what is left of it) cannot
// be read at all. Rows committed before stay.
func (r *run) fail(ctx context.Context, cause error) error {
	var les records.LineErrors
	if errors.As(cause, &les) {
		for _, le := range les {
			r.addError(le)
		}
	}
	errs, _ := json.Marshal(r.errs)
	imp := r.imp
	from := imp.Version
	now := r.s.now().UTC()
	imp.Status, imp.Failure, imp.Errors, imp.UpdatedAt, imp.FinishedAt = string(ImportFailed), cause.Error(), string(errs), now, &now
	err := r.s.store.InTx(ctx, func(tx Store) error {
		if err := tx.UpdateImport(ctx, imp, from); err != nil {
			return err
		}
		return r.s.audit(ctx, tx, Actor{}, "outage.offer_import_fail", imp.OutageID, map[string]any{"import_id": imp.ID, "failure": imp.Failure})
	})
	if errors.Is(err, apperr.ErrPreconditionFailed) {
		return errStopped
	}
	return err
}

// countingReader counts the bytes read through it: the import's progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
