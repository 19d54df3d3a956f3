package handlers

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

// actionViewOffers is the access record of staff reading an outage's
// offers (names, phones, e-mail addresses of the accounts).
const actionViewOffers = "outage.view_offers"

// actionViewImport is the access record of staff reading an import's
// progress, whose line errors echo the cells (phones, e-mail addresses).
const actionViewImport = "outage.view_offer_import"

// offerImportRoutes are the import track of proactive offers (API.md
// "Offers"): supervisors for now; the domain takes partner actors too.
func (s *server) offerImportRoutes(g *gin.RouterGroup) {
	// A partner key (scoped to its provider's outages, which the domain
	// checks) may post affected accounts, follow its imports and fetch
	// the credit file; among staff, supervisors.
	supervisorOrPartner := s.staffOrPartner(models.RoleSupervisor)
	staff := s.requireRole(models.RoleReviewer, models.RoleSupervisor)
	g.POST("/outages/:id/affected", supervisorOrPartner, s.importAffected)
	g.GET("/imports/:id", supervisorOrPartner, s.getImport)
	g.POST("/imports/:id/cancel", supervisorOrPartner, s.cancelImport)
	g.POST("/imports/:id/resume", supervisorOrPartner, s.resumeImport)
	g.GET("/outages/:id/offers", s.requireUser, staff, s.listOutageOffers)
	g.GET("/outages/:id/credits.csv", supervisorOrPartner, s.creditsCSV)
}

// offerActor is the caller as an import actor: the partner system whose
// key the request carries, or the signed-in staff member.
func offerActor(c *gin.Context) offers.Actor {
	if keyID, providerID, ok := partnerOf(c); ok {
		return offers.Actor{APIKeyID: keyID, ProviderID: providerID}
	}
	u := currentUser(c)
	return offers.Actor{UserID: u.ID, Role: u.Role.String()}
}

// The content types an account file may be posted as, besides multipart.
var accountFileTypes = map[string]bool{"text/csv": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true}

// importAffected takes a provider's affected accounts: a multipart form
// whose "file" part is the CSV or XLSX (an "acceptance_days" field, when
// sent, goes before it), or the file itself as the body. acceptance_days
// may also be a query parameter.
func (s *server) importAffected(c *gin.Context) {
	days, err := acceptanceDays(c.Query("acceptance_days"))
	if err != nil {
		s.fail(c, err)
		return
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var name string
	var body io.Reader
	switch {
	case ct == "multipart/form-data":
		name, body, days, err = accountFilePart(c, days)
	case accountFileTypes[ct]:
		name, body = c.Query("filename"), c.Request.Body
	default:
		err = fmt.Errorf("content type %q: send multipart/form-data or text/csv: %w", ct, apperr.ErrUnsupportedType)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	imp, err := s.offers.StartImport(c.Request.Context(), offerActor(c), c.Param("id"), name, body, days)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"import_id": imp.ID, "status": imp.Status})
}

// accountFilePart reads the form up to its "file" part.
func accountFilePart(c *gin.Context, days int) (string, io.Reader, int, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, 0, &malformed{err}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return "", nil, 0, apperr.InvalidMsg("file", apperr.M("handlers.file_missing"))
		}
		if err != nil {
			return "", nil, 0, &malformed{err}
		}
		switch part.FormName() {
		case "acceptance_days":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			if days, err = acceptanceDays(strings.TrimSpace(string(b))); err != nil {
				return "", nil, 0, err
			}
		case "file":
			return part.FileName(), part, days, nil
		}
	}
}

func acceptanceDays(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > offers.MaxAcceptanceDays {
		return 0, apperr.InvalidMsg("acceptance_days", apperr.M("handlers.acceptance_days"))
	}
	return n, nil
}

func (s *server) getImport(c *gin.Context) {
	v, err := s.offers.Import(c.Request.Context(), offerActor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	read := audit.Record{Action: actionViewImport, Entity: audit.EntityOutage, EntityID: v.OutageID, Details: map[string]any{"import_id": v.ID}}
	if err := s.recordStaffAccess(c, read); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *server) cancelImport(c *gin.Context) {
	s.moveImport(c, s.offers.CancelImport)
}

func (s *server) resumeImport(c *gin.Context) {
	s.moveImport(c, s.offers.ResumeImport)
}

func (s *server) moveImport(c *gin.Context, move func(ctx context.Context, a offers.Actor, id string) (*models.OfferImport, error)) {
	imp, err := move(c.Request.Context(), offerActor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, offers.ImportViewOf(imp))
}

// listOutageOffers lists an outage's offers to staff, recording the read.
func (s *server) listOutageOffers(c *gin.Context) {
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(c, apperr.InvalidMsg("limit", apperr.M("offers.limit")))
			return
		}
		limit = n
	}
	f := offers.OfferFilter{Status: offers.Status(c.Query("status")), Category: c.Query("category"), Q: c.Query("q"), After: c.Query("cursor")}
	list, next, err := s.offers.OutageOffers(c.Request.Context(), offerActor(c), c.Param("id"), f, limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].ID
	}
	read := audit.Record{Action: actionViewOffers, Entity: audit.EntityOutage, EntityID: c.Param("id"), Details: map[string]any{"offer_ids": ids}}
	if err := s.recordStaffAccess(c, read); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "next_cursor": next})
}

// creditsCSV streams an outage's credit file (granted offers) for the
// provider's billing system; the reason is required and audited.
func (s *server) creditsCSV(c *gin.Context) {
	ctx := c.Request.Context()
	x, err := s.offers.Credits(ctx, offerActor(c), c.Param("id"), c.Query("reason"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendFile(c, "text/csv; charset=utf-8", x.Filename, x.Write, "outage_id")
}
