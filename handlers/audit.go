package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bosang/bosang/apperr"
	"github.com/bosang/bosang/audit"
	"github.com/bosang/bosang/models"
)

// auditRoutes serves the audit trail to supervisors (and admins, whom
// requireRole always admits).
func (s *server) auditRoutes(g *gin.RouterGroup) {
	supervisor := s.requireRole(models.RoleSupervisor)
	g.GET("/audit", s.requireUser, supervisor, s.listAudit)
	g.GET("/audit/verify", s.requireUser, supervisor, s.verifyAudit)
}

// auditEntryView is one entry as the API shows it, details as JSON.
type auditEntryView struct {
	ID        string          `json:"id"`
	Seq       int64           `json:"seq"`
	At        time.Time       `json:"at"`
	ActorID   *string         `json:"actor_id"`
	ActorRole string          `json:"actor_role"`
	IP        string          `json:"ip"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	SubjectID *string         `json:"subject_id"`
	Details   json.RawMessage `json:"details"`
	ChainPos  *int64          `json:"chain_pos"`
	Hash      string          `json:"hash"`
}

func (s *server) listAudit(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, next, err := s.audit.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]auditEntryView, len(list))
	for i, e := range list {
		details := json.RawMessage(e.Details)
		if !json.Valid(details) {
			details, _ = json.Marshal(e.Details)
		}
		out[i] = auditEntryView{ID: e.ID, Seq: e.Seq, At: e.At.UTC(), ActorID: e.ActorID, ActorRole: e.ActorRole, IP: e.IP,
			Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, SubjectID: e.SubjectID, Details: details,
			ChainPos: e.ChainPos, Hash: e.Hash}
	}
	body := gin.H{"entries": out, "next": nil}
	if next > 0 {
		body["next"] = strconv.FormatInt(next, 10)
	}
	c.JSON(http.StatusOK, body)
}

// auditFilter reads ?entity=&id=&subject=&limit=&next=.
func auditFilter(c *gin.Context) (audit.Filter, error) {
	f := audit.Filter{Entity: c.Query("entity"), EntityID: c.Query("id"), SubjectID: c.Query("subject")}
	var bad apperr.Fields
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			bad.AddMsg("limit", apperr.M("handlers.audit_limit"))
		}
		f.Limit = n
	}
	if v := c.Query("next"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			bad.AddMsg("next", apperr.M("handlers.audit_cursor"))
		}
		f.Before = n
	}
	return f, bad.Err()
}

// verifyAudit walks the chain; it only reads, sealing is the sealer's job.
func (s *server) verifyAudit(c *gin.Context) {
	res, err := s.audit.Verify(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
