package offers

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/records"
)

// creditsHeader is the credit file's first row.
var creditsHeader = []string{"account_ref", "category", "settlement", "amount_krw", "extension_days", "in_kind", "offer_id", "status"}

// Credits is a credit file being downloaded: the granted offers (bill
// credits, service extensions, in-kind items) of an outage, for the
// provider's billing system to apply.
type Credits struct {
	s        *Service
	outageID string
	// Filename is what the download is called.
	Filename string
}

// Credits prepares the credit file of an outage. reason (why it is
// downloaded) is required and recorded in the audit trail before any byte
// is written, as for a payout file. A missing or overlong reason is a
// *apperr.ValidationError; an unknown outage, or one of another provider
// for a partner, apperr.ErrNotFound.
func (s *Service) Credits(ctx context.Context, a Actor, outageID, reason string) (*Credits, error) {
	reason, err := audit.DownloadReason(reason)
	if err != nil {
		return nil, err
	}
	if err := s.checkOutage(ctx, a, outageID); err != nil {
		return nil, err
	}
	err = s.audit(ctx, s.store, a, "outage.offer_credits_export", outageID, map[string]any{"reason": reason})
	if err != nil {
		return nil, err
	}
	return &Credits{s: s, outageID: outageID, Filename: "bosang-credits-" + outageID + ".csv"}, nil
}

// Write streams the file to w as CSV (UTF-8, a header row, cells that a
// spreadsheet would run as formulas neutralised) while the store reads the
// offers, so memory stays flat however many there are. An error after the
// first byte leaves w with a partial file.
func (c *Credits) Write(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(creditsHeader); err != nil {
		return err
	}
	row := make([]string, len(creditsHeader))
	err := c.s.store.EachGrantedOffer(ctx, c.outageID, func(o models.Offer) error {
		row[0], row[1], row[2] = records.Neutralize(o.AccountRef), o.Category, o.Settlement
		row[3], row[4] = strconv.FormatInt(o.AmountKRW, 10), strconv.Itoa(o.ExtensionDays)
		row[5], row[6], row[7] = records.Neutralize(o.InKind), o.ID, o.Status
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
