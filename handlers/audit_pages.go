package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// auditPageRoutes registers the supervisors' audit trail page.
func (s *server) auditPageRoutes(g *gin.RouterGroup) {
	g.GET("/audit", s.requireUser, s.requireRole(models.RoleSupervisor), s.auditPage)
}

// auditPageSize is how many entries one page of the audit trail shows.
const auditPageSize = 50

type auditRow struct {
	Seq                        int64
	At                         time.Time
	ActorID, ActorRole, Action string
	Entity, EntityLabel        string
	EntityID                   string
	Sealed                     bool
	Changes                    []fieldChange
	Details                    []detailPair
	ActorURL, EntityURL        string
}

type auditData struct {
	Entities []option
	Rows     []auditRow
	NextPage string
	Filtered bool
	Verify   audit.Result
	// Verified is false on later pages, which do not walk the chain again.
	Verified bool
	// FirstBroken and BrokenCheckpoints say where the chain fails.
	FirstBroken       string
	BrokenCheckpoints []string
}

func (s *server) auditPage(c *gin.Context) {
	if s.audit == nil {
		s.fail(c, errNoRoute)
		return
	}
	v := s.view(c, "audit.title")
	f, query := auditPageFilter(c, v)
	d := auditData{}
	for _, e := range audit.Entities {
		d.Entities = append(d.Entities, option{Value: e, Label: v.L.T("audit.entity." + e), Selected: e == f.Entity})
	}
	d.Filtered = f.Entity != "" || f.EntityID != "" || f.ActorID != "" || !f.From.IsZero() || !f.To.IsZero()
	status := http.StatusOK
	ctx := c.Request.Context()
	if len(v.Errors) == 0 {
		list, next, err := s.audit.List(ctx, f)
		var ve *apperr.ValidationError
		switch {
		case errors.As(err, &ve):
			v.Errors = localize(ve.Fields, v.Lang)
			status = http.StatusUnprocessableEntity
		case err != nil:
			s.fail(c, err)
			return
		}
		for _, e := range list {
			row := auditRow{Seq: e.Seq, At: e.At, ActorRole: v.L.T("audit.actor.system"), Action: e.Action, Entity: e.Entity,
				EntityLabel: v.L.T("audit.entity." + e.Entity), EntityID: e.EntityID, Sealed: e.ChainPos != nil}
			if e.ActorID != nil {
				row.ActorID, row.ActorRole = *e.ActorID, v.L.T("role."+e.ActorRole)
				row.ActorURL = auditURL(query, "actor", *e.ActorID)
			}
			if e.EntityID != "" {
				q := cloneValues(query)
				q.Set("entity", e.Entity)
				row.EntityURL = auditURL(q, "id", e.EntityID)
			}
			row.Changes, row.Details = auditDetails(v.L, e.Details)
			d.Rows = append(d.Rows, row)
		}
		if next > 0 {
			d.NextPage = auditURL(query, "next", strconv.FormatInt(next, 10))
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	if f.Before == 0 {
		res, err := s.audit.Verify(ctx)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Verify, d.Verified = res, true
		if b := res.FirstBroken; b != nil {
			d.FirstBroken = v.L.T("audit.verify.first_broken", map[string]any{"Pos": b.ChainPos, "Reason": b.Reason})
		}
		for _, b := range res.BrokenCheckpoints {
			d.BrokenCheckpoints = append(d.BrokenCheckpoints, v.L.T("audit.verify.checkpoint_at", map[string]any{"Pos": b.ChainPos, "Reason": b.Reason}))
		}
	}
	v.Data = d
	s.render(c, status, "audit", v)
}

// auditPageFilter reads the filter form (?entity=&id=&actor=&from=&to=
// &next=): dates are KST days, "to" inclusive. Errors land in v.Errors;
// the returned query is the filter without the cursor, for links.
func auditPageFilter(c *gin.Context, v *view) (audit.Filter, url.Values) {
	f := audit.Filter{Limit: auditPageSize}
	query := url.Values{}
	for _, k := range []string{"entity", "id", "actor", "from", "to"} {
		val := strings.TrimSpace(c.Query(k))
		v.Form[k] = val
		if val != "" {
			query.Set(k, val)
		}
	}
	f.Entity, f.EntityID, f.ActorID = v.Form["entity"], v.Form["id"], strings.ToLower(v.Form["actor"])
	if f.Entity != "" && !slices.Contains(audit.Entities, f.Entity) {
		v.Errors["entity"] = v.L.T("audit.filter.entity_invalid")
	}
	day := func(key string) time.Time {
		if v.Form[key] == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v.Form[key], kst)
		if err != nil {
			v.Errors[key] = v.L.T("audit.filter.date_invalid")
		}
		return t
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if n := c.Query("next"); n != "" {
		if b, err := strconv.ParseInt(n, 10, 64); err == nil && b > 0 {
			f.Before = b
		}
	}
	return f, query
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// auditURL is the audit page with query and key set to value.
func auditURL(query url.Values, key, value string) string {
	q := cloneValues(query)
	q.Set(key, value)
	if key != "next" {
		q.Del("next")
	}
	return "/audit?" + q.Encode()
}
