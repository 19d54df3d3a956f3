package payout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
)

// countOnly is a Store that knows one open batch with n pending items;
// anything else Export might call panics through the nil Store.
type countOnly struct {
	Store
	n int64
}

func (c countOnly) Batch(_ context.Context, id string) (*models.PayoutBatch, error) {
	return &models.PayoutBatch{ID: id, Status: BatchOpen}, nil
}

func (c countOnly) CountItems(context.Context, string, string) (int64, error) { return c.n, nil }

// TestExportXLSXRowLimit: a batch that cannot fit an XLSX sheet is refused
// before the file starts, with the field to fix; the same batch as CSV, and
// a batch that just fits, are not.
func TestExportXLSXRowLimit(t *testing.T) {
	sup := Access{Actor: &models.User{ID: "s", Role: models.RoleSupervisor}}
	id := "0190a0a0-0000-7000-8000-000000000001"
	for _, tc := range []struct {
		n      int64
		f      Format
		refuse bool
	}{
		{MaxXLSXTransfers + 1, XLSX, true},
		{MaxXLSXTransfers + 1, CSV, false},
		{MaxXLSXTransfers, XLSX, false},
	} {
		s := NewService(countOnly{n: tc.n}, nil, nil, time.Now, func() string { return "x" })
		_, err := s.Export(context.Background(), sup, id, tc.f, "bank transfer")
		var ve *apperr.ValidationError
		switch {
		case tc.refuse && (!errors.As(err, &ve) || ve.Fields["format"].In("en") == ""):
			t.Errorf("%s of %d: got %v, want a validation error on format", tc.f, tc.n, err)
		case !tc.refuse && err != nil:
			t.Errorf("%s of %d: got %v, want the export prepared", tc.f, tc.n, err)
		}
	}
}
