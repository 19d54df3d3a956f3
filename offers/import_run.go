package offers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
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
	if err := r.read(ctx); !errors.Is(err, errStopped) {
		return err
	}
	return nil
}

// run is one worker's pass over an import. Reading, checking, pricing
// and sealing happen on the reading goroutine while the previous chunk
// commits on another (commit), so the database and the processor work at
// once; chunks still commit one at a time and in file order.
type run struct {
	ctx context.Context
	s   *Service
	imp *models.OfferImport // owned by commit once reading starts
	// head is what the reading goroutine knows of the import: its id and
	// outage, and the last line committed before this run.
	head    models.OfferImport
	view    *outage.View
	pricer  *pricer
	now     time.Time
	expires time.Time
	counted *byteCount
	// What the reading goroutine has taken since the last committed line.
	cur     chunk
	errs    []ImportError
	pending chan chunk
	stopped chan struct{} // closed when commit fails
	failure error         // commit's error, read after stopped or done
	done    chan struct{}
}

// chunk is the rows read since the last commit with the import's counts
// as they stand after them.
type chunk struct {
	offers                         []models.Offer
	msgs                           []models.OutboxMessage
	rows, accepted, rejected, line int
	bytesRead                      int64
	errors                         string
	last                           bool
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
		expires: now.AddDate(0, 0, imp.AcceptanceDays),
		cur:     chunk{rows: imp.Rows, accepted: imp.Accepted, rejected: imp.Rejected, line: imp.ResumeLine}}
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
	r.head = models.OfferImport{ID: imp.ID, OutageID: imp.OutageID, ResumeLine: imp.ResumeLine}
	return r, nil
}

// read streams the file through records.ReadAccounts, handing each chunk
// to commit.
func (r *run) read(ctx context.Context) error {
	f, err := r.s.blobs.Open(ctx, r.imp.BlobKey)
	if err != nil {
		return fmt.Errorf("open account file of import %s: %w", r.imp.ID, err)
	}
	defer f.Close()
	r.counted = new(byteCount)
	r.pending, r.stopped, r.done = make(chan chunk, 1), make(chan struct{}), make(chan struct{})
	go r.commitAll()
	err = records.ReadAccounts(io.TeeReader(f, r.counted), r.s.limits, r.row)
	if err == nil {
		r.cur.last = true
		r.hand()
	}
	close(r.pending)
	<-r.done
	switch {
	case errors.Is(r.failure, errStopped) || errors.Is(err, errStopped):
		// Cancelled or taken over, even after the whole file was read: the
		// file stays for a resume.
		return errStopped
	case r.failure != nil:
		return r.failure
	case err == nil:
		// Done: the file is no longer needed (the offers hold what it said).
		if derr := r.s.blobs.Delete(ctx, r.imp.BlobKey); derr != nil {
			r.s.log.WarnContext(ctx, "offer import: cannot delete the done file", "import_id", r.imp.ID, "err", derr)
		}
		return nil
	case errors.Is(err, records.ErrInvalid):
		return r.fail(ctx, err)
	}
	return err
}

// row takes one row of the file.
func (r *run) row(a records.Account, bad *records.LineError) error {
	if a.Line <= r.head.ResumeLine {
		return nil // committed by an earlier run
	}
	c := &r.cur
	c.line = a.Line
	c.rows++
	if bad == nil {
		var pr *priced
		if pr, bad = r.pricer.price(a); bad == nil {
			o, token := r.s.offerFor(&r.head, a, pr, r.now, r.expires)
			c.offers = append(c.offers, o)
			c.msgs = append(c.msgs, r.s.announcements(&o, token, r.view)...)
			c.accepted++
		}
	}
	if bad != nil {
		c.rejected++
		if len(r.errs) < MaxImportErrors {
			r.errs = append(r.errs, importError(bad))
		}
	}
	if c.rows%r.s.chunk == 0 {
		return r.hand()
	}
	return nil
}

func importError(le *records.LineError) ImportError {
	return ImportError{Line: le.Line, Column: le.Column, Field: le.Field, Message: le.MessageKO, MessageEN: le.MessageEN}
}

// hand passes the chunk read so far to commit, or returns errStopped when
// commit has stopped.
func (r *run) hand() error {
	errs, _ := json.Marshal(r.errs)
	r.cur.errors, r.cur.bytesRead = string(errs), int64(*r.counted)
	select {
	case r.pending <- r.cur:
	case <-r.stopped:
		return errStopped
	}
	r.cur = chunk{rows: r.cur.rows, accepted: r.cur.accepted, rejected: r.cur.rejected, line: r.cur.line}
	return nil
}

// commitAll commits the chunks in order until the reader is done or one
// fails (then stopped is closed and failure holds the error).
func (r *run) commitAll() {
	defer close(r.done)
	for c := range r.pending {
		if r.failure != nil {
			continue
		}
		if err := r.commit(r.ctx, c); err != nil {
			r.failure = err
			close(r.stopped)
		}
	}
	if errors.Is(r.failure, errStopped) {
		r.s.log.InfoContext(r.ctx, "offer import stopped", "import_id", r.imp.ID, "resume_line", r.imp.ResumeLine)
	}
}

// commit stores a chunk: its offers (skipping accounts offered already),
// the announcements of those it stored and the import's progress, in one
// transaction that fails with errStopped if the import changed meanwhile
// (cancelled, or taken over by a newer run).
func (r *run) commit(ctx context.Context, c chunk) error {
	imp := *r.imp
	from := imp.Version
	imp.Rows, imp.Accepted, imp.Rejected, imp.ResumeLine = c.rows, c.accepted, c.rejected, c.line
	imp.Errors, imp.BytesRead, imp.UpdatedAt = c.errors, min(c.bytesRead, imp.SizeBytes), r.s.now().UTC()
	if c.last {
		imp.Status, imp.BytesRead, imp.FinishedAt = string(ImportDone), imp.SizeBytes, &imp.UpdatedAt
	}
	err := r.s.store.InTx(ctx, func(tx Store) error {
		ids, err := tx.InsertNewOffers(ctx, c.offers)
		if err != nil {
			return err
		}
		imp.OffersCreated += len(ids)
		if _, err := tx.EnqueueMessages(ctx, ofOffers(c.msgs, ids)); err != nil {
			return err
		}
		if err := tx.UpdateImport(ctx, &imp, from); err != nil {
			return err
		}
		if !c.last {
			return nil
		}
		return r.s.audit(ctx, tx, Actor{}, "outage.offer_import_done", imp.OutageID, map[string]any{"import_id": imp.ID, "rows": imp.Rows,
			"accepted": imp.Accepted, "rejected": imp.Rejected, "offers_created": imp.OffersCreated})
	})
	if errors.Is(err, apperr.ErrPreconditionFailed) {
		return errStopped
	}
	if err == nil {
		*r.imp = imp
	}
	return err
}

// ofOffers keeps the messages that announce the offers ids names.
func ofOffers(msgs []models.OutboxMessage, ids []string) []models.OutboxMessage {
	stored := make(map[string]bool, len(ids))
	for _, id := range ids {
		stored[id] = true
	}
	out := make([]models.OutboxMessage, 0, len(msgs))
	for _, m := range msgs {
		id := strings.TrimPrefix(strings.TrimPrefix(m.DedupeID, "offer-sms-"), "offer-email-")
		if stored[id] {
			out = append(out, m)
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
			if len(r.errs) < MaxImportErrors {
				r.errs = append(r.errs, importError(le))
			}
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

// byteCount counts the bytes written to it: the file read so far, as an
// io.TeeReader of it, for the import's progress.
type byteCount int64

func (n *byteCount) Write(p []byte) (int, error) {
	*n += byteCount(len(p))
	return len(p), nil
}
