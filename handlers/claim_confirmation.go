package handlers

import (
	"math"
	"strings"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/i18n"
)

// filedConfirmation is what the claimant reads right after filing: the
// claim number, what happens next, when to expect a decision and how they
// will hear of it.
type filedConfirmation struct {
	Number string
	// Decision says when a decision is expected: within the review
	// target's days, by the date that falls on ("" without review settings).
	Decision string
}

// confirmationOf builds the confirmation of cv; the expected decision time
// is the review target of the review settings, counted from filing.
func (s *server) confirmationOf(l *i18n.Localizer, cv *claims.View) *filedConfirmation {
	c := &filedConfirmation{Number: cv.Number}
	if s.review != nil {
		target := s.review.Settings().ReviewTarget
		c.Decision = l.T("claims.filed.decision", map[string]any{"Days": int(math.Ceil(target.Hours() / 24)),
			"Date": cv.CreatedAt.Add(target).In(kst).Format("2006-01-02")})
	}
	return c
}

// pastTellsSomething reports whether cv's earlier estimates are worth
// showing its claimant: only when one of them differs in amount from the
// estimate in force. Right after filing the only past estimate, if any,
// repeats the current one.
func pastTellsSomething(cv *claims.View) bool {
	for _, p := range cv.PastEstimates {
		if cv.Estimate == nil || p.AmountKRW != cv.Estimate.AmountKRW {
			return true
		}
	}
	return false
}

// autoApprovalNote is the note the review package writes on a decision the
// policy made by itself.
const autoApprovalNote = "policy auto-approval"

// plainNote is a timeline note in l's language: the automatic approval's
// note in words, reason codes by their labels.
func plainNote(l *i18n.Localizer, note string) string {
	note = strings.Replace(note, autoApprovalNote, l.T("claims.note.auto_approval"), 1)
	return eventNoteText(l, note)
}
