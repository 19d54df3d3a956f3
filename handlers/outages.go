package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/models"
	"github.com/bosang/bosang/outage"
)

func (s *server) outageRoutes(g *gin.RouterGroup) {
	operator := s.requireRole(models.RoleOperator)
	g.GET("/services", s.listServices)
	g.POST("/services", s.requireUser, s.requireRole(), s.createService)
	g.GET("/outages", s.listOutages)
	g.POST("/outages", s.requireUser, operator, s.createOutage)
	g.GET("/outages/:id", s.getOutage)
	g.PATCH("/outages/:id", s.requireUser, operator, s.correctOutage)
	g.GET("/outages/:id/notice-draft", s.requireUser, operator, s.noticeDraft)
	g.POST("/outages/:id/notices", s.requireUser, operator, s.recordNotice)
	g.POST("/outages/:id/updates", s.requireUser, operator, s.addOutageUpdate)
	g.GET("/eligibility", s.eligibility)
}

// serviceView is API.md's catalogue entry.
type serviceView struct {
	ID                string        `json:"id"`
	Code              string        `json:"code"`
	Name              string        `json:"name"`
	NameEN            string        `json:"name_en"`
	Provider          string        `json:"provider"`
	ProviderKind      string        `json:"provider_kind"`
	Paid              bool          `json:"paid"`
	Features          []featureView `json:"features"`
	DependsOn         []string      `json:"depends_on"`
	DependsOnFeatures []string      `json:"depends_on_features"`
}

type featureView struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

func viewService(e outage.CatalogEntry) serviceView {
	v := serviceView{ID: e.Service.ID, Code: e.Service.Code, Name: e.Service.Name, NameEN: e.Service.NameEN,
		Provider: e.Provider.Name, ProviderKind: e.Provider.Kind, Paid: e.Service.Paid,
		Features: []featureView{}, DependsOn: []string{}, DependsOnFeatures: []string{}}
	for _, f := range e.Features {
		v.Features = append(v.Features, featureView{Code: f.Code, Name: f.Name, NameEN: f.NameEN})
	}
	for _, d := range e.DependsOn {
		if !contains(v.DependsOn, d.ServiceCode) {
			v.DependsOn = append(v.DependsOn, d.ServiceCode)
		}
		v.DependsOnFeatures = append(v.DependsOnFeatures, d.ServiceCode+"."+d.FeatureCode)
	}
	return v
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *server) listServices(c *gin.Context) {
	catalog, err := s.outages.Catalog(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]serviceView, len(catalog))
	for i, e := range catalog {
		out[i] = viewService(e)
	}
	c.JSON(http.StatusOK, gin.H{"services": out})
}

func (s *server) createService(c *gin.Context) {
	var in outage.NewServiceInput
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	e, err := s.outages.CreateService(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewService(*e))
}

func (s *server) createOutage(c *gin.Context) {
	var in outage.NewOutage
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.outages.Create(c.Request.Context(), currentUser(c), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusCreated, v)
}

func (s *server) getOutage(c *gin.Context) {
	v, err := s.outages.Get(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

func (s *server) correctOutage(c *gin.Context) {
	var p outage.Patch
	if err := bindJSON(c, &p); err != nil {
		s.fail(c, err)
		return
	}
	version, err := readIfMatch(c).Version(func() (int, error) {
		o, err := s.outages.Get(c.Request.Context(), c.Param("id"))
		if err != nil {
			return 0, err
		}
		return o.Version, nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Version = version
	v, err := s.outages.Correct(c.Request.Context(), currentUser(c), c.Param("id"), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etag(v.Version))
	c.JSON(http.StatusOK, v)
}

func (s *server) listOutages(c *gin.Context) {
	f, err := outageFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if code := c.Query("service"); code != "" {
		id, err := s.serviceID(c, code)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.ServiceID = id
	}
	views, err := s.outages.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	var next *string
	if len(views) == f.Limit && f.Limit > 0 {
		next = &views[len(views)-1].ID
	}
	c.JSON(http.StatusOK, gin.H{"outages": views, "next": next})
}

// serviceID resolves a service code (or id) from a query parameter.
func (s *server) serviceID(c *gin.Context, ref string) (string, error) {
	catalog, err := s.outages.Catalog(c.Request.Context())
	if err != nil {
		return "", err
	}
	for _, e := range catalog {
		if e.Service.Code == ref || e.Service.ID == ref {
			return e.Service.ID, nil
		}
	}
	return "", apperr.InvalidMsg("service", apperr.M("handlers.service_unknown"))
}

// outageFilter parses from, to, ongoing, limit and next.
func outageFilter(c *gin.Context) (outage.Filter, error) {
	var f apperr.Fields
	out := outage.Filter{After: c.Query("next")}
	out.From = queryTime(c, &f, "from")
	out.To = queryTime(c, &f, "to")
	if v := c.Query("ongoing"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.AddMsg("ongoing", apperr.M("handlers.boolean"))
		}
		out.Ongoing = &b
	}
	out.Limit = queryLimit(c, &f)
	return out, f.Err()
}

func queryTime(c *gin.Context, f *apperr.Fields, name string) *time.Time {
	v := c.Query(name)
	if v == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, kst); err == nil {
			return &t
		}
	}
	f.AddMsg(name, apperr.M("handlers.time_or_date"))
	return nil
}

// queryLimit reads ?limit= (default 50, max 500).
func queryLimit(c *gin.Context, f *apperr.Fields) int {
	v := c.Query("limit")
	if v == "" {
		return 50
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 500 {
		f.AddMsg("limit", apperr.M("handlers.limit_500"))
		return 50
	}
	return n
}

func (s *server) noticeDraft(c *gin.Context) {
	d, err := s.draft(c.Request.Context(), c.Param("id"), c.Query("kind"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *server) recordNotice(c *gin.Context) {
	var in outage.NewNotice
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.outages.RecordNotice(c.Request.Context(), currentUser(c), c.Param("id"), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *server) addOutageUpdate(c *gin.Context) {
	var in struct {
		Body string `json:"body"`
	}
	if err := bindJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.outages.AddUpdate(c.Request.Context(), currentUser(c), c.Param("id"), in.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *server) eligibility(c *gin.Context) {
	var f apperr.Fields
	at := queryTime(c, &f, "at")
	if at == nil {
		f.AddMsg("at", apperr.M("handlers.at_missing"))
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	views, err := s.outages.Eligible(c.Request.Context(), c.Query("service"), c.Query("role"), *at)
	if err != nil {
		s.fail(c, err)
		return
	}
	if views == nil {
		views = []*outage.View{}
	}
	c.JSON(http.StatusOK, gin.H{"outages": views})
}

var kst = time.FixedZone("KST", 9*3600)
