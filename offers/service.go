package offers

import (
	"log/slog"
	"time"

	"github.com/bosang/bosang/claims"
	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/pii"
	"github.com/bosang/bosang/records"
)

// Service is the offer use cases.
type Service struct {
	store   Store
	claims  *claims.Service
	outages *outage.Service
	sealer  *pii.Sealer
	now     func() time.Time
	newID   func() string
	log     *slog.Logger
	// blobs, limits and chunk serve imports (import.go).
	blobs  Blobs
	limits records.Limits
	chunk  int
}

// NewService wires a Service.
func NewService(store Store, cl *claims.Service, outages *outage.Service, sealer *pii.Sealer, now func() time.Time, newID func() string) *Service {
	return &Service{store: store, claims: cl, outages: outages, sealer: sealer, now: now, newID: newID, log: slog.Default(),
		chunk: DefaultImportChunk}
}

// SetLogger sets where background imports report their progress.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }
