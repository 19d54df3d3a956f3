package handlers

import (
	"context"
	"github.com/bosang/bosang/models"

	"github.com/bosang/bosang/outage"
	"github.com/bosang/bosang/policy"
)

// draft generates the notice of kind for an outage. A compensation notice
// states the published policy that governs the outage, naming categories and
// evidence kinds as the claim pages do.
func (s *server) draft(ctx context.Context, outageID, kind string) (*outage.Draft, error) {
	policies, err := s.claims.Policies(ctx)
	if err != nil {
		return nil, err
	}
	ko, en := s.catalog.For("ko"), s.catalog.For("en")
	in := outage.DraftInput{PortalURL: s.baseURL, Policies: policies,
		Categories: map[models.ClaimCategory]policy.Text{}, Evidence: map[string]policy.Text{}}
	for _, c := range models.ClaimCategories() {
		id := "claims.category." + string(c)
		in.Categories[c] = policy.Text{KO: ko.T(id), EN: en.T(id)}
	}
	for _, k := range policy.EvidenceKinds() {
		id := "claims.evidence." + k
		in.Evidence[k] = policy.Text{KO: ko.T(id), EN: en.T(id)}
	}
	return s.outages.Draft(ctx, outageID, kind, in)
}
