package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/offers"
)

func init() {
	pageNames = append(pageNames, "imports", "import")
	errorAnchors["imports"] = [][2]string{{"outage_id", "import-outage"}, {"acceptance_days", "import-days"}, {"file", "import-file"},
		{"reason", "credits-reason"}}
}

// offerImportPageRoutes registers the supervisors' import pages: the upload
// form with the credit-file download, one import's progress (polled while
// it runs) with cancel and resume, and the credit file itself.
func (s *server) offerImportPageRoutes(g *gin.RouterGroup) {
	supervisor := s.requireRole(models.RoleSupervisor)
	g.GET("/imports", s.requireUser, supervisor, s.importsPage)
	g.POST("/imports", s.requireUser, supervisor, s.importSubmit)
	g.GET("/imports/credits", s.requireUser, supervisor, s.creditsDownload)
	g.GET("/imports/:id", s.requireUser, supervisor, s.importPage)
	g.POST("/imports/:id/cancel", s.requireUser, supervisor, s.importMoveSubmit(s.offersCancel))
	g.POST("/imports/:id/resume", s.requireUser, supervisor, s.importMoveSubmit(s.offersResume))
}

type importsData struct {
	Outages []option
}

func (s *server) importsPage(c *gin.Context) {
	v := s.view(c, "imports.title")
	v.Form["outage_id"] = c.Query("outage_id")
	s.renderImports(c, http.StatusOK, v)
}

func (s *server) renderImports(c *gin.Context, status int, v *view) {
	opts, err := s.outageOptions(c.Request.Context(), v.Lang, v.Form["outage_id"])
	if err != nil {
		s.fail(c, err)
		return
	}
	v.Data = importsData{Outages: opts}
	s.render(c, status, "imports", v)
}

// importSubmit starts an import from the form (outage, acceptance days,
// then the file) and opens its progress page.
func (s *server) importSubmit(c *gin.Context) {
	vals, file, err := s.readMultipart(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer file.discard()
	v := s.view(c, "imports.title")
	v.Form["outage_id"], v.Form["acceptance_days"] = vals.Get("outage_id"), strings.TrimSpace(vals.Get("acceptance_days"))
	days, err := acceptanceDays(v.Form["acceptance_days"])
	if err == nil && file == nil {
		err = apperr.InvalidMsg("file", apperr.M("handlers.file_missing"))
	}
	var imp *models.OfferImport
	if err == nil {
		imp, err = s.offers.StartImport(c.Request.Context(), offerActor(c), v.Form["outage_id"], file.name, file.body, days)
	}
	if err != nil {
		s.importFormError(c, v, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/imports/"+imp.ID)
}

// importFormError re-renders the form with why the upload was refused, or
// the error page when it is not about the form.
func (s *server) importFormError(c *gin.Context, v *view, err error) {
	m := classify(err)
	var ve *apperr.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Errors = localize(ve.Fields, v.Lang)
	case errors.Is(err, apperr.ErrNotFound) && v.Form["outage_id"] != "":
		v.Errors["outage_id"] = v.L.T("imports.outage_unknown")
	case m.status == http.StatusRequestEntityTooLarge || m.status == http.StatusUnsupportedMediaType:
		v.Errors["file"] = v.L.T("claims.evidence_error." + evidenceErrorCode(err))
	default:
		s.fail(c, err)
		return
	}
	s.renderImports(c, m.status, v)
}

type importData struct {
	offers.ImportView
	// Percent is the progress in whole percent; Live says the page keeps
	// polling (the import is queued or running).
	Percent                int
	Live, Cancel, Resume   bool
	StatusLabel, ErrorsURL string
}

func (s *server) importPage(c *gin.Context) {
	iv, err := s.offers.Import(c.Request.Context(), offerActor(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "imports.progress.title")
	live := iv.Status == offers.ImportQueued || iv.Status == offers.ImportRunning
	v.Data = importData{ImportView: *iv, Percent: int(iv.Progress * 100), Live: live, Cancel: live,
		Resume: iv.Status == offers.ImportCancelled, StatusLabel: v.L.T("imports.status." + string(iv.Status))}
	if c.Query("done") != "" {
		v.Flash = v.L.T("imports.done." + c.Query("done"))
	}
	s.render(c, http.StatusOK, "import", v)
}

func (s *server) offersCancel(c *gin.Context) (*models.OfferImport, error) {
	return s.offers.CancelImport(c.Request.Context(), offerActor(c), c.Param("id"))
}

func (s *server) offersResume(c *gin.Context) (*models.OfferImport, error) {
	return s.offers.ResumeImport(c.Request.Context(), offerActor(c), c.Param("id"))
}

// importMoveSubmit cancels or resumes an import from its page.
func (s *server) importMoveSubmit(move func(*gin.Context) (*models.OfferImport, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		imp, err := move(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/imports/"+imp.ID+"?done="+imp.Status)
	}
}

// creditsDownload streams an outage's credit file from the imports page's
// form; a missing reason sends the form back with the error.
func (s *server) creditsDownload(c *gin.Context) {
	ctx := c.Request.Context()
	outageID := c.Query("outage_id")
	x, err := s.offers.Credits(ctx, offerActor(c), outageID, c.Query("reason"))
	if err != nil {
		v := s.view(c, "imports.title")
		v.Form["outage_id"], v.Form["reason"] = outageID, c.Query("reason")
		s.importFormError(c, v, err)
		return
	}
	s.sendFile(c, "text/csv; charset=utf-8", x.Filename, x.Write, "outage_id")
}
